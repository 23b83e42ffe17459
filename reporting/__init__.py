"""Reports, reminders and notifications. The quarterly return arrives with its own issue."""
