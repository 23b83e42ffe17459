"""Issue 13: referrals brought in from a spreadsheet: the source as in use on the day
received, the referring agency among the partnership's (their names mapped to ours), people
born after the referral refused, historic decisions with their dates, idempotency by
external id, rollback, every refusal with nothing written, and the bulk API."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import CodeList, Person, Referral, ReferralStatus
from cases.selectors.referrals import referral_history
from imports import services
from imports.models import BatchStage, ImportBatch, ImportedRecord
from tests.factories_record import local_code
from tests.imports.history import SOURCE, admin, check, commit, load, rollback, upload

pytestmark = pytest.mark.django_db

HEADER = "Ref ID,Received,Source,Agency,Reason,Case,Perp,Victim,Decision,Decided,Why\n"
CSV = (
    HEADER
    + "F1,01/03/2016,police,Police,Letters and calls,C1,P2,P1,accepted,10/03/2016,\n"
    + "F2,2016-04-02,health,Health,Seen outside the ward,,,,,,\n"
    + "F3,2017-05-06,marac,police agency,Ex-partner,,P2,,declined,2017-05-20,Not stalking\n"
)
COLUMNS = {
    "external_id": "Ref ID",
    "received_on": "Received",
    "source": "Source",
    "referring_agency": "Agency",
    "reason": "Reason",
    "case": "Case",
    "perpetrator": "Perp",
    "victim": "Victim",
    "decision": "Decision",
    "decided_on": "Decided",
    "decision_reason": "Why",
}


def _values(world):
    agencies = world.agencies
    return {
        "referring_agency": {
            "Police": str(agencies["police"].pk),
            "Health": str(agencies["health"].pk),
        }
    }


def _load(world, data=CSV):
    return load(world, "referrals", data, columns=COLUMNS, values=_values(world))


def _check(world, data=CSV):
    return check(world, "referrals", data, columns=COLUMNS, values=_values(world))


def test_dry_run_counts_and_writes_nothing(history):
    batch = _check(history)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (3, 0, 0)
    assert not Referral.objects.filter(external_source=SOURCE).exists()


def test_commit_creates_historic_referrals_with_their_decisions(history):
    batch = _load(history)
    assert batch.created_n == 3
    accepted = Referral.objects.get(external_source=SOURCE, external_id="F1")
    assert accepted.partnership == history.partnership
    assert accepted.referring_agency == history.agencies["police"]
    assert (accepted.source.code, accepted.received_on) == ("police", date(2016, 3, 1))
    assert accepted.case == history.own_case
    assert accepted.perpetrator == history.perpetrator.person
    assert accepted.victim == history.victim.person
    assert accepted.status == ReferralStatus.ACCEPTED
    assert timezone.localtime(accepted.decided_at).date() == date(2016, 3, 10)
    assert accepted.screened_at == accepted.decided_at  # screened by then at the latest
    assert accepted.created_by == accepted.decided_by == admin(history).user
    # Its history reads as any referral's (who decided, when).
    assert [item.label for item in referral_history(accepted)][-1] == "Accepted"
    open_one = Referral.objects.get(external_id="F2")
    assert open_one.status == ReferralStatus.RECEIVED
    assert open_one.decided_at is None and open_one.screened_at is None
    # The agency was named by its name, read without a mapping.
    declined = Referral.objects.get(external_id="F3")
    assert declined.referring_agency == history.agencies["police"]
    assert (declined.decision, declined.decision_reason) == ("declined", "Not stalking")
    assert ImportedRecord.objects.filter(batch=batch, model="cases.Referral").count() == 3


def test_loading_again_is_unchanged_and_a_changed_decision_updates(history):
    _load(history)
    again = _load(history)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 3)
    changed = _load(history, CSV.replace("10/03/2016", "11/03/2016"))
    assert (changed.updated_n, changed.unchanged_n) == (1, 2)
    accepted = Referral.objects.get(external_id="F1")
    assert timezone.localtime(accepted.decided_at).date() == date(2016, 3, 11)
    assert Referral.objects.filter(external_source=SOURCE).count() == 3


def test_sources_are_checked_on_the_day_received(history):
    local_code(
        history.partnership,
        CodeList.REFERRAL_SOURCE,
        code="clinic",
        effective_from=date(2017, 1, 1),
    )
    late = HEADER + "F4,2017-02-01,clinic,Health,Seen at clinic,,,,,,\n"
    assert _check(history, late).errors == []
    early = HEADER + "F4,2016-12-31,clinic,Health,Seen at clinic,,,,,,\n"
    [error] = _check(history, early).errors
    assert error["column"] == "Source" and "not in use on 31 December 2016" in error["message"]


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("F4,01/03/2016,police,Probation,Calls,,,,,,", "Agency", "not one of our values"),
        ("F4,01/03/2016,nosuch,Police,Calls,,,,,,", "Source", "not a code"),
        ("F4,01/03/2016,police,Police,,,,,,,", "Reason", "Enter the reason"),
        ("F4,,police,Police,Calls,,,,,,", "Received", "Enter the date received"),
        ("F4,01/03/1999,police,Police,Calls,,,,,,", "Received", "1 January 2000"),
        ("F4,01/03/2999,police,Police,Calls,,,,,,", "Received", "future"),
        ("F4,01/03/2016,police,Police,Calls,C9,,,,,", "Case", "load the case file first"),
        ("F4,01/03/2016,police,Police,Calls,,P9,,,,", "Perp", "load the person file first"),
        ("F4,01/03/2009,police,Police,Calls,,P3,,,,", "Perp", "born on 1 January 2010"),
        ("F4,01/03/2009,police,Police,Calls,,,P3,,,", "Victim", "after the referral"),
        ("F4,01/03/2016,police,Police,Calls,,,,maybe,01/04/2016,", "Decision", "our values"),
        ("F4,01/03/2016,police,Police,Calls,C1,,,accepted,,", "Decided", "date the decision"),
        ("F4,01/03/2016,police,Police,Calls,,,,,01/04/2016,", "Decision", "Give the decision"),
        ("F4,01/03/2016,police,Police,Calls,C1,,,accepted,01/02/2016,", "Decided", "before"),
        ("F4,01/03/2016,police,Police,Calls,,,,declined,01/04/2016,", "Why", "Give the reason"),
        ("F4,01/03/2016,police,Police,Calls,,,,withdrawn,01/04/2016,", "Why", "the reason"),
        ("F4,01/03/2016,police,Police,Calls,,,,accepted,01/04/2016,", "Case", "joins a case"),
        ("F1,01/03/2016,police,Police,Calls,,,,,,", "Ref ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    history, line, column, text
):
    batch = _check(history, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (5, column)
    assert text in error["message"]
    with pytest.raises(ValidationError):
        commit(history, batch)
    assert not Referral.objects.filter(external_source=SOURCE).exists()


def test_a_person_born_after_the_referral_is_refused_on_their_column(history):
    Person.objects.filter(pk=history.victim.person.pk).update(date_of_birth=date(2016, 6, 1))
    batch = _check(history)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (2, "Victim")
    assert "born on 1 June 2016, after the referral (1 March 2016)" in error["message"]


def test_rollback_removes_what_it_created_and_restores_what_it_changed(history):
    first = _load(history)
    second = _load(
        history,
        CSV.replace("Seen outside the ward,,,,,,", "Seen on the ward,,,,declined,2016-05-01,No")
        + "F5,2018-01-01,police,Police,New,,,,,,\n",
    )
    assert Referral.objects.get(external_id="F2").status == ReferralStatus.DECLINED
    rollback(history, second)
    reverted = Referral.objects.get(external_id="F2")
    assert (reverted.reason, reverted.decision) == ("Seen outside the ward", "")
    assert reverted.decided_at is None and reverted.screened_at is None
    assert reverted.decided_by is None and reverted.screened_by is None
    assert not Referral.objects.filter(external_id="F5").exists()
    rollback(history, first)
    assert not Referral.objects.filter(external_source=SOURCE).exists()


def test_rollback_is_refused_once_a_referral_was_screened_here(history):
    batch = _load(history)
    Referral.objects.filter(external_id="F2").update(screened_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        rollback(history, batch)
    assert "Row 3" in refused.value.messages[0]
    assert Referral.objects.filter(external_source=SOURCE).count() == 3


def test_bulk_api_creates_then_reports_unchanged_and_refuses_bad_rows(history, login):
    client = APIClient()
    login(admin(history), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "referrals"})
    row = {
        "external_id": "F1",
        "received_on": "2016-03-01",
        "source": "police",
        "referring_agency": history.agencies["police"].pk,
        "reason": "Letters",
        "case": "C1",
        "decision": "accepted",
        "decided_on": "2016-03-10",
    }
    body = {"source_system": SOURCE, "rows": [row]}
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.json()
    again = client.post(url, body, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    bad = {**row, "external_id": "F2", "decided_on": ""}
    response = client.post(url, {"source_system": SOURCE, "rows": [row, bad]}, format="json")
    assert response.status_code == 400
    assert response.json()["rows"] == [
        {
            "index": 1,
            "external_id": "F2",
            "errors": {"decided_on": ["Give the date the decision was made."]},
        }
    ]
    assert Referral.objects.filter(external_source=SOURCE).count() == 1
    referrer = APIClient()
    login(history.members[Role.INVESTIGATOR], referrer)
    listed = referrer.get(
        reverse("api:referral-list"), {"external_source": SOURCE, "external_id": "F1"}
    ).json()
    assert [item["external_id"] for item in listed["results"]] == ["F1"]


def test_the_mapping_page_offers_the_partnership_agencies_for_their_names(history, client, login):
    login(admin(history))
    data = HEADER + "F1,01/03/2016,police,Constabulary,Letters,,,,,,\n"
    client.post(
        reverse("imports:new"),
        {
            "kind": "referrals",
            "source_system": SOURCE,
            "file": SimpleUploadedFile("referrals.csv", data.encode(), content_type="text/csv"),
        },
    )
    batch = ImportBatch.objects.get()
    html = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "“Constabulary” means" in html and "police agency" in html
    assert "Southmoor police" not in html  # another partnership's agency
    post = {f"column__{field}": header for field, header in COLUMNS.items()}
    post.update({"value__referring_agency__0": history.agencies["police"].pk, "check": "1"})
    response = client.post(reverse("imports:detail", args=[batch.pk]), post)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.errors, batch.created_n) == ([], 1)


def test_checking_many_rows_costs_a_few_queries_not_some_per_row(
    history, django_assert_max_num_queries
):
    rows = "".join(
        f"F{n},01/03/2016,police,Police,Calls,C1,P2,P1,accepted,10/03/2016,\n" for n in range(200)
    )
    batch = upload(history, "referrals", HEADER + rows)
    member = admin(history)
    services.batch_map(
        actor=member.user,
        membership=member,
        batch=batch,
        columns=COLUMNS,
        values=_values(history),
    )
    with django_assert_max_num_queries(30):
        services.batch_check(actor=member.user, membership=member, batch=batch)
    batch.refresh_from_db()
    assert (batch.errors, batch.created_n) == ([], 200)
