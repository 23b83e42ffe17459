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
