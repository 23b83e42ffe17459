"""Thin Celery wrappers around the reporting services: idempotent, acks_late."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def send_daily_reminders(day=None):
    """The daily reminders for ``day`` (ISO date; default today in Europe/London). Safe to
    run twice: events already reminded about are in the ledger and nothing is re-sent."""
    from reporting.services.reminders import send_daily_reminders as run

    return run(today=date.fromisoformat(day) if day else timezone.localdate())
