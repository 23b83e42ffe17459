"""GiST trigram indexes for person matching on PostgreSQL (nearest-name ordering).

cases.selectors.people orders candidates by ``name <-> 'JOHN SMITH'`` and takes the
nearest few; a GiST index walks to them directly. The GIN indexes of 0002 stay for
"contains" searches; the GIN alias index of 0006 is replaced. SQLite: nothing to do.
"""

from django.db import migrations

GIST = {
    "cases_person_fullname_trgm_gist": (
        "cases_person",
        "UPPER(given_names::text || ' ' || family_name::text)",
    ),
    "cases_personalias_name_trgm_gist": ("cases_personalias", "UPPER(name::text)"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in GIST.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gist (({expression}) gist_trgm_ops)"
        )
    schema_editor.execute("DROP INDEX IF EXISTS cases_personalias_name_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in GIST:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_merge_20261122_0223")]

    operations = [migrations.RunPython(forwards, backwards)]
