from django.utils import timezone


def seed(*, partnership, agencies, members):
    """Runs the daily reminders for the demo day, after the other areas have seeded their
    actions, assessments, reviews and meetings, so demo users see a notification badge.
    In-app only: the demo does not print a digest email per user."""
    from reporting.services.reminders import send_daily_reminders

    return send_daily_reminders(today=timezone.localdate(), email=False)
