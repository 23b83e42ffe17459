"""External ids on people, cases and referrals (issue 13): written through the services
and the API, unique per partnership and source, and filtered on in the list endpoints."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case, Person, Referral
from cases.services import core as core_services
from cases.services import people as people_services
from tests.factories import PersonFactory, make_referral, open_case

SOURCE = "Northshire SPS spreadsheet"


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        client.agency_id = membership.agency_id
        return client

    return _api


def _counts():
    return (
        Case.objects.count(),
        Person.objects.count(),
        Referral.objects.count(),
        AccessEvent.objects.filter(action=Action.CREATE).count(),
    )


# ---------------------------------------------------------------- cases


def _open(client, **data):
    body = {"summary": "Brought in from the spreadsheet", "lead_agency": client.agency_id, **data}
    return client.post(reverse("api:case-list"), body, format="json")


def test_a_case_opened_with_an_external_id_is_found_by_it(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    response = _open(client, external_source=SOURCE, external_id="C-0001")
    assert response.status_code == 201, response.json()
    assert response.json()["external_source"] == SOURCE
    assert response.json()["external_id"] == "C-0001"
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.external_source, case.external_id) == (SOURCE, "C-0001")
    created = AccessEvent.objects.filter(action=Action.CREATE, object_id=str(case.pk)).get()
    assert created.detail["external_id"] == "C-0001"
    _open(client, external_source=SOURCE, external_id="C-0002")

    url = reverse("api:case-list")
    found = client.get(url, {"external_source": SOURCE, "external_id": "C-0001"}).json()
    assert [row["id"] for row in found["results"]] == [case.pk]
    by_source = client.get(url, {"external_source": SOURCE}).json()
    assert by_source["count"] == 2
    assert client.get(url, {"external_id": "C-9999"}).json()["count"] == 0
    # The filter keeps to the caller's scope: the clinician cannot see that case.
    clinician = api(world.members[Role.CLINICIAN])
    assert clinician.get(url, {"external_id": "C-0001"}).json()["count"] == 0


def test_a_clash_is_a_400_at_external_id_and_nothing_is_saved(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    assert _open(client, external_source=SOURCE, external_id="C-0001").status_code == 201
    before = _counts()
    response = _open(client, external_source=SOURCE, external_id="C-0001")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["external_id"]
    assert "already has the external id C-0001" in response.json()["errors"]["external_id"][0]
    assert _counts() == before
    # The same id from another source system is another record.
    other_source = _open(client, external_source="Probation CRN list", external_id="C-0001")
    assert other_source.status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"external_id": "C-0001"}, "external_source"),  # an id needs its source
        ({"external_source": SOURCE, "external_id": "x" * 101}, "external_id"),
        ({"external_source": "s" * 41, "external_id": "C-1"}, "external_source"),
    ],
)
def test_bad_external_ids_are_refused(body, field, api, world):
    client = api(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = _open(client, **body)
    assert response.status_code == 400 and field in response.json()["errors"]
    assert _counts() == before


def test_another_partnership_may_use_the_same_external_id(api, world):
    mine = api(world.members[Role.INVESTIGATOR])
    assert _open(mine, external_source=SOURCE, external_id="C-0001").status_code == 201
    theirs = api(world.other_partnership_member)
    response = _open(theirs, external_source=SOURCE, external_id="C-0001")
    assert response.status_code == 201, response.json()
    found = theirs.get(reverse("api:case-list"), {"external_id": "C-0001"}).json()
    assert [row["id"] for row in found["results"]] == [response.json()["id"]]


def test_the_record_patch_sets_and_checks_the_case_external_id(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-record-detail", args=[world.own_case.pk])
    open_case(world.members[Role.INVESTIGATOR], external_source=SOURCE, external_id="C-7")
    clash = client.patch(url, {"external_source": SOURCE, "external_id": "C-7"}, format="json")
    assert clash.status_code == 400 and list(clash.json()["errors"]) == ["external_id"]
    world.own_case.refresh_from_db()
    assert world.own_case.external_id == ""
    no_source = client.patch(url, {"external_id": "C-8"}, format="json")
    assert no_source.status_code == 400 and "external_source" in no_source.json()["errors"]
    ok = client.patch(url, {"external_source": SOURCE, "external_id": " C-8 "}, format="json")
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["external_source"], ok.json()["external_id"]) == (SOURCE, "C-8")
    # Saving the same id again is not a clash with itself.
    again = client.patch(url, {"external_id": "C-8", "tier": "none"}, format="json")
    assert again.status_code == 200 and again.json()["external_id"] == "C-8"


def test_the_database_refuses_a_duplicate_but_blank_ids_repeat(world):
    member = world.members[Role.INVESTIGATOR]
    open_case(member, external_source=SOURCE, external_id="C-1")
    open_case(member)
    open_case(member)  # many cases made here have no external id
    case = open_case(member)
    case.external_source, case.external_id = SOURCE, "C-1"
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


# ---------------------------------------------------------------- referrals


def _refer(client, **data):
    body = {"source": "probation", "received_on": "2025-04-01", "reason": "Breach", **data}
    return client.post(reverse("api:referral-list"), body, format="json")


def test_referrals_take_an_external_id_and_the_list_filters_by_it(api, world):
    client = api(world.members[Role.PROBATION_OFFICER])
    response = _refer(client, external_source=SOURCE, external_id="R-1")
    assert response.status_code == 201, response.json()
    assert response.json()["external_id"] == "R-1"
    _refer(client, external_source=SOURCE, external_id="R-2")
    make_referral(world.members[Role.PROBATION_OFFICER])  # none
    url = reverse("api:referral-list")
    found = client.get(url, {"external_source": SOURCE, "external_id": "R-1"}).json()
    assert [row["id"] for row in found["results"]] == [response.json()["id"]]
    assert client.get(url, {"external_source": SOURCE}).json()["count"] == 2
    assert client.get(url).json()["count"] == 3
    too_long = client.get(url, {"external_id": "x" * 101})
    assert too_long.status_code == 400 and "external_id" in too_long.json()["errors"]

    before = _counts()
    clash = _refer(client, external_source=SOURCE, external_id="R-1")
    assert clash.status_code == 400 and list(clash.json()["errors"]) == ["external_id"]
    assert _counts() == before
    theirs = api(world.other_partnership_member)
    other = _refer(theirs, source="police", external_source=SOURCE, external_id="R-1")
    assert other.status_code == 201, other.json()


def test_a_referral_s_new_person_takes_an_external_id_checked_for_a_clash(api, world):
    PersonFactory(partnership=world.partnership, external_source=SOURCE, external_id="P-1")
    client = api(world.members[Role.PROBATION_OFFICER])
    perpetrator = {
        "given_names": "Carl",
        "family_name": "Voss",
        "date_of_birth_not_known": True,
        "external_source": SOURCE,
        "external_id": "P-1",
    }
    before = _counts()
    clash = _refer(client, perpetrator=perpetrator)
    assert clash.status_code == 400
    assert list(clash.json()["errors"]["perpetrator"]) == ["external_id"]
    assert _counts() == before
    ok = _refer(client, perpetrator={**perpetrator, "external_id": "P-2"})
    assert ok.status_code == 201, ok.json()
    person = Person.objects.get(pk=ok.json()["perpetrator"]["id"])
    assert (person.external_source, person.external_id) == (SOURCE, "P-2")


# ---------------------------------------------------------------- people


def test_a_party_added_through_the_api_keeps_its_external_id_and_people_filter_by_it(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-party-list", kwargs={"case_pk": world.own_case.pk})
    body = {
        "role": "perpetrator",
        "given_names": "Dale",
        "family_name": "Marsh",
        "external_source": SOURCE,
        "external_id": "P-10",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["person_id"])
    assert person.external_id == "P-10"

    people = reverse("api:person-list")
    found = client.get(people, {"external_source": SOURCE, "external_id": "P-10"}).json()
    assert [row["id"] for row in found["results"]] == [person.pk]
    assert found["results"][0]["external_source"] == SOURCE
    assert client.get(people, {"external_id": "P-11"}).json()["count"] == 0
    detail = client.get(reverse("api:person-detail", args=[person.pk])).json()
    assert detail["external_id"] == "P-10"

    before = _counts()
    clash = client.post(url, {**body, "given_names": "Other"}, format="json")
    assert clash.status_code == 400 and list(clash.json()["errors"]) == ["external_id"]
    assert _counts() == before


def test_person_create_reports_every_problem_at_once(world):
    member = world.members[Role.INVESTIGATOR]
    PersonFactory(partnership=world.partnership, external_source=SOURCE, external_id="P-1")
    with pytest.raises(ValidationError) as refused:
        people_services.person_create(
            actor=member.user,
            membership=member,
            given_names="Ann",
            family_name="Lee",
            identifiers={"nhs": "1234567890"},
            external_source=SOURCE,
            external_id="P-1",
        )
    assert set(refused.value.message_dict) == {"nhs_number", "external_id"}
    # The other partnership's same id is no clash.
    other = world.other_partnership_member
    person = people_services.person_create(
        actor=other.user,
        membership=other,
        given_names="Ann",
        family_name="Lee",
        external_source=SOURCE,
        external_id="P-1",
    )
    assert person.partnership_id != world.partnership.pk


def test_the_pages_say_where_a_record_was_brought_in_from(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    Case.objects.filter(pk=case.pk).update(external_source=SOURCE, external_id="C-1")
    person = world.perpetrator.person
    Person.objects.filter(pk=person.pk).update(external_source=SOURCE, external_id="P-1")
    referral = make_referral(
        world.members[Role.INVESTIGATOR], case=case, external_source=SOURCE, external_id="R-1"
    )
    pages = {
        "C-1": reverse("cases:record", args=[case.pk]),
        "P-1": reverse("cases:person-detail", args=[person.pk]),
        "R-1": reverse("cases:referral-detail", args=[referral.pk]),
    }
    for external_id, url in pages.items():
        page = client.get(url).content.decode()
        row = f'Brought in from</dt><dd class="govuk-summary-list__value">{SOURCE}'
        assert f"{row}, record {external_id}" in page
    # A record made here says nothing about it.
    assert (
        "Brought in from"
        not in client.get(reverse("cases:record", args=[world.health_case.pk])).content.decode()
    )


def test_a_clash_that_wins_the_race_past_the_check_is_still_a_field_error(world, monkeypatch):
    """Two saves of one external id at once: both pass the check, the database refuses
    the second, and its caller gets the external_id field error, not an IntegrityError."""
    from cases.services import people, record, referrals

    for module in (core_services, people, record, referrals):
        monkeypatch.setattr(module, "external_id_errors", lambda *args, **kwargs: {})
    member = world.members[Role.INVESTIGATOR]
    who = {"actor": member.user, "membership": member}
    open_case(member, external_source=SOURCE, external_id="X-1")
    PersonFactory(partnership=world.partnership, external_source=SOURCE, external_id="X-1")
    make_referral(member, external_source=SOURCE, external_id="X-1")
    source = Referral.objects.get().source
    same = {"external_source": SOURCE, "external_id": "X-1"}
    attempts = [
        lambda: core_services.case_open(**who, summary="S", lead_agency=member.agency, **same),
        lambda: people.person_create(**who, given_names="A", family_name="B", **same),
        lambda: record.record_update(**who, case=world.own_case, **same),
        lambda: referrals.referral_record(
            **who, source=source, received_on=date(2025, 1, 1), reason="R", **same
        ),
    ]
    before = _counts()
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert list(refused.value.message_dict) == ["external_id"]
    assert _counts() == before
    world.own_case.refresh_from_db()
    assert world.own_case.external_id == ""
