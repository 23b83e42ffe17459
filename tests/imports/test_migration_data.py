"""The benchmark's migration files (benchmarks/migration_data.py): headed by our field names
so the columns map themselves, dated 2016–2024 with codes in use on each event's date."""

import csv
from datetime import date

import pytest

from accounts.roles import Role
from benchmarks.migration_data import ORDER, add_history_codes, write_files
from cases.models import CrimeScreenEntry, Person
from imports import services
from imports.kinds import KINDS

pytestmark = pytest.mark.django_db

SOURCE = "Programme evaluation"


def _rows(path):
    with path.open(encoding="utf-8") as data:
        return list(csv.DictReader(data))


@pytest.fixture
def files(world, tmp_path):
    assert add_history_codes(world.partnership) > 0
    assert add_history_codes(world.partnership) == 0
    return write_files(
        tmp_path,
        cases=30,
        referrals=35,
        crimes=120,
        outcomes=30,
        ratings=10,
        reoffending=10,
        partnership_id=world.partnership.pk,
    )


def test_one_file_per_kind_headed_by_our_field_names(files):
    assert list(files) == list(ORDER)
    for name, path in files.items():
        header = list(_rows(path)[0])
        if name in KINDS:  # the kinds of this branch; the others are checked on main
            columns = KINDS[name].all_columns()
            assert set(header) <= {column.name for column in columns}, name
            assert {column.name for column in columns if column.required} <= set(header), name
    people = _rows(files["people"])
    assert len(people) == 60 and people[1]["external_id"] == "P2"
    crimes = _rows(files["crimes"])
    days = [date.fromisoformat(row["recorded_on"]) for row in crimes]
    assert date(2016, 1, 1) <= min(days) and max(days) <= date(2024, 12, 31)
    assert min(days) < date(2019, 4, 1)  # history before the national lists
    assert any(row["disposal"] for row in crimes) and any(not row["disposal"] for row in crimes)


def test_the_same_seed_writes_the_same_files(world, files, tmp_path):
    again = write_files(
        tmp_path / "again",
        cases=30,
        referrals=35,
        crimes=120,
        outcomes=30,
        ratings=10,
        reoffending=10,
        partnership_id=world.partnership.pk,
    )
    assert again["crimes"].read_text() == files["crimes"].read_text()


def test_people_and_crimes_load_without_a_row_error(world, files):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    for name, strip in (("people", ()), ("crimes", ("case",))):
        rows = [{**row, **dict.fromkeys(strip, "")} for row in _rows(files[name])]
        _, results = services.bulk_apply(
            actor=admin.user, membership=admin, kind=name, source_system=SOURCE, rows=rows
        )
        assert {result["result"] for result in results} == {"created"}
    assert Person.objects.filter(external_source=SOURCE).count() == 60
    assert CrimeScreenEntry.objects.filter(external_source=SOURCE).count() == 120
