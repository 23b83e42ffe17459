"""Issue 13: criminal-justice outcomes brought in from a spreadsheet: the outcome code as in
use on the outcome's date (national lists from their real start, 2014), people and cases by
their external ids, idempotency, rollback, every refusal with nothing written, bulk API."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import CriminalJusticeOutcome, ReferenceCode
from imports import services
from imports.models import BatchStage, ImportedRecord
from tests.factories_screening import CrimeScreenEntryFactory
from tests.imports.history import SOURCE, admin, bulk, check, commit, load, rollback

pytestmark = pytest.mark.django_db

HEADER = "Outcome ID,Case ID,Person ID,Code,Date,Crime ref,Charge,Convicted,Sentence\n"
CSV = (
    HEADER
    + "O1,C1,P2,16,12/05/2016,CR/1/16,,,\n"
    + "O2,C1,P2,1,2017-03-01,CR/2/17,Stalking s.4A,Y,Community order\n"
)
COLUMNS = {
    "external_id": "Outcome ID",
    "case": "Case ID",
    "person": "Person ID",
    "outcome": "Code",
    "outcome_on": "Date",
    "crime_reference": "Crime ref",
    "charge": "Charge",
    "convicted": "Convicted",
    "sentence": "Sentence",
}


def _load(world, data=CSV, values=None):
    return load(world, "outcomes", data, columns=COLUMNS, values=values)


def _check(world, data=CSV, values=None):
    return check(world, "outcomes", data, columns=COLUMNS, values=values)


def test_dry_run_counts_and_writes_nothing(history):
    batch = _check(history)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (2, 0, 0)
    assert not CriminalJusticeOutcome.objects.exists()


def test_a_2016_outcome_with_code_16_loads_with_the_uploader_as_its_author(history):
    batch = _load(history)
    assert batch.created_n == 2
    first = CriminalJusticeOutcome.objects.get(external_source=SOURCE, external_id="O1")
    assert (first.outcome.code, first.outcome_on) == ("16", date(2016, 5, 12))
    assert first.case == history.own_case and first.person == history.perpetrator.person
    assert first.partnership == history.partnership
    assert first.created_by == admin(history).user
    assert first.convicted is None and first.charge == ""
    second = CriminalJusticeOutcome.objects.get(external_id="O2")
    assert (second.convicted, second.sentence) == (True, "Community order")
    entry = ImportedRecord.objects.get(model="cases.CriminalJusticeOutcome", object_id=first.pk)
    assert entry.batch == batch and entry.row == 2


def test_loading_again_leaves_them_unchanged_and_a_changed_row_updates(history):
    _load(history)
    again = _load(history)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    changed = _load(history, CSV.replace("Community order", "Suspended sentence"))
    assert (changed.created_n, changed.updated_n, changed.unchanged_n) == (0, 1, 1)
    assert CriminalJusticeOutcome.objects.get(external_id="O2").sentence == "Suspended sentence"
    assert CriminalJusticeOutcome.objects.count() == 2


def test_their_outcome_labels_and_yes_no_are_mapped_to_ours(history):
    data = HEADER + "O1,C1,P2,Charged,01/03/2017,,Stalking,Guilty,Fine\n"
    batch = _load(
        history,
        data,
        values={"outcome": {"Charged": "1"}, "convicted": {"Guilty": "yes"}},
    )
    assert batch.created_n == 1
    outcome = CriminalJusticeOutcome.objects.get()
    assert (outcome.outcome.code, outcome.convicted) == ("1", True)


def test_codes_are_checked_on_the_outcome_date(history):
    refused = _check(history, HEADER + "O1,C1,P2,16,31/03/2014,,,,\n")
    [error] = refused.errors
    assert error["column"] == "Code"
    assert "not in use on 31 March 2014" in error["message"]
    # A code retired since is still right for an outcome of its time.
    ReferenceCode.objects.filter(partnership=None, code_list="outcome", code="17").update(
        effective_to=date(2020, 1, 1)
    )
    assert _check(history, HEADER + "O1,C1,P2,17,01/06/2019,,,,\n").errors == []
    [error] = _check(history, HEADER + "O1,C1,P2,17,01/06/2020,,,,\n").errors
    assert "not in use on 1 June 2020" in error["message"]


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("O3,C9,P2,16,01/06/2016,,,,", "Case ID", "load the case file first"),
        ("O3,C1,P9,16,01/06/2016,,,,", "Person ID", "load the person file first"),
        ("O3,C1,P3,16,01/06/2016,,,,", "Person ID", "not a party to the case"),
        ("O3,C1,P2,99,01/06/2016,,,,", "Code", "not a code in our outcome code list"),
        ("O3,C1,P2,,01/06/2016,,,,", "Code", "Enter the outcome code"),
        ("O3,C1,P2,16,,,,,", "Date", "Enter the date of the outcome"),
        ("O3,C1,P2,16,01/06/2999,,,,", "Date", "cannot be in the future"),
        ("O3,C1,P2,16,31/02/2016,,,,", "Date", "not a date"),
        ("O3,C1,P2,16,01/06/1995,,,,", "Date", "on or after 1 January 2000"),
        ("O3,C1,P2,16,01/06/2016,,,Y,", "Charge", "Enter the charge"),
        ("O3,C1,P2,16,01/06/2016,,Stalking,N,Fine", "Sentence", "needs a conviction"),
        ("O3,C1,P2,16,01/06/2016,,Stalking,maybe,", "Convicted", "not yes or no"),
        ("O1,C1,P2,16,01/06/2016,,,,", "Outcome ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    history, line, column, text
):
    batch = _check(history, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    assert batch.stage == BatchStage.UPLOADED
    with pytest.raises(ValidationError):
        commit(history, batch)
    assert not CriminalJusticeOutcome.objects.exists()


def test_an_outcome_before_the_person_was_born_is_refused(history):
    # P2 was born on 8 July 1985: make them born in 2016, after the outcome of May 2016.
    history.perpetrator.person.__class__.objects.filter(pk=history.perpetrator.person.pk).update(
        date_of_birth=date(2016, 6, 1)
    )
    batch = _check(history)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (2, "Date")
    assert "born on 1 June 2016, after the outcome (12 May 2016)" in error["message"]


def test_rollback_removes_what_it_created_and_restores_what_it_changed(history):
    first = _load(history)
    second = _load(history, CSV.replace("Community order", "Fine") + "O3,C1,P1,15,2018-01-01,,,,\n")
    rollback(history, second)
    assert CriminalJusticeOutcome.objects.get(external_id="O2").sentence == "Community order"
    assert not CriminalJusticeOutcome.objects.filter(external_id="O3").exists()
    rollback(history, first)
    assert not CriminalJusticeOutcome.objects.exists()


def test_rollback_is_refused_when_an_outcome_was_changed_since(history):
    batch = _load(history)
    CriminalJusticeOutcome.objects.filter(external_id="O1").update(charge="Changed")
    with pytest.raises(ValidationError) as refused:
        rollback(history, batch)
    assert "Row 2" in refused.value.messages[0]
    assert CriminalJusticeOutcome.objects.count() == 2


def test_bulk_service_is_idempotent_and_all_or_nothing(history):
    rows = [
        {"external_id": "O1", "case": "C1", "person": "P2", "outcome": "16",
         "outcome_on": "2016-05-12"},
    ]  # fmt: skip
    _, results = bulk(history, "outcomes", rows)
    assert [r["result"] for r in results] == ["created"]
    _, again = bulk(history, "outcomes", rows)
    assert [r["result"] for r in again] == ["unchanged"]
    bad = [*rows, {"external_id": "O2", "case": "C1", "person": "P3", "outcome": "16",
                   "outcome_on": "2016-05-12"}]  # fmt: skip
    with pytest.raises(services.BulkRejected) as rejected:
        bulk(history, "outcomes", bad)
    assert rejected.value.rows[0]["errors"] == {
        "person": ["The person is not a party to the case: load the cases file first."]
    }
    assert CriminalJusticeOutcome.objects.count() == 1


def test_bulk_api_then_the_outcome_api_shows_the_external_id(history, login):
    client = APIClient()
    login(admin(history), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "outcomes"})
    body = {
        "source_system": SOURCE,
        "rows": [
            {
                "external_id": "O1",
                "case": "C1",
                "person": "P2",
                "outcome": "16",
                "outcome_on": "12/05/2016",
            }
        ],
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    body["rows"][0]["outcome_on"] = "2013-05-12"
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["rows"][0]["errors"]) == ["outcome"]
    police = APIClient()
    login(history.members[Role.INVESTIGATOR], police)
    listed = police.get(
        reverse("api:case-outcome-list", kwargs={"case_pk": history.own_case.pk})
    ).json()
    assert (listed[0]["external_source"], listed[0]["external_id"]) == (SOURCE, "O1")


def test_an_outcome_dated_before_its_crime_was_recorded_is_refused(history):
    CrimeScreenEntryFactory(
        partnership=history.partnership, crime_reference="CR/2/17", recorded_on=date(2017, 6, 1)
    )
    batch = _check(history)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (3, "Date")
    assert "before its crime was recorded (1 June 2017)" in error["message"]
    assert not CriminalJusticeOutcome.objects.exists()
