"""Loads the psychometric measures (AAQ-II, CFQ, PsyFlex) and the victim questionnaires,
version 1, as data (risk.measures)."""

import datetime

from django.db import migrations


def load(apps, schema_editor):
    from risk.measures import MEASURES_V1

    Instrument = apps.get_model("risk", "Instrument")
    InstrumentVersion = apps.get_model("risk", "InstrumentVersion")
    for code, name, purpose, definition in MEASURES_V1:
        instrument, _ = Instrument.objects.get_or_create(
            partnership=None,
            code=code,
            defaults={"name": name, "description": definition["about"], "purpose": purpose},
        )
        InstrumentVersion.objects.get_or_create(
            instrument=instrument,
            version=1,
            defaults={"effective_from": datetime.date(2024, 1, 1), "definition": definition},
        )


def unload(apps, schema_editor):
    from risk.measures import MEASURES_V1

    Instrument = apps.get_model("risk", "Instrument")
    InstrumentVersion = apps.get_model("risk", "InstrumentVersion")
    codes = [code for code, _, _, _ in MEASURES_V1]
    InstrumentVersion.objects.filter(instrument__partnership=None, instrument__code__in=codes).delete()
    Instrument.objects.filter(partnership=None, code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0005_instrument_purpose")]

    operations = [migrations.RunPython(load, unload)]
