"""Issue 13: bringing past crimes in (crime-screen entries with their disposals): codes at
the crime's and the disposal's dates, links to cases loaded first, one entry per crime
reference, idempotency by external id, rollback, the bulk API, and history kept out of
today's screening worklist."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import Case, CodeList, CrimeScreenEntry, ImportStatus, ReferenceCode
from cases.selectors.screening import unscreened_count
from cases.services import screening as screening_services
from imports import services
from imports.models import BatchStage, ImportedRecord
from tests.factories_record import local_code
from tests.factories_screening import CrimeScreenEntryFactory, csv_bytes, csv_row

pytestmark = pytest.mark.django_db

SOURCE = "Northshire SPS sheet"
HEADER = "Crime ID,Crime ref,Recorded,Offence,Summary,DA,Area,Outcome,Outcome date,Case\n"
CSV = HEADER + (
    "K1,NS/1/20,2020-05-01,008/65,Followed to work,Y,Riverside,16,2020-09-01,C1\n"
    "K2,NS/2/21,03/02/2021,8L,Messages,N,Docks,,,\n"
)
COLUMNS = {
    "external_id": "Crime ID",
    "crime_reference": "Crime ref",
    "recorded_on": "Recorded",
    "offence": "Offence",
    "summary": "Summary",
    "domestic_abuse": "DA",
    "location_area": "Area",
    "disposal": "Outcome",
    "disposal_on": "Outcome date",
    "case": "Case",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def case_c1(world):
    Case.objects.filter(pk=world.own_case.pk).update(external_source=SOURCE, external_id="C1")
    return world.own_case


def _admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def _code(code_list, code):
    return ReferenceCode.objects.get(code_list=code_list, code=code, partnership__isnull=True)


def _checked(world, data=CSV, values=None):
    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="crimes",
        source_system=SOURCE,
        data=data.encode(),
        name="crimes.csv",
    )
    batch = services.batch_map(
        actor=admin.user, membership=admin, batch=batch, columns=COLUMNS, values=values or {}
    )
    return services.batch_check(actor=admin.user, membership=admin, batch=batch)


def _commit(world, batch):
    admin = _admin(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    batch.refresh_from_db()
    return batch


def _load(world, data=CSV, values=None):
    batch = _checked(world, data, values)
    assert batch.errors == []
    return _commit(world, batch)


def test_columns_are_guessed_from_our_field_names(world):
    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="crimes",
        source_system=SOURCE,
        data=b"external_id,crime_reference,recorded_on,offence,disposal,disposal_on,case\n"
        b"K1,R1,2020-01-01,8L,,,\n",
        name="crimes.csv",
    )
    assert set(batch.columns) == {
        "external_id",
        "crime_reference",
        "recorded_on",
        "offence",
        "disposal",
        "disposal_on",
        "case",
    }


def test_dry_run_counts_and_writes_nothing(world):
    batch = _checked(world)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (2, 0, 0)
    assert not CrimeScreenEntry.objects.exists()


def test_commit_creates_entries_with_disposal_and_case_screened_on_their_date(world, case_c1):
    batch = _load(world)
    assert batch.created_n == 2
    first = CrimeScreenEntry.objects.get(external_source=SOURCE, external_id="K1")
    assert first.crime_reference == "NS/1/20" and first.recorded_on == date(2020, 5, 1)
    assert first.offence == _code(CodeList.OFFENCE, "008/65")
    assert first.source_offence == first.offence and not first.reclassified
    assert first.disposal == _code(CodeList.OUTCOME, "16")
    assert first.disposal_on == date(2020, 9, 1)
    assert first.case_id == case_c1.pk and first.domestic_abuse is True
    # History is not today's work: screened on the day it was recorded.
    assert timezone.localtime(first.screened_at).date() == date(2020, 5, 1)
    second = CrimeScreenEntry.objects.get(external_id="K2")
    assert second.disposal is None and second.case is None and second.domestic_abuse is False
    assert unscreened_count(world.members[Role.INVESTIGATOR]) == 0
    assert ImportedRecord.objects.filter(batch=batch, model="cases.CrimeScreenEntry").count() == 2


def test_loading_again_creates_nothing_and_a_disposal_added_later_updates(world):
    _load(world)
    again = _load(world)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    finalised = CSV.replace("Docks,,,", "Docks,1,2021-06-01,")
    third = _load(world, finalised)
    assert (third.created_n, third.updated_n, third.unchanged_n) == (0, 1, 1)
    entry = CrimeScreenEntry.objects.get(external_id="K2")
    assert entry.disposal == _code(CodeList.OUTCOME, "1") and entry.disposal_on == date(2021, 6, 1)
    assert CrimeScreenEntry.objects.count() == 2


def test_the_daily_police_import_finds_a_migrated_crime_unchanged(world):
    day = timezone.localdate() - timedelta(days=1)
    row = csv_row(1, recorded_date=day.isoformat())
    data = (
        "external_id,crime_reference,recorded_on,offence,offence_description,summary,"
        "domestic_abuse,officer_in_charge,suspect_name,victim_name,location_area\n"
        f"K9,{row['crime_reference']},{day.isoformat()},8L,{row['offence_description']},"
        f"{row['summary']},Y,{row['officer_in_charge']},{row['suspect_name']},"
        f"{row['victim_name']},{row['location_area']}\n"
    )
    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="crimes",
        source_system=SOURCE,
        data=data.encode(),
        name="crimes.csv",
    )
    batch = services.batch_check(actor=admin.user, membership=admin, batch=batch)
    assert batch.errors == []
    _commit(world, batch)
    blanks = dict.fromkeys(
        (
            "suspect_date_of_birth",
            "suspect_gender",
            "victim_date_of_birth",
            "victim_gender",
            "stalking_start_date",
            "stalking_end_date",
        ),
        "",
    )
    police = world.members[Role.INVESTIGATOR]
    run = screening_services.import_start(
        actor=police.user, membership=police, data=csv_bytes([{**row, **blanks}])
    )
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert (run.new_count, run.updated_count, run.unchanged_count) == (0, 0, 1)


def test_their_outcome_labels_are_mapped_to_home_office_codes(world):
    data = CSV.replace(",16,", ",Vic withdrew,")
    batch = _checked(world, data, values={"disposal": {"Vic withdrew": "16"}})
    assert batch.errors == []
    _commit(world, batch)
    assert CrimeScreenEntry.objects.get(external_id="K1").disposal.code == "16"


def test_codes_are_checked_at_the_crime_and_the_disposal_dates(world):
    # Breach of an SPO is an offence only since 2019: a crime of 2018 cannot carry it (the
    # stalking offences date from 2012). A local code retired in 2019 still dates a crime
    # of 2018.
    assert _checked(world, HEADER + "K3,NS/3/18,2018-03-01,008/65,,N,,,,\n").errors == []
    old = HEADER + "K3,NS/3/18,2018-03-01,BSPO,,N,,,,\n"
    [error] = _checked(world, old).errors
    assert (error["row"], error["column"]) == (2, "Offence")
    assert "not in use on 1 March 2018" in error["message"]
    retired = local_code(
        world.partnership,
        CodeList.OFFENCE,
        code="HAR",
        effective_from=date(2010, 1, 1),
        effective_to=date(2019, 4, 1),
    )
    local_code(
        world.partnership,
        CodeList.OUTCOME,
        code="L9",
        effective_from=date(2010, 1, 1),
        effective_to=date(2019, 4, 1),
    )
    ok = HEADER + "K3,NS/3/18,2018-03-01,HAR,,N,,L9,2018-05-01,\n"
    _load(world, ok)
    assert CrimeScreenEntry.objects.get(external_id="K3").offence == retired
    # The disposal's own date decides: L9 retired before a disposal of 2020.
    late = HEADER + "K4,NS/4/18,2018-03-01,HAR,,N,,L9,2020-01-01,\n"
    [error] = _checked(world, late).errors
    assert error["column"] == "Outcome" and "not in use on 1 January 2020" in error["message"]


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("K3,NS/3/21,2021-01-01,8L,,N,,16,,", "Outcome date", "Enter the date of the disposal"),
        ("K3,NS/3/21,2021-01-01,8L,,N,,,2021-02-01,", "Outcome", "Enter the disposal code"),
        ("K3,NS/3/21,2021-01-01,8L,,N,,16,2020-12-01,", "Outcome date", "cannot be before"),
        ("K3,NS/3/21,2999-01-01,8L,,N,,,,", "Recorded", "future"),
        ("K3,NS/3/21,2021-01-01,ZZZ,,N,,,,", "Offence", "not a code"),
        ("K3,NS/3/21,2021-01-01,8L,,maybe,,,,", "DA", "not yes or no"),
        ("K3,NS/3/21,2021-01-01,8L,,N,,,,C404", "Case", "load the case file first"),
        ("K3,,2021-01-01,8L,,N,,,,", "Crime ref", "Enter the crime reference"),
        ("K3,NS/1/20,2021-01-01,8L,,N,,,,", "Crime ref", "also on row 2"),
        ("K1,NS/3/21,2021-01-01,8L,,N,,,,", "Crime ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    world, line, column, text
):
    batch = _checked(world, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    admin = _admin(world)
    with pytest.raises(ValidationError):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    assert not CrimeScreenEntry.objects.exists()


def test_a_date_before_2000_is_a_typing_slip(world):
    local_code(world.partnership, CodeList.OFFENCE, code="OLD", effective_from=date(1990, 1, 1))
    [error] = _checked(world, HEADER + "K3,NS/3/99,1999-01-01,OLD,,N,,,,\n").errors
    assert error["column"] == "Recorded" and "on or after 1 January 2000" in error["message"]


def test_a_crime_already_on_the_screen_is_refused_not_duplicated(world):
    CrimeScreenEntryFactory(partnership=world.partnership, crime_reference="NS/2/21")
    batch = _checked(world)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (3, "Crime ref")
    assert "already on the crime screen" in error["message"]
    assert CrimeScreenEntry.objects.count() == 1


def test_rollback_removes_created_and_restores_changed_entries(world):
    first = _load(world)
    original_hash = CrimeScreenEntry.objects.get(external_id="K2").row_hash
    second = _load(world, CSV.replace("Messages", "Texts"))
    assert CrimeScreenEntry.objects.get(external_id="K2").row_hash != original_hash
    admin = _admin(world)
    services.batch_rollback(actor=admin.user, membership=admin, batch=second)
    entry = CrimeScreenEntry.objects.get(external_id="K2")
    # Put back whole: the hash the daily import compares with is the original's again.
    assert entry.summary == "Messages" and entry.row_hash == original_hash
    services.batch_rollback(actor=admin.user, membership=admin, batch=first)
    assert not CrimeScreenEntry.objects.exists()


def test_bulk_api_for_crimes(world, login):
    client = APIClient()
    login(_admin(world), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "crimes"})
    row = {
        "external_id": "K1",
        "crime_reference": "NS/1/20",
        "recorded_on": "2020-05-01",
        "offence": "008/65",
        "disposal": "16",
        "disposal_on": "2020-09-01",
        "case": "C1",
    }
    body = {"source_system": SOURCE, "rows": [row]}
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    assert client.post(url, body, format="json").json()["unchanged"] == 1
    bad = client.post(
        url, {"source_system": SOURCE, "rows": [{**row, "disposal_on": ""}]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["rows"][0]["errors"] == {"disposal_on": ["Enter the date of the disposal."]}
    assert CrimeScreenEntry.objects.count() == 1


def test_a_reload_never_overwrites_an_accepted_reclassification(world):
    _load(world)
    entry = CrimeScreenEntry.objects.get(external_id="K2")
    reclassified = _code(CodeList.OFFENCE, "008/65")
    CrimeScreenEntry.objects.filter(pk=entry.pk).update(offence=reclassified)
    again = _load(world)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    entry.refresh_from_db()
    assert entry.offence == reclassified and entry.source_offence.code == "8L"
    # The police system's code changes: it is kept as the source code, the working code stays.
    changed = _load(world, CSV.replace(",8L,", ",8M,"))
    assert changed.updated_n == 1
    entry.refresh_from_db()
    assert entry.offence == reclassified and entry.source_offence.code == "8M"
