"""Writes for clinics, agendas, discussions and actions: keyword-only, one transaction,
one audit row each."""
