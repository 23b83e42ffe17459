"""Thin Celery wrappers around the reporting services: idempotent, acks_late."""

from datetime import date

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

LOCK_SECONDS = 30 * 60


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def send_daily_reminders(day=None):
    """The daily reminders for ``day`` (ISO date; default today in Europe/London). Safe to
    run twice: events already reminded about are in the ledger and nothing is re-sent. A
    run while another is still going for the same day is skipped (so a redelivered task
    cannot email a digest twice)."""
    from reporting.services.reminders import send_daily_reminders as run

    day = date.fromisoformat(day) if day else timezone.localdate()
    lock = f"reporting:daily-reminders:{day.isoformat()}"
    if not cache.add(lock, "running", timeout=LOCK_SECONDS):
        return {"day": day.isoformat(), "skipped": "another run for this day is in progress"}
    try:
        return run(today=day)
    finally:
        cache.delete(lock)
