"""Celery task for meeting minutes. Registered through triage.apps (autodiscovery only
imports tasks.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def generate_minutes(meeting_id):
    """Produce every audience's minutes of a closed meeting. Safe to run twice: existing
    files are kept. Returns the number of audiences."""
    from triage.models import Meeting, MeetingStatus
    from triage.services.minutes import minutes_generate_all

    meeting = (
        Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.CLOSED)
        .select_related("clinic")
        .first()
    )
    if meeting is None:
        return 0
    return len(minutes_generate_all(meeting=meeting))
