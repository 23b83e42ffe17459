"""The job machinery's settings (config.jobs, config.celery). The four faults of issue 9
item 9 are simulated at the boundary in tests/cases/test_screening_jobs.py and
tests/triage/test_minutes_job.py."""

from config import jobs
from config.celery import app


def test_tasks_end_before_redis_would_redeliver_them():
    """acks_late + reject_on_worker_lost, and a visibility timeout longer than any task may
    run (so a running task is never delivered twice) but far below Redis's default hour."""
    from django.conf import settings

    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_TASK_TIME_LIMIT < visibility < 3600
    app.loader.import_default_modules()
    for name in ("cases.tasks.import_crime_screen", "triage.tasks.generate_minutes"):
        task = app.tasks[name]
        assert task.acks_late and task.max_retries == jobs.MAX_RETRIES
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility


def test_the_sweeper_and_heartbeat_are_on_the_beat_schedule():
    schedule = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert schedule["config.tasks.sweep_stuck_jobs"]["schedule"] <= 5 * 60
    assert schedule["config.tasks.worker_heartbeat"]["schedule"] <= 60
    app.loader.import_default_modules()
    assert {"config.tasks.sweep_stuck_jobs", "config.tasks.worker_heartbeat"} <= set(app.tasks)
