"""Indexes for person matching (cases.selectors.people.person_match).

A B-tree on (partnership, date_of_birth) for "same date of birth, similar given name";
on PostgreSQL a GIN trigram index on UPPER(alias name), beside the name indexes of 0002,
so ``UPPER(name) % 'JOHN SMITH'`` is an index scan. SQLite gets only the B-tree.
"""

from django.db import migrations, models

TRIGRAM = {"cases_personalias_name_trgm": ("cases_personalias", "name")}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_drop_legacy_coded_text")]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["partnership", "date_of_birth"], name="person_match_dob"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
