"""Assessments dated in the past, historic ratings (a level without item answers) and
external ids (issue 13). The partnership column, the scope of the external id, is filled
from each assessment's case before it becomes required."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_partnership(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Checked now, so the column can be made required in the same transaction
        # (PostgreSQL refuses ALTER TABLE with deferred foreign-key checks pending).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Assessment = apps.get_model("risk", "Assessment")
    Case = apps.get_model("cases", "Case")
    Assessment.objects.update(
        partnership_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("partnership_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_user_professional_registration'),
        ('cases', '0015_case_events_victim_notifications'),
        ('risk', '0006_psychometrics_and_questionnaires'),
        ('triage', '0006_discussion_refer_to_advocacy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='external_id',
            field=models.CharField(blank=True, help_text="The record's id in that system; unique per partnership and source.", max_length=100),
        ),
        migrations.AddField(
            model_name='assessment',
            name='external_source',
            field=models.CharField(blank=True, help_text="The system the record came from, e.g. 'Hampshire SPS spreadsheet'.", max_length=40),
        ),
        migrations.AddField(
            model_name='assessment',
            name='historic',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='assessment',
            name='note',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='assessment',
            name='partnership',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.RunPython(fill_partnership, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='assessment',
            name='partnership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='recorded_level',
            field=models.CharField(blank=True, choices=[('low', 'Low'), ('moderate', 'Moderate'), ('moderate_high', 'Moderate/high'), ('high', 'High'), ('not_completed', 'Not completed')], max_length=15),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('historic', False), ('recorded_level', '')), models.Q(('historic', True), models.Q(('recorded_level', ''), _negated=True)), _connector='OR'), name='historic_has_recorded_level'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('partnership', 'external_source', 'external_id'), name='risk_assessment_external_id_unique'),
        ),
    ]
