from django.db import migrations, models

from config.dates import add_working_days


def fill_first_contact_due_on(apps, schema_editor):
    # The target as the model's save computes it (bank holidays now excluded).
    from django.conf import settings

    days = settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS
    for name, key in (("SupportEpisode", "pk"), ("HistoricalSupportEpisode", "history_id")):
        model = apps.get_model("advocacy", name)
        rows = list(model.objects.only(key, "referred_on"))
        for row in rows:
            row.first_contact_due_on = add_working_days(row.referred_on, days)
        model.objects.bulk_update(rows, ["first_contact_due_on"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0006_questionnaire_response"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportepisode",
            name="first_contact_due_on",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalsupportepisode",
            name="first_contact_due_on",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill_first_contact_due_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="supportepisode",
            name="first_contact_due_on",
            field=models.DateField(
                editable=False,
                help_text="The first-contact target: working days after the referral (save sets it).",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsupportepisode",
            name="first_contact_due_on",
            field=models.DateField(
                editable=False,
                help_text="The first-contact target: working days after the referral (save sets it).",
            ),
        ),
    ]
