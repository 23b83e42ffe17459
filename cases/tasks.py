"""Thin Celery wrappers around the cases services: take ids, call a service, idempotent."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def import_crime_screen(run_id):
    """Import a kept crime-screen file; safe to run twice (a finished run is left alone)."""
    from cases.services.screening import import_process

    import_process(run_id=run_id)
