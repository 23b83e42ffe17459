"""Thin Celery wrappers around the cases services: take ids, call a service, idempotent.

Job tasks run through config.jobs.run_job: the ImportRun row is claimed, beats while it
works, and always ends SUCCEEDED or FAILED (transient database errors are retried with
back-off over minutes; the stuck-job sweeper ends a run whose worker was killed)."""

from celery import shared_task

from config.jobs import MAX_RETRIES, run_job


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def import_crime_screen(self, run_id):
    """Import a kept crime-screen file; safe to run twice (a finished run, or one another
    live execution holds, is left alone)."""
    from cases.models import ImportRun
    from cases.services.screening import import_process

    run_job(self, ImportRun, run_id, lambda token: import_process(run_id=run_id, token=token))
