import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stalking_partnership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# config is not an app: its beat tasks (the sweeper, the worker heartbeat) are named here.
app.conf.imports = ("config.tasks",)

# The one beat schedule for the whole product.
app.conf.beat_schedule = {
    "housekeeping-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Each clinic's next meeting and draft agenda, before the morning meeting.
    "triage-schedule-meetings": {
        "task": "triage.tasks.schedule_meetings",
        "schedule": crontab(hour=5, minute=30),
    },
    # Crontab times are Europe/London (CELERY_TIMEZONE).
    # Job rows stuck past their limits are queued again or failed (config.jobs).
    "jobs-sweep-stuck": {
        "task": "config.tasks.sweep_stuck_jobs",
        "schedule": 300.0,
    },
    # A worker ran recently: /healthz reports it.
    "jobs-worker-heartbeat": {
        "task": "config.tasks.worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The Home Office return for the quarter just ended, from its first working day after
    # (the job does nothing before that day, and nothing twice).
    "reporting-quarterly-returns": {
        "task": "reporting.tasks.build_quarterly_returns",
        "schedule": crontab(hour=6, minute=30),
    },
    # The managers' default dashboards, counted ahead so the first view is ready
    # (reporting.selectors.dashboards.WARM_EVERY_SECONDS).
    "reporting-warm-dashboards": {
        "task": "reporting.tasks.warm_dashboards",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
    "reporting-send-daily-reminders": {
        "task": "reporting.tasks.send_daily_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
}


@worker_process_init.connect
def _load_pdf_engine(**kwargs):
    """Import WeasyPrint (about 1.5 s: fonts, Pango) when a worker process starts rather
    than inside the first PDF job, so the returns and minutes a person waits for do not pay
    it."""
    from config.pdf import load_engine

    load_engine()
