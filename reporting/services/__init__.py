"""Writes for reporting: the daily reminders (reminders.py) and marking notifications read
(notifications.py)."""
