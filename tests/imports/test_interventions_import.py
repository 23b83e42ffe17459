"""Issue 13: intervention enrolments brought in from a spreadsheet: the person's party on the
case as the programme is for, programmes by code or name (national and local), the provider
among the partnership's health agencies, idempotency, every refusal with nothing written,
rollback, bulk service, and the clinical compartment kept to the provider agency."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import AgencyKind, Role
from cases.services import core as case_services
from imports import services
from imports.models import BatchStage, ImportedRecord
from interventions.models import Enrolment, EnrolmentStatus, Programme, Session
from interventions.selectors.enrolments import enrolments_visible_to
from tests.factories import AgencyFactory, MembershipFactory
from tests.imports.history import SOURCE, admin, bulk, check, commit, load, rollback

pytestmark = pytest.mark.django_db

HEADER = ",".join(
    ["Enrolment ID", "Case ID", "Person ID", "Programme", "Provider", "Referred", "Pathway",
     "Planned", "Consent", "Left", "Why"]
) + "\n"  # fmt: skip
CSV = (
    HEADER
    + "E1,C1,P2,fact,health agency,12/05/2016,voluntary,5,01/06/2016,,\n"
    + "E2,C1,P2,fACT (Focussed Acceptance and Commitment Therapy),health agency,2017-03-01,"
    + "Licence condition,,,2017-04-02,moved\n"
)
COLUMNS = {
    "external_id": "Enrolment ID",
    "case": "Case ID",
    "person": "Person ID",
    "programme": "Programme",
    "provider_agency": "Provider",
    "referred_on": "Referred",
    "pathway": "Pathway",
    "planned_sessions": "Planned",
    "consent_signed_on": "Consent",
    "withdrawn_on": "Left",
    "withdrawal_reason": "Why",
}


@pytest.fixture
def enrolled(history):
    """The history, with case C1 shared with the health agency (as the provider needs)."""
    member = history.members[Role.INVESTIGATOR]
    case_services.case_share(
        actor=member.user,
        membership=member,
        case=history.own_case,
        agency=history.agencies["health"],
        reason="Test",
    )
    return history


def _load(world, data=CSV, values=None):
    return load(world, "interventions", data, columns=COLUMNS, values=values)


def _check(world, data=CSV, values=None):
    return check(world, "interventions", data, columns=COLUMNS, values=values)


def _local(world, **fields):
    return Programme.objects.create(
        **{
            "partnership": world.partnership,
            "code": "victim-support",
            "name": "Victim support",
            "recipient": "victim",
            "delivery": "direct",
            "kind": "health_intervention",
            "sessions_min": 1,
            "sessions_max": 3,
            **fields,
        },
    )


def test_dry_run_counts_and_writes_nothing(enrolled):
    batch = _check(enrolled)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (2, 0, 0)
    assert not Enrolment.objects.exists()


def test_enrolments_load_on_the_persons_party_with_the_uploader_as_author(enrolled):
    batch = _load(enrolled)
    assert batch.created_n == 2
    first = Enrolment.objects.get(external_source=SOURCE, external_id="E1")
    assert first.party == enrolled.perpetrator and first.case == enrolled.own_case
    assert first.programme.code == "fact" and first.provider_agency == enrolled.agencies["health"]
    assert (first.referred_on, first.consent_signed_on) == (date(2016, 5, 12), date(2016, 6, 1))
    assert (first.pathway, first.planned_sessions) == ("voluntary", 5)
    assert first.partnership == enrolled.partnership
    assert first.created_by == admin(enrolled).user
    assert first.status == EnrolmentStatus.ACTIVE
    second = Enrolment.objects.get(external_id="E2")
    # No planned number: the programme's most, as when referred here.
    assert (second.pathway, second.planned_sessions) == ("licence_condition", 6)
    assert (second.withdrawn_on, second.withdrawal_reason) == (date(2017, 4, 2), "moved")
    assert second.status == EnrolmentStatus.DROPPED_OUT
    # Sessions are not loaded.
    assert not Session.objects.exists()
    entry = ImportedRecord.objects.get(model="interventions.Enrolment", object_id=first.pk)
    assert entry.batch == batch and entry.row == 2


def test_loading_again_leaves_them_unchanged_and_a_changed_row_updates(enrolled):
    _load(enrolled)
    again = _load(enrolled)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    changed = _load(enrolled, CSV.replace(",5,01/06/2016", ",4,01/06/2016"))
    assert (changed.created_n, changed.updated_n, changed.unchanged_n) == (0, 1, 1)
    assert Enrolment.objects.get(external_id="E1").planned_sessions == 4
    assert Enrolment.objects.count() == 2


def test_a_victim_programme_of_the_partnership_enrols_the_victim_by_mapped_values(enrolled):
    programme = _local(enrolled)
    data = HEADER + "E1,C1,P1,VS,NHS Trust,2016-05-12,SPO,2,,2016-07-01,Gone away\n"
    batch = _load(
        enrolled,
        data,
        values={
            "programme": {"VS": str(programme.pk)},
            "provider_agency": {"NHS Trust": str(enrolled.agencies["health"].pk)},
            "pathway": {"SPO": "spo_requirement"},
            "withdrawal_reason": {"Gone away": "moved"},
        },
    )
    assert batch.created_n == 1
    enrolment = Enrolment.objects.get()
    assert (enrolment.programme, enrolment.party) == (programme, enrolled.victim)
    assert (enrolment.pathway, enrolment.withdrawal_reason) == ("spo_requirement", "moved")


def test_a_local_programme_is_found_by_its_name_or_code(enrolled):
    programme = _local(enrolled)
    for text in ("Victim support", "VICTIM-SUPPORT"):
        data = HEADER + f"E1,C1,P1,{text},health agency,2016-05-12,,,,,\n"
        batch = _check(enrolled, data)
        assert batch.errors == []
    _load(enrolled, HEADER + "E1,C1,P1,victim-support,health agency,2016-05-12,,,,,\n")
    assert Enrolment.objects.get().programme == programme


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("E3,C9,P2,fact,health agency,2016-05-12,,,,,", "Case ID", "load the case file first"),
        ("E3,C1,P9,fact,health agency,2016-05-12,,,,,", "Person ID", "load the person file"),
        ("E3,C1,P3,fact,health agency,2016-05-12,,,,,", "Person ID", "not the case's perpetrator"),
        ("E3,C1,P1,fact,health agency,2016-05-12,,,,,", "Person ID", "is for perpetrators"),
        ("E3,C1,P2,nope,health agency,2016-05-12,,,,,", "Programme", "not one of our values"),
        ("E3,C1,P2,,health agency,2016-05-12,,,,,", "Programme", "Enter the programme"),
        ("E3,C1,P2,fact,police agency,2016-05-12,,,,,", "Provider", "not one of our values"),
        ("E3,C1,P2,fact,,2016-05-12,,,,,", "Provider", "Enter the provider agency"),
        ("E3,C1,P2,fact,health agency,,,,,,", "Referred", "Enter the date referred"),
        ("E3,C1,P2,fact,health agency,1999-12-31,,,,,", "Referred", "on or after 1 January 2000"),
        ("E3,C1,P2,fact,health agency,2999-01-01,,,,,", "Referred", "cannot be in the future"),
        ("E3,C1,P2,fact,health agency,31/02/2016,,,,,", "Referred", "not a date"),
        ("E3,C1,P2,fact,health agency,2016-05-12,court,,,,", "Pathway", "not one of our values"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,7,,,", "Planned", "between 4 and 6 sessions"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,3,,,", "Planned", "between 4 and 6 sessions"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,five,,,", "Planned", "not a whole number"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,,2016-05-11,,", "Consent", "before the referral"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,,,2016-01-01,moved", "Left", "before the refer"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,,,2016-06-01,", "Why", "Give the reason"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,,,,moved", "Left", "Give the date"),
        ("E3,C1,P2,fact,health agency,2016-05-12,,,,2016-06-01,bored", "Why", "not one of our"),
        ("E1,C1,P2,fact,health agency,2016-05-12,,,,,", "Enrolment ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    enrolled, line, column, text
):
    batch = _check(enrolled, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    assert batch.stage == BatchStage.UPLOADED
    with pytest.raises(ValidationError):
        commit(enrolled, batch)
    assert not Enrolment.objects.exists()


def test_a_case_not_shared_with_the_provider_is_refused(history):
    batch = _check(history)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "Provider"), (3, "Provider")]
    assert "not shared with this agency" in batch.errors[0]["message"]


def test_a_programme_of_another_partnership_or_agency_kind_is_refused(enrolled):
    other = enrolled.other_partnership_member.agency.partnership
    _local(enrolled, partnership=other, code="theirs", name="Theirs")
    _local(enrolled, code="advice", name="Advice", provider_kind=AgencyKind.ADVOCACY)
    for text, message in (("theirs", "not one of our values"), ("advice", "not delivered by")):
        batch = _check(enrolled, HEADER + f"E1,C1,P1,{text},health agency,2016-05-12,,,,,\n")
        [error] = batch.errors
        assert error["column"] == "Programme" and message in error["message"]


def test_a_referral_before_the_person_was_born_is_refused(enrolled):
    person = enrolled.perpetrator.person
    person.__class__.objects.filter(pk=person.pk).update(date_of_birth=date(2016, 6, 1))
    batch = _check(enrolled)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (2, "Referred")
    assert "born on 1 June 2016, after the referral (12 May 2016)" in error["message"]


def test_rollback_removes_what_it_created_and_restores_what_it_changed(enrolled):
    first = _load(enrolled)
    second = _load(
        enrolled,
        CSV.replace(",5,01/06/2016", ",4,01/06/2016")
        + "E3,C1,P2,fact,health agency,2018-01-01,,,,,\n",
    )
    assert (second.created_n, second.updated_n) == (1, 1)
    rollback(enrolled, second)
    assert Enrolment.objects.get(external_id="E1").planned_sessions == 5
    assert not Enrolment.objects.filter(external_id="E3").exists()
    rollback(enrolled, first)
    assert not Enrolment.objects.exists()


def test_rollback_is_refused_when_an_enrolment_was_changed_since(enrolled):
    batch = _load(enrolled)
    Enrolment.objects.filter(external_id="E1").update(planned_sessions=6)
    with pytest.raises(ValidationError) as refused:
        rollback(enrolled, batch)
    assert "Row 2" in refused.value.messages[0]
    assert Enrolment.objects.count() == 2


def test_bulk_service_is_idempotent_and_all_or_nothing(enrolled):
    rows = [
        {"external_id": "E1", "case": "C1", "person": "P2", "programme": "fact",
         "provider_agency": "health agency", "referred_on": "2016-05-12", "planned_sessions": 4},
    ]  # fmt: skip
    _, results = bulk(enrolled, "interventions", rows)
    assert [r["result"] for r in results] == ["created"]
    _, again = bulk(enrolled, "interventions", rows)
    assert [r["result"] for r in again] == ["unchanged"]
    bad = [*rows, {**rows[0], "external_id": "E2", "person": "P1"}]
    with pytest.raises(services.BulkRejected) as rejected:
        bulk(enrolled, "interventions", bad)
    [row] = rejected.value.rows
    assert row["index"] == 1 and list(row["errors"]) == ["person"]
    assert Enrolment.objects.count() == 1


def test_only_the_provider_agency_reads_the_imported_enrolment(enrolled):
    other_health = AgencyFactory(
        partnership=enrolled.partnership, name="Other health", kind=AgencyKind.HEALTH
    )
    other_clinician = MembershipFactory(agency=other_health, role=Role.CLINICIAN)
    _load(enrolled)
    assert enrolments_visible_to(enrolled.members[Role.CLINICIAN]).count() == 2
    for member in (
        other_clinician,
        admin(enrolled),
        enrolled.members[Role.INVESTIGATOR],
        enrolled.members[Role.ADVOCATE],
    ):
        assert not enrolments_visible_to(member).exists()


def test_bulk_api_then_the_provider_finds_the_enrolment_by_its_external_id(enrolled, login):
    client = APIClient()
    login(admin(enrolled), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "interventions"})
    row = {
        "external_id": "E1",
        "case": "C1",
        "person": "P2",
        "programme": "fact",
        "provider_agency": "health agency",
        "referred_on": "12/05/2016",
    }
    response = client.post(url, {"source_system": SOURCE, "rows": [row]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    refused = client.post(
        url,
        {"source_system": SOURCE, "rows": [{**row, "planned_sessions": "9"}]},
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()["rows"][0]["errors"]) == ["planned_sessions"]
    clinician = APIClient()
    login(enrolled.members[Role.CLINICIAN], clinician)
    listed = clinician.get(
        reverse("api:interventions-enrolment-list"),
        {"external_source": SOURCE, "external_id": "E1"},
    ).json()["results"]
    assert [(e["external_source"], e["external_id"]) for e in listed] == [(SOURCE, "E1")]
    none = clinician.get(reverse("api:interventions-enrolment-list"), {"external_id": "E2"})
    assert none.json()["results"] == []


def test_a_later_referral_date_is_refused_when_the_stored_consent_is_before_it(enrolled):
    _load(enrolled)
    batch = _check(enrolled, HEADER + "E1,C1,P2,fact,health agency,2016-07-01,,,,,\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (2, "Referred")
    assert "after the consent already recorded (1 June 2016)" in error["message"]
    assert Enrolment.objects.get(external_id="E1").referred_on == date(2016, 5, 12)


def test_a_new_programme_must_take_the_stored_planned_number_or_be_given_one(enrolled):
    _load(enrolled)  # E1 plans 5 sessions of fACT
    _local(enrolled, recipient="perpetrator")  # 1 to 3 sessions
    line = "E1,C1,P2,victim-support,health agency,2016-05-12,,{},,,\n"
    [error] = _check(enrolled, HEADER + line.format("")).errors
    assert (error["row"], error["column"]) == (2, "Planned")
    assert "between 1 and 3 sessions. Give the number planned." in error["message"]
    _load(enrolled, HEADER + line.format("2"))
    assert Enrolment.objects.get(external_id="E1").planned_sessions == 2
