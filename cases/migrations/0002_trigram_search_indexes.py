"""Trigram indexes for case-list search on PostgreSQL (names and references, any position).

Django's icontains compiles to UPPER(col) LIKE UPPER('%term%'), so the indexes are on
UPPER(col). The pg_trgm extension needs a role that may create extensions; where the
application role may not, a DBA runs CREATE EXTENSION pg_trgm once beforehand.
SQLite gets no index: it is only the zero-set-up demo database.
"""

from django.db import migrations

INDEXES = {
    "cases_person_family_trgm": ("cases_person", "family_name"),
    "cases_person_given_trgm": ("cases_person", "given_names"),
    "cases_case_reference_trgm": ("cases_case", "reference"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
