"""fACT takes AAQ-II (psychological inflexibility), CFQ (cognitive fusion) and PsyFlex
(psychological flexibility) before and after, as the EASI evaluation did."""

from django.db import migrations

FACT_MEASURES = ("aaq-ii", "cfq", "psyflex")


def load(apps, schema_editor):
    Programme = apps.get_model("interventions", "Programme")
    Instrument = apps.get_model("risk", "Instrument")
    fact = Programme.objects.filter(partnership=None, code="fact").first()
    if fact is not None:
        fact.measures.add(*Instrument.objects.filter(partnership=None, code__in=FACT_MEASURES))


def unload(apps, schema_editor):
    Programme = apps.get_model("interventions", "Programme")
    for fact in Programme.objects.filter(partnership=None, code="fact"):
        fact.measures.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0004_programme_measures_and_measure"),
        ("risk", "0006_psychometrics_and_questionnaires"),
    ]

    operations = [migrations.RunPython(load, unload)]
