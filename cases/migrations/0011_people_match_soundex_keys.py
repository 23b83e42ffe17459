"""Soundex key indexes for person matching on PostgreSQL (cases.selectors.people).

person_match looks candidates up by the Soundex code of the family name and the code of
the first given name (B-tree, expressions written exactly as in the selector), and by
trigram word similarity on the family name (the GIN index of 0002). The GiST nearest-name
indexes of 0009 cost ~70 ms a query on 200,000 people and are dropped. fuzzystrmatch
provides soundex() (IMMUTABLE). SQLite: nothing to do.
"""

from django.db import migrations

INDEXES = {
    "cases_person_match_keys": (
        "cases_person",
        "partnership_id, soundex(family_name::text),"
        " rtrim(soundex(split_part(given_names::text, ' ', 1)), '0')",
    ),
    "cases_personalias_match_keys": (
        "cases_personalias",
        "soundex(regexp_replace(btrim(name::text), '^.*\\s', '')),"
        " rtrim(soundex(split_part(btrim(name::text), ' ', 1)), '0')",
    ),
}
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
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name in GIST:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in GIST.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table}"
            f" USING gist (({expression}) gist_trgm_ops)"
        )
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_crime_screen_source_offence")]

    operations = [migrations.RunPython(forwards, backwards)]
