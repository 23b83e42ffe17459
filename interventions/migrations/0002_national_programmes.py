"""Loads the national programme fACT (Focussed Acceptance and Commitment Therapy, the EASI
intervention): four to six one-hour sessions with a forensic psychologist, at most six,
complete when the planned number is attended."""

from django.db import migrations

FACT = {
    "name": "fACT (Focussed Acceptance and Commitment Therapy)",
    "provider_kind": "health",
    "recipient": "perpetrator",
    "delivery": "direct",
    "kind": "health_intervention",
    "sessions_min": 4,
    "sessions_max": 6,
    "session_minutes": 60,
    "completion_rule": "planned_attended",
}


def load(apps, schema_editor):
    Programme = apps.get_model("interventions", "Programme")
    Programme.objects.get_or_create(partnership=None, code="fact", defaults=FACT)


def unload(apps, schema_editor):
    Programme = apps.get_model("interventions", "Programme")
    Programme.objects.filter(partnership=None, code="fact", enrolments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
