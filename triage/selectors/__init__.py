"""Reads for clinics, meetings, agendas, discussions and actions, scoped to the membership."""
