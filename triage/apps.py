from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage clinics"

    def ready(self):
        # Celery autodiscovery imports only triage.tasks; the minutes task lives apart.
        from triage import tasks_minutes  # noqa: F401
