"""Loads the EASI eligibility checklist for the national fACT programme (neutral labels)."""

from django.db import migrations

EASI = [
    ("adult", "Adult (18 or over)"),
    ("ex_intimate_partner", "Stalking of a former intimate partner"),
    ("no_serious_mental_illness", "No serious mental illness driving the behaviour"),
    ("admission", "Admitted the behaviour in interview"),
    ("disposal", "Disposal agreed, or charged or convicted"),
    ("voluntary", "Takes part voluntarily"),
    ("able_to_benefit", "Able to benefit from the intervention"),
]


def load(apps, schema_editor):
    Programme = apps.get_model("interventions", "Programme")
    Criterion = apps.get_model("interventions", "EligibilityCriterion")
    for programme in Programme.objects.filter(partnership=None, code="fact"):
        for position, (code, label) in enumerate(EASI, start=1):
            Criterion.objects.get_or_create(
                programme=programme, code=code, defaults={"label": label, "position": position}
            )


def unload(apps, schema_editor):
    Criterion = apps.get_model("interventions", "EligibilityCriterion")
    Criterion.objects.filter(programme__partnership=None, programme__code="fact").delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0007_eligibility_compliance_end_report")]

    operations = [migrations.RunPython(load, unload)]
