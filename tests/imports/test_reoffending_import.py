"""Issue 13: re-offending events brought in from a spreadsheet: a perpetrator on the case,
dated from the case's opening or first referral, their labels mapped to ours, idempotent by
external id, rolled back, every refusal with nothing written, and the bulk API."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import Person, ReoffendingEvent, ReoffendingSource, ReoffendingVictim
from imports.models import BatchStage, ImportedRecord
from tests.factories import make_referral
from tests.imports.history import SOURCE, admin, check, commit, load, rollback

pytestmark = pytest.mark.django_db

HEADER = "Event,Case,Perp,Date,Victim,Source,Crime ref,Note\n"
CSV = (
    HEADER
    + "R1,C1,P2,03/02/2016,same,police_report,CR/9/16,Sent letters again\n"
    + "R2,C1,P2,2017-08-09,new,probation,,\n"
)
COLUMNS = {
    "external_id": "Event",
    "case": "Case",
    "perpetrator": "Perp",
    "occurred_on": "Date",
    "victim": "Victim",
    "source": "Source",
    "crime_reference": "Crime ref",
    "note": "Note",
}


def _load(world, data=CSV, values=None):
    return load(world, "reoffending", data, columns=COLUMNS, values=values)


def _check(world, data=CSV, values=None):
    return check(world, "reoffending", data, columns=COLUMNS, values=values)


def test_dry_run_then_commit_creates_them_with_the_uploader_as_author(history):
    checked = _check(history)
    assert (checked.created_n, checked.errors) == (2, [])
    assert not ReoffendingEvent.objects.exists()
    batch = commit(history, checked)
    assert batch.stage == BatchStage.COMMITTED
    event = ReoffendingEvent.objects.get(external_source=SOURCE, external_id="R1")
    assert (event.occurred_on, event.victim, event.source) == (
        date(2016, 2, 3),
        ReoffendingVictim.SAME,
        ReoffendingSource.POLICE_REPORT,
    )
    assert event.perpetrator == history.perpetrator.person and event.case == history.own_case
    assert event.partnership == history.partnership
    assert event.created_by == admin(history).user
    assert ImportedRecord.objects.filter(batch=batch, model="cases.ReoffendingEvent").count() == 2


def test_loading_again_is_unchanged_and_a_changed_row_updates(history):
    _load(history)
    again = _load(history)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    changed = _load(history, CSV.replace("new,probation", "new,health"))
    assert (changed.updated_n, changed.unchanged_n) == (1, 1)
    assert ReoffendingEvent.objects.get(external_id="R2").source == ReoffendingSource.HEALTH
    assert ReoffendingEvent.objects.count() == 2


def test_their_words_are_mapped_to_our_values(history):
    data = HEADER + "R1,C1,P2,03/02/2016,Persistence,Police,,\n"
    _load(
        history,
        data,
        values={"victim": {"Persistence": "same"}, "source": {"Police": "police_report"}},
    )
    event = ReoffendingEvent.objects.get()
    assert (event.victim, event.source) == ("same", "police_report")


def test_our_labels_are_read_without_a_mapping(history):
    _load(history, HEADER + "R1,C1,P2,03/02/2016,New victim (recurrence),Advocate,,\n")
    assert ReoffendingEvent.objects.get().victim == ReoffendingVictim.NEW


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("R3,C9,P2,03/02/2016,same,police_report,,", "Case", "load the case file first"),
        ("R3,C1,P9,03/02/2016,same,police_report,,", "Perp", "load the person file first"),
        ("R3,C1,P1,03/02/2016,same,police_report,,", "Perp", "not a perpetrator on the case"),
        ("R3,C1,P2,03/01/2015,same,police_report,,", "Date", "counted from 5 January 2015"),
        ("R3,C1,P2,03/01/1999,same,police_report,,", "Date", "on or after 1 January 2000"),
        ("R3,C1,P2,03/01/2999,same,police_report,,", "Date", "cannot be in the future"),
        ("R3,C1,P2,,same,police_report,,", "Date", "Enter the date of the re-offence"),
        ("R3,C1,P2,03/02/2016,maybe,police_report,,", "Victim", "not one of our values"),
        ("R3,C1,P2,03/02/2016,same,,,", "Source", "Enter the source (where it was learnt)"),
        ("R3,C1,P2,03/02/2016,same,gossip,,", "Source", "not one of our values"),
        ("R3,C1,P2,03/02/2016,same,police_report," + "x" * 41 + ",", "Crime ref", "40"),
        ("R1,C1,P2,03/02/2016,same,police_report,,", "Event", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    history, line, column, text
):
    batch = _check(history, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    with pytest.raises(ValidationError):
        commit(history, batch)
    assert not ReoffendingEvent.objects.exists()


def test_an_earlier_first_referral_moves_the_anchor_back(history):
    line = "R3,C1,P2,03/01/2015,same,police_report,,\n"
    assert _check(history, CSV + line).errors
    make_referral(
        history.members[Role.INVESTIGATOR], case=history.own_case, received_on=date(2014, 12, 1)
    )
    assert _check(history, CSV + line).errors == []


def test_a_re_offence_before_the_perpetrator_was_born_is_refused(history):
    Person.objects.filter(pk=history.perpetrator.person.pk).update(date_of_birth=date(2017, 1, 1))
    batch = _check(history)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "Date")]
    assert "born on 1 January 2017" in batch.errors[0]["message"]


def test_rollback_removes_what_it_created_and_restores_what_it_changed(history):
    first = _load(history)
    second = _load(
        history,
        CSV.replace("Sent letters again", "Letters") + "R3,C1,P2,2018-01-01,new,advocate,,\n",
    )
    rollback(history, second)
    assert ReoffendingEvent.objects.get(external_id="R1").note == "Sent letters again"
    assert not ReoffendingEvent.objects.filter(external_id="R3").exists()
    rollback(history, first)
    assert not ReoffendingEvent.objects.exists()


def test_bulk_api_creates_then_reports_unchanged_and_refuses_bad_rows(history, login):
    client = APIClient()
    login(admin(history), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "reoffending"})
    row = {
        "external_id": "R1",
        "case": "C1",
        "perpetrator": "P2",
        "occurred_on": "2016-02-03",
        "victim": "same",
        "source": "police_report",
    }
    body = {"source_system": SOURCE, "rows": [row]}
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.json()
    again = client.post(url, body, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    bad = client.post(
        url, {"source_system": SOURCE, "rows": [{**row, "external_id": "R2", "victim": ""}]},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["rows"] == [
        {"index": 0, "external_id": "R2", "errors": {"victim": ["Enter the victim (same or new)."]}}
    ]
    assert ReoffendingEvent.objects.count() == 1
    police = APIClient()
    login(history.members[Role.INVESTIGATOR], police)
    listed = police.get(
        reverse("api:case-reoffending-list", kwargs={"case_pk": history.own_case.pk})
    ).json()
    assert (listed[0]["external_source"], listed[0]["external_id"]) == (SOURCE, "R1")
