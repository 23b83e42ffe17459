"""Victim advocacy: support episodes, contacts, safety plans, risk updates shared with
police, victim surveys. Arrives with its own issue."""
