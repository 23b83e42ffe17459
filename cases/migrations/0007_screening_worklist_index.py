"""An index in the worklist's order (unscreened first, newest recorded first), so page 1
and page 200 of 300,000 crimes read only the rows they show (benchmarks/screening.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_people_match_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="crimescreenentry",
            index=models.Index(
                models.F("partnership"),
                models.ExpressionWrapper(
                    models.Q(screened_at__isnull=False), output_field=models.BooleanField()
                ),
                models.F("recorded_on").desc(),
                models.F("id").desc(),
                name="crime_screen_worklist",
            ),
        ),
    ]
