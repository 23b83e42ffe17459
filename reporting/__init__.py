"""Reports: the Home Office quarterly return, evaluation figures, reminders, dashboards.
Arrives with its own issue."""
