"""Thin Celery wrappers around the clinic services: take ids, idempotent, acks_late."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def schedule_meetings(today=None):
    """Create each active clinic's next meeting within the horizon and (re)build the draft
    agendas of planned meetings. Safe to run twice: nothing new the second time."""
    from datetime import date

    from triage.services.clinics import schedule_meetings as schedule

    created = schedule(date.fromisoformat(today) if today else None)
    return [meeting.pk for meeting in created]


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
