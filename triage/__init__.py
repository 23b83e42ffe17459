"""Multi-agency triage clinics: meeting series and their cadence, meetings, agendas,
attendance, case discussions (Case Analysis Summaries, one version per discussion),
actions and minutes."""
