from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project itself, installed only for the commands that span every app
    (seed_demo); it has no models."""

    name = "config"
    verbose_name = "Project"

    def ready(self):
        from config import text

        text.install()  # every form and serializer CharField refuses control characters
