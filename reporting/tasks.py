"""Thin Celery wrappers around the reporting services: idempotent, acks_late."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.jobs import MAX_RETRIES, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, run_job


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


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def build_report_run(self, run_id):
    """Builds one report run (a job row: config.jobs.run_job claims it, beats, ends it)."""
    from reporting.models import ReportRun
    from reporting.services.reports import report_run_build

    run_job(self, ReportRun, run_id, lambda token: report_run_build(run_id=run_id, token=token))


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_MAX_SECONDS,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def build_quarterly_returns(day=None):
    """The beat job: the return for the quarter just ended, on the first working day after
    it, for every partnership and local area; once, however often it runs."""
    from reporting.services.reports import quarterly_returns_due

    today = date.fromisoformat(day) if day else timezone.localdate()
    return [run.pk for run in quarterly_returns_due(today=today)]


@shared_task(acks_late=True, expires=540)
def warm_dashboards():
    """Counts the managers' default dashboards ahead (a read: safe to run any time)."""
    from reporting.selectors.dashboards import warm_default_dashboards

    return warm_default_dashboards(today=timezone.localdate())
