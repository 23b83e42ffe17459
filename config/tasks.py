"""Platform beat tasks: the stuck-job sweeper and the worker heartbeat (listed in
config.celery's ``imports``, as config is not an app for autodiscovery)."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

WORKER_SEEN_KEY = "jobs:worker-seen"


@shared_task(name="config.tasks.sweep_stuck_jobs", acks_late=True)
def sweep_stuck_jobs():
    """Queue again, or fail, job rows stuck past their limits (config.jobs)."""
    from config.jobs import sweep_stuck_jobs as sweep

    return sweep()


@shared_task(name="config.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat():
    """A worker ran this: /healthz reports how long ago one was last seen."""
    cache.set(WORKER_SEEN_KEY, timezone.now().timestamp(), timeout=24 * 3600)
