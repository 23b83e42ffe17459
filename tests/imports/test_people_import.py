"""Issue 13: bringing people in from a spreadsheet: mapping, dry run, commit, idempotency by
external id, rollback, the bulk API's batches, and every refusal with nothing written."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone
from openpyxl import Workbook

from accounts.roles import Role
from audit.models import AccessEvent
from cases.models import Gender, Person
from imports import services
from imports.models import BatchStage, ImportBatch, ImportedRecord, MappingSet

pytestmark = pytest.mark.django_db

SOURCE = "Northshire SPS sheet"
CSV = (
    "Person ID,Forename,Surname,DOB,Sex,Ethnic code\n"
    "P1,Anna,Smith,31/03/1980,F,W1\n"
    "P2,Ben,Jones,1975-06-01,M,\n"
    "P3,Cara,Brown,,U,A1\n"
)


def _admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def _upload(world, data=CSV, name="people.csv", **kwargs):
    admin = _admin(world)
    return services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="people",
        source_system=kwargs.pop("source_system", SOURCE),
        data=data.encode() if isinstance(data, str) else data,
        name=name,
        **kwargs,
    )


def _map(world, batch, **kwargs):
    admin = _admin(world)
    columns = kwargs.pop("columns", None) or {
        "external_id": "Person ID",
        "given_names": "Forename",
        "family_name": "Surname",
        "date_of_birth": "DOB",
        "gender": "Sex",
        "ethnicity": "Ethnic code",
    }
    values = kwargs.pop("values", {"gender": {"F": "female", "M": "male", "U": "not_known"}})
    return services.batch_map(
        actor=admin.user, membership=admin, batch=batch, columns=columns, values=values, **kwargs
    )


def _check(world, batch):
    admin = _admin(world)
    return services.batch_check(actor=admin.user, membership=admin, batch=batch)


def _commit(world, batch):
    admin = _admin(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    batch.refresh_from_db()
    return batch


def _load(world, data=CSV):
    batch = _check(world, _map(world, _upload(world, data)))
    assert batch.errors == []
    return _commit(world, batch)


def test_columns_are_guessed_from_names_labels_and_aliases(world):
    batch = _upload(world, "id,First name,Last Name,Date of birth\nP1,A,B,\n")
    assert batch.columns == {
        "external_id": "id",
        "given_names": "First name",
        "family_name": "Last Name",
        "date_of_birth": "Date of birth",
    }


def test_dry_run_counts_and_writes_nothing(world):
    batch = _check(world, _map(world, _upload(world)))
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (3, 0, 0)
    assert batch.stage == BatchStage.CHECKED and batch.errors == []
    assert not Person.objects.filter(external_source=SOURCE).exists()


def test_commit_creates_with_mapped_values_and_carries_the_batch(world):
    batch = _load(world)
    assert batch.stage == BatchStage.COMMITTED and batch.created_n == 3
    anna = Person.objects.get(external_source=SOURCE, external_id="P1")
    assert (anna.given_names, anna.date_of_birth, anna.gender) == (
        "Anna",
        date(1980, 3, 31),
        Gender.FEMALE,
    )
    assert anna.ethnicity.code == "W1"
    assert Person.objects.get(external_id="P3").gender == Gender.NOT_KNOWN
    entry = ImportedRecord.objects.get(model="cases.Person", object_id=anna.pk)
    assert entry.batch == batch and entry.row == 2
    assert AccessEvent.objects.filter(
        object_type="imports.ImportBatch", object_id=str(batch.pk)
    ).exists()


def test_loading_the_same_file_again_creates_nothing(world):
    _load(world)
    again = _load(world)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 3)
    assert Person.objects.filter(external_source=SOURCE).count() == 3


def test_a_changed_row_updates_the_record_instead_of_duplicating_it(world):
    _load(world)
    again = _load(world, CSV.replace("Anna,Smith", "Anna,Smythe"))
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 1, 2)
    assert Person.objects.get(external_id="P1").family_name == "Smythe"
    assert Person.objects.filter(external_source=SOURCE).count() == 3


def test_the_same_id_from_another_source_is_another_record(world):
    _load(world)
    batch = _check(world, _map(world, _upload(world, source_system="Old police export")))
    assert batch.created_n == 3


def test_a_saved_mapping_is_offered_for_the_next_file(world):
    _map(world, _upload(world), save_as="SPS people")
    saved = MappingSet.objects.get(name="SPS people")
    assert saved.values["gender"]["U"] == "not_known"
    batch = _upload(world, "Person ID,Forename,Surname,Sex\nP9,Dan,Green,U\n", mapping=saved)
    assert batch.columns["given_names"] == "Forename"
    batch = _check(world, batch)
    assert batch.errors == [] and batch.created_n == 1


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("P4,Dee,Ng,31/02/1980,F,", "DOB", "not a date"),
        ("P4,Dee,Ng,01/01/1890,F,", "DOB", "before 1900"),
        ("P4,Dee,Ng,01/01/2999,F,", "DOB", "future"),
        ("P4,Dee,Ng,,Q,", "Sex", "not one of our values"),
        ("P4,Dee,Ng,,F,ZZ9", "Ethnic code", "not a code"),
        ("P4,,Ng,,F,", "Forename", "Enter the given names"),
        ("P1,Dee,Ng,,F,", "Person ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    world, line, column, text
):
    batch = _check(world, _map(world, _upload(world, CSV + line + "\n")))
    [error] = batch.errors
    assert (error["row"], error["column"]) == (5, column)
    assert text in error["message"]
    assert batch.stage == BatchStage.UPLOADED
    admin = _admin(world)
    with pytest.raises(ValidationError):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    assert not Person.objects.filter(external_source=SOURCE).exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Forename,Surname\n".encode("utf-16"), "UTF-16"),
        ("Person ID,Surname\nP1,Gr\xfcn\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"Person ID,Surname\n", "no data rows"),
        (b"Surname,Surname\nA,B\n", "appear twice"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_the_field(world, data, text):
    with pytest.raises(ValidationError) as refused:
        _upload(world, data)
    assert text in refused.value.message_dict["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_required_column_left_unmapped_is_refused(world):
    batch = _upload(world)
    with pytest.raises(ValidationError) as refused:
        _map(world, batch, columns={"external_id": "Person ID", "given_names": "Forename"})
    assert "column_family_name" in refused.value.message_dict


def test_xlsx_is_read_like_csv(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Person ID", "Forename", "Surname", "DOB", "Sex", "Ethnic code"])
    sheet.append(["P1", "Anna", "Smith", date(1980, 3, 31), "F", "W1"])
    out = io.BytesIO()
    book.save(out)
    batch = _check(world, _map(world, _upload(world, out.getvalue(), name="people.xlsx")))
    assert batch.errors == [] and batch.created_n == 1


def test_rollback_removes_what_it_created_and_restores_what_it_changed(world):
    first = _load(world)
    second = _load(world, CSV.replace("Anna,Smith", "Anna,Smythe") + "P5,Eve,Hart,,F,\n")
    admin = _admin(world)
    services.batch_rollback(actor=admin.user, membership=admin, batch=second)
    assert Person.objects.get(external_id="P1").family_name == "Smith"
    assert not Person.objects.filter(external_id="P5").exists()
    services.batch_rollback(actor=admin.user, membership=admin, batch=first)
    assert not Person.objects.filter(external_source=SOURCE).exists()


def test_rollback_is_refused_when_a_record_was_changed_since(world):
    batch = _load(world)
    Person.objects.filter(external_id="P2").update(family_name="Changed")
    admin = _admin(world)
    with pytest.raises(ValidationError) as refused:
        services.batch_rollback(actor=admin.user, membership=admin, batch=batch)
    assert "Row 3" in refused.value.messages[0]
    assert Person.objects.filter(external_source=SOURCE).count() == 3


def test_rollback_is_refused_after_thirty_days_and_before_a_later_import_is_undone(world):
    first = _load(world)
    _load(world, CSV.replace("Anna,Smith", "Anna,Smythe"))
    assert any("later import" in p for p in services.rollback_problems(first))
    ImportBatch.objects.filter(pk=first.pk).update(committed_at=timezone.now() - timedelta(days=31))
    first.refresh_from_db()
    assert any("30 days" in p for p in services.rollback_problems(first))


def test_only_a_partnership_admin_imports(world):
    police = world.members[Role.INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        services.batch_upload(
            actor=police.user, membership=police, kind="people", source_system="x", data=b"a\n1\n"
        )


# ------------------------------------------------------------------ bulk API service


def _bulk(world, rows, **kwargs):
    admin = _admin(world)
    return services.bulk_apply(
        actor=admin.user, membership=admin, kind="people", source_system=SOURCE, rows=rows, **kwargs
    )


def test_bulk_is_idempotent_by_external_id(world):
    rows = [
        {"external_id": "P1", "given_names": "Anna", "family_name": "Smith", "gender": "female"},
        {"external_id": "P2", "given_names": "Ben", "family_name": "Jones"},
    ]
    _, results = _bulk(world, rows)
    assert [r["result"] for r in results] == ["created", "created"]
    _, again = _bulk(world, rows)
    assert [r["result"] for r in again] == ["unchanged", "unchanged"]
    assert [r["id"] for r in again] == [r["id"] for r in results]


def test_bulk_with_one_bad_row_writes_nothing_and_names_the_row(world):
    rows = [
        {"external_id": "P1", "given_names": "Anna", "family_name": "Smith"},
        {
            "external_id": "P2",
            "given_names": "Ben",
            "family_name": "Jones",
            "date_of_birth": "1800-01-01",
        },
    ]
    with pytest.raises(services.BulkRejected) as rejected:
        _bulk(world, rows)
    assert rejected.value.rows == [
        {
            "index": 1,
            "external_id": "P2",
            "errors": {"date_of_birth": ["A date of birth before 1900 cannot be right."]},
        }
    ]
    assert not Person.objects.filter(external_source=SOURCE).exists()


def test_bulk_refuses_more_than_a_thousand_rows(world):
    with pytest.raises(ValidationError) as refused:
        _bulk(world, [{"external_id": str(n)} for n in range(1001)])
    assert "rows" in refused.value.message_dict


def test_a_nul_character_in_a_cell_is_a_row_error_not_a_crash(world):
    rows = [{"external_id": "P1", "given_names": "An\x00na", "family_name": "Smith"}]
    with pytest.raises(services.BulkRejected) as rejected:
        _bulk(world, rows)
    assert "NUL" in rejected.value.rows[0]["errors"]["given_names"][0]
