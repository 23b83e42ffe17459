"""Thin Celery wrappers around the clinic services: take ids, idempotent, acks_late."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from config.jobs import MAX_RETRIES, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, run_job


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_MAX_SECONDS,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def schedule_meetings(today=None):
    """Create each active clinic's next meeting within the horizon and (re)build the draft
    agendas of planned meetings. Safe to run twice: nothing new the second time."""
    from datetime import date

    from triage.services.clinics import schedule_meetings as schedule

    created = schedule(date.fromisoformat(today) if today else None)
    return [meeting.pk for meeting in created]


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def generate_minutes(self, meeting_id):
    """Produce every audience's minutes of a closed meeting, through its MinutesJob row
    (config.jobs.run_job: claimed, retried on database errors, always ended). Safe to run
    twice: a finished job is left alone and existing files are kept. Returns the number
    of audiences (0 when there was nothing to do)."""
    from triage.models import Meeting, MeetingStatus, MinutesJob
    from triage.services.minutes import minutes_generate_all

    meeting = (
        Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.CLOSED)
        .select_related("clinic")
        .first()
    )
    if meeting is None:
        return 0
    MinutesJob.objects.get_or_create(meeting=meeting)
    done = run_job(
        self,
        MinutesJob,
        meeting.pk,
        lambda token: len(minutes_generate_all(meeting=meeting, token=token)),
    )
    return done or 0
