"""Reads for reporting: a member's notifications (notifications.py) and the due events the
daily reminder job works from (reminders.py)."""
