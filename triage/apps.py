from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage clinics"

    def ready(self):
        from triage.services.clinics import meeting_closed
        from triage.services.minutes import queue_minutes

        meeting_closed.connect(queue_minutes, dispatch_uid="triage.minutes.queue")
