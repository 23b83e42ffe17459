from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage clinics"

    def ready(self):
        # Celery autodiscovery imports only triage.tasks; the minutes task lives apart.
        from triage import tasks_minutes  # noqa: F401
        from triage.services.clinics import meeting_closed
        from triage.services.minutes import queue_minutes

        meeting_closed.connect(queue_minutes, dispatch_uid="triage.minutes.queue")
