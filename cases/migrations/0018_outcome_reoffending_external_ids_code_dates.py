"""Issue 13: external ids (and the partnership, from the case) on criminal-justice outcomes
and re-offending events; and the national code lists moved back from 1 April 2019 to the
dates they really began, so a partnership's history before 2019 can be brought in."""

from datetime import date

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill_partnership(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    case_partnership = Subquery(
        Case.objects.filter(pk=OuterRef("case_id")).values("partnership_id")[:1]
    )
    for name in ("CriminalJusticeOutcome", "HistoricalCriminalJusticeOutcome", "ReoffendingEvent"):
        apps.get_model("cases", name).objects.update(partnership_id=case_partnership)
    # The NOT NULL change below cannot run while the updates' foreign-key checks are pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


LOADED_ON = date(2019, 4, 1)  # the date 0004 gave every national code
# The national lists' real starts. Outcome codes: the Home Office outcomes framework in its
# 1 April 2014 form. The product's own classifications: from the earliest event it records.
STARTS = {
    "outcome": {None: date(2014, 4, 1)},
    "relationship": {None: date(2000, 1, 1)},
    "typology": {None: date(2000, 1, 1)},
    "ethnicity": {None: date(2000, 1, 1)},
    "referral_source": {None: date(2000, 1, 1)},
    "closure_reason": {None: date(2000, 1, 1)},
    "offence": {
        # s.2A and s.4A Protection from Harassment Act 1997, in force 25 November 2012.
        "008/65": date(2012, 11, 25),
        "008/66": date(2012, 11, 25),
        "195/12": date(2012, 11, 25),
        # Harassment, its aggravated form and breach of a restraining order predate 2000.
        "8L": date(2000, 1, 1),
        "8M": date(2000, 1, 1),
        "BRO": date(2000, 1, 1),
        # Breach of a non-molestation order: an offence from 1 July 2007 (DVCVA 2004 s.1).
        "BNMO": date(2007, 7, 1),
        # BSPO (Stalking Protection Act 2019, from 20 January 2020) and BCRO keep 2019.
    },
}


def _moved(apps, forward):
    """(codes, start) for each group of national first versions the migration moves."""
    ReferenceCode = apps.get_model("cases", "ReferenceCode")
    for code_list, starts in STARTS.items():
        for code, start in starts.items():
            codes = ReferenceCode.objects.filter(
                partnership__isnull=True,
                code_list=code_list,
                supersedes__isnull=True,
                effective_from=LOADED_ON if forward else start,
            )
            yield (codes if code is None else codes.filter(code=code)), start


def move_starts_back(apps, schema_editor):
    for codes, start in _moved(apps, forward=True):
        codes.update(effective_from=start)


def move_starts_forward(apps, schema_editor):
    for codes, _start in _moved(apps, forward=False):
        codes.update(effective_from=LOADED_ON)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_user_professional_registration'),
        ('cases', '0017_external_ids_monitoring_tier_none'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='criminaljusticeoutcome',
            name='external_id',
            field=models.CharField(blank=True, help_text="The record's id in that system; unique per partnership and source.", max_length=100),
        ),
        migrations.AddField(
            model_name='criminaljusticeoutcome',
            name='external_source',
            field=models.CharField(blank=True, help_text="The system the record came from, e.g. 'Hampshire SPS spreadsheet'.", max_length=40),
        ),
        migrations.AddField(
            model_name='criminaljusticeoutcome',
            name='partnership',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.AddField(
            model_name='historicalcriminaljusticeoutcome',
            name='external_id',
            field=models.CharField(blank=True, help_text="The record's id in that system; unique per partnership and source.", max_length=100),
        ),
        migrations.AddField(
            model_name='historicalcriminaljusticeoutcome',
            name='external_source',
            field=models.CharField(blank=True, help_text="The system the record came from, e.g. 'Hampshire SPS spreadsheet'.", max_length=40),
        ),
        migrations.AddField(
            model_name='historicalcriminaljusticeoutcome',
            name='partnership',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.partnership'),
        ),
        migrations.AddField(
            model_name='reoffendingevent',
            name='external_id',
            field=models.CharField(blank=True, help_text="The record's id in that system; unique per partnership and source.", max_length=100),
        ),
        migrations.AddField(
            model_name='reoffendingevent',
            name='external_source',
            field=models.CharField(blank=True, help_text="The system the record came from, e.g. 'Hampshire SPS spreadsheet'.", max_length=40),
        ),
        migrations.AddField(
            model_name='reoffendingevent',
            name='partnership',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.RunPython(backfill_partnership, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='criminaljusticeoutcome',
            name='partnership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.AlterField(
            model_name='reoffendingevent',
            name='partnership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.partnership'),
        ),
        migrations.AddConstraint(
            model_name='criminaljusticeoutcome',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('partnership', 'external_source', 'external_id'), name='criminaljusticeoutcome_external_id_unique'),
        ),
        migrations.AddConstraint(
            model_name='reoffendingevent',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('partnership', 'external_source', 'external_id'), name='reoffendingevent_external_id_unique'),
        ),
        migrations.RunPython(move_starts_back, move_starts_forward),
    ]
