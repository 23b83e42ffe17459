"""Thin Celery wrappers around the reporting services: idempotent, acks_late."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.jobs import MAX_RETRIES, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_MAX_SECONDS,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def send_daily_reminders(day=None):
    """The daily reminders for ``day`` (ISO date; default today in Europe/London). Safe to
    run twice: events already reminded about are in the ledger and nothing is re-sent. A
    run while another is going (any process) is skipped: the service holds a PostgreSQL
    advisory lock for the run."""
    from reporting.services.reminders import send_daily_reminders as run

    return run(today=date.fromisoformat(day) if day else timezone.localdate())


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_MAX_SECONDS,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def email_notifications(notification_ids):
    """Emails urgent notifications (notify_now). Safe to run twice: each is sent once."""
    from reporting.services.notifications import email_notifications as run

    return run(notification_ids)
