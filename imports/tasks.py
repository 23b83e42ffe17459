"""Thin Celery wrapper: the commit of a checked import batch runs as a job."""

from celery import shared_task

from config.jobs import MAX_RETRIES, run_job


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def commit_batch(self, batch_id):
    from imports.models import ImportBatch
    from imports.services import batch_commit_run

    run_job(
        self, ImportBatch, batch_id, lambda token: batch_commit_run(batch_id=batch_id, token=token)
    )
