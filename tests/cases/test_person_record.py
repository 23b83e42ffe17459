"""The People list and a person's record: scope, search, paging, contact redaction, audit."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseParty, PartyRole
from cases.selectors import person_record
from cases.selectors.person_record import PersonFilters
from tests.factories_people import make_person, person_in_case


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


@pytest.fixture
def people(world):
    """A victim of the advocacy case (advocate assigned) and its perpetrator; a health-case
    perpetrator; someone only in the police-only case; someone in another partnership."""
    advocate = world.members[Role.ADVOCATE].user
    victim = make_person(
        world.partnership,
        given_names="Isla",
        family_name="Brimble",
        date_of_birth=date(1990, 11, 21),
        aliases=["Isla Brown"],
        identifiers={"nhs": "9434765919"},
        address="4 Hidden Lane",
        phone="07700 900001",
    )
    CaseParty.objects.create(
        case=world.advocacy_case, person=victim, role=PartyRole.VICTIM, advocate=advocate
    )
    stalker = person_in_case(
        world.advocacy_case,
        given_names="Arthur",
        family_name="Kellaway",
        identifiers={"pnc": "12/345678A"},
        address="9 Known Road",
    )
    health_perp = person_in_case(world.health_case, given_names="Bea", family_name="Kell")
    police_only = person_in_case(world.own_case, given_names="Cal", family_name="Police")
    foreign = person_in_case(world.other_partnership_case, given_names="Dee", family_name="Kell")
    return {
        "victim": victim,
        "stalker": stalker,
        "health_perp": health_perp,
        "police_only": police_only,
        "foreign": foreign,
    }


def _ids(membership, **filters):
    return {p.pk for p in person_record.person_list(membership, PersonFilters(**filters))}


# Scope -------------------------------------------------------------------------------


def test_list_is_scoped_to_visible_cases(world, people):
    clinician = world.members[Role.CLINICIAN]  # health: health_case and advocacy_case
    seen = _ids(clinician)
    assert {people["victim"].pk, people["stalker"].pk, people["health_perp"].pk} <= seen
    assert people["police_only"].pk not in seen and people["foreign"].pk not in seen
    probation = world.members[Role.PROBATION_OFFICER]
    assert not {p.pk for p in people.values()} & _ids(probation)
    chair = world.members[Role.CLINIC_CHAIR]
    assert {p.pk for k, p in people.items() if k != "foreign"} <= _ids(chair)
    assert people["foreign"].pk not in _ids(chair)


def test_merged_records_are_not_listed(world, people):
    duplicate = person_in_case(world.health_case, given_names="Bea", family_name="Kell")
    duplicate.merged_into = people["health_perp"]
    duplicate.save()
    assert duplicate.pk not in _ids(world.members[Role.CLINICIAN])


# Search ------------------------------------------------------------------------------


def test_search_by_name_other_name_identifier_and_date_of_birth(world, people):
    chair = world.members[Role.CLINIC_CHAIR]
    assert _ids(chair, q="kell") == {people["stalker"].pk, people["health_perp"].pk}
    assert _ids(chair, q="arthur kell") == {people["stalker"].pk}
    assert _ids(chair, q="Isla Brown") == {people["victim"].pk}
    assert _ids(chair, q="943 476 5919") == {people["victim"].pk}
    assert _ids(chair, q="12/345678a") == {people["stalker"].pk}
    assert _ids(chair, date_of_birth=date(1990, 11, 21)) == {people["victim"].pk}
    assert _ids(chair, q="kell", date_of_birth=date(1990, 11, 21)) == set()


def test_page_searches_and_refuses_a_bad_date(world, people, client, login):
    login(world.members[Role.CLINICIAN])
    url = reverse("cases:person-list")
    page = client.get(url, {"q": "kell"}).content.decode()
    assert "Kellaway, Arthur" in page and "Kell, Bea" in page and "Brimble" not in page
    assert "2 people matching “kell”" in page
    assert reverse("cases:person-detail", args=[people["stalker"].pk]) in page
    bad = client.get(url, {"date_of_birth": "31/02/1990"})
    assert bad.status_code == 400
    assert "Enter a real date" in bad.content.decode()
    event = AccessEvent.objects.filter(action=Action.SEARCH, detail__list="people").first()
    assert event.detail["q"] == "kell"


def test_list_runs_a_fixed_number_of_queries(world, client, login):
    login(world.members[Role.CLINICIAN])
    url = reverse("cases:person-list")

    def add(n):
        for i in range(n):
            person_in_case(
                world.health_case,
                given_names=f"P{i}",
                family_name="Many",
                aliases=[f"Alias{i}"],
                identifiers={"force_nominal": f"FN{len(str(i))}-{i}-{n}"},
            )

    add(5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"q": "many"}).status_code == 200
    add(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"q": "many"})
    assert response.status_code == 200 and "50 people" in response.content.decode()
    assert len(few) == len(many)


def test_list_pages(world, client, login):
    for i in range(55):
        person_in_case(world.health_case, given_names=f"P{i:02d}", family_name="Paged")
    login(world.members[Role.CLINICIAN])
    url = reverse("cases:person-list")
    first = client.get(url, {"q": "paged"}).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(url, {"q": "paged", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and second.count("Paged, P") == 5


# One person --------------------------------------------------------------------------


def test_detail_shows_the_record_and_only_visible_cases(world, people, client, login):
    stalker = people["stalker"]
    CaseParty.objects.create(case=world.own_case, person=stalker, role=PartyRole.PERPETRATOR)
    login(world.members[Role.CLINICIAN])
    response = client.get(reverse("cases:person-detail", args=[stalker.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Arthur Kellaway" in page and "PNC number 12/345678A" in page
    assert world.advocacy_case.reference in page
    assert world.own_case.reference not in page  # police-only case
    assert "9 Known Road" in page  # a perpetrator's contact follows case visibility
    event = AccessEvent.objects.get(
        action=Action.VIEW, object_type="cases.Person", object_id=str(stalker.pk)
    )
    assert event.actor == world.members[Role.CLINICIAN].user
    assert event.detail["contact_shown"] is True


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.ADVOCATE, True),  # the victim's advocate
        (Role.CLINICIAN, False),
        (Role.CLINIC_CHAIR, False),
        (Role.PARTNERSHIP_ADMIN, False),
    ],
)
def test_victim_contact_is_redacted_for_other_readers(world, people, client, login, role, shown):
    login(world.members[role])
    page = client.get(reverse("cases:person-detail", args=[people["victim"].pk])).content.decode()
    assert ("4 Hidden Lane" in page) is shown and ("07700 900001" in page) is shown
    assert ("shown only to their advocate" in page) is not shown


def test_officer_in_charge_sees_the_victim_contact(world, client, login):
    login(world.members[Role.INVESTIGATOR])  # OIC of own_case
    page = client.get(reverse("cases:person-detail", args=[world.victim.person_id]))
    assert world.victim.person.address in page.content.decode()
    login(world.members[Role.POLICE_SUPERVISOR])
    page = client.get(reverse("cases:person-detail", args=[world.victim.person_id]))
    assert world.victim.person.address not in page.content.decode()


def test_a_victim_elsewhere_keeps_their_contact_hidden(world, people, client, login):
    """A perpetrator in one case and a victim in another: the one address is the victim's."""
    stalker = people["stalker"]
    CaseParty.objects.create(case=world.health_case, person=stalker, role=PartyRole.VICTIM)
    login(world.members[Role.CLINICIAN])
    page = client.get(reverse("cases:person-detail", args=[stalker.pk])).content.decode()
    assert "9 Known Road" not in page


def test_out_of_scope_merged_and_missing_are_404(world, people, client, login):
    member = world.members[Role.CLINICIAN]
    login(member)
    for person in (people["police_only"], people["foreign"]):
        assert client.get(reverse("cases:person-detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("cases:person-detail", args=[999_999])).status_code == 404
    duplicate = person_in_case(world.health_case, given_names="Bea", family_name="Kell")
    duplicate.merged_into = people["health_perp"]
    duplicate.save()
    assert client.get(reverse("cases:person-detail", args=[duplicate.pk])).status_code == 404
    assert AccessEvent.objects.filter(
        action=Action.DENIAL, object_type="cases.Person", object_id=str(people["police_only"].pk)
    ).exists()
    assert not AccessEvent.objects.filter(action=Action.VIEW, object_type="cases.Person").exists()


def test_merge_link_only_for_mergers(world, people, client, login):
    url = reverse("cases:person-detail", args=[people["stalker"].pk])
    merge = reverse("cases:person-merge")
    login(world.members[Role.PARTNERSHIP_ADMIN])
    assert merge in client.get(url).content.decode()
    login(world.members[Role.CLINICIAN])
    assert merge not in client.get(url).content.decode()


def test_people_link_in_the_navigation(world, client, login):
    login(world.members[Role.PARTNER])
    page = client.get(reverse("cases:person-list")).content.decode()
    assert f'href="{reverse("cases:person-list")}" aria-current="page">People</a>' in page


# API ---------------------------------------------------------------------------------


def test_api_list_and_search(world, people, api):
    client = api(world.members[Role.CLINICIAN])
    url = reverse("api:person-list")
    body = client.get(url, {"q": "kell"}).json()
    assert {p["id"] for p in body["results"]} == {
        people["stalker"].pk,
        people["health_perp"].pk,
    }
    assert body["count"] == 2 and body["count_capped"] is False
    stalker = next(p for p in body["results"] if p["id"] == people["stalker"].pk)
    assert stalker["identifiers"] == [{"kind": "pnc", "value": "12/345678A"}]
    assert "address" not in stalker
    bad = client.get(url, {"date_of_birth": "nope"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["date_of_birth"]
    everyone = client.get(url).json()
    assert people["police_only"].pk not in {p["id"] for p in everyone["results"]}


def test_api_list_runs_a_fixed_number_of_queries(world, api):
    client = api(world.members[Role.CLINICIAN])
    url = reverse("api:person-list")
    for i in range(5):
        person_in_case(world.health_case, family_name="Many", aliases=[f"A{i}"])
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "many"})
    for i in range(45):
        person_in_case(world.health_case, family_name="Many", aliases=[f"B{i}"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"q": "many"}).json()["count"] == 50
    assert len(few) == len(many)


def test_api_detail_redacts_and_audits(world, people, api):
    victim = people["victim"]
    url = reverse("api:person-detail", args=[victim.pk])
    withheld = api(world.members[Role.CLINICIAN]).get(url).json()
    assert withheld["contact"] is None and withheld["contact_withheld"] is True
    assert withheld["cases"] == [
        {
            "case_id": world.advocacy_case.pk,
            "case_reference": world.advocacy_case.reference,
            "role": "victim",
        }
    ]
    assert withheld["aliases"] == ["Isla Brown"]
    shown = api(world.members[Role.ADVOCATE]).get(url).json()
    assert shown["contact"]["address"] == "4 Hidden Lane" and shown["contact_withheld"] is False
    assert (
        AccessEvent.objects.filter(
            action=Action.VIEW, object_type="cases.Person", object_id=str(victim.pk)
        ).count()
        == 2
    )
    hidden = api(world.members[Role.PROBATION_OFFICER]).get(url)
    assert hidden.status_code == 404


def test_api_contact_withheld_matches_the_page_for_a_person_in_no_case(world, api, client, login):
    """A person in no case has no contact details to show: not 'withheld' (which says a
    victim's details are kept from this reader), on the API as on the page."""
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    person = make_person(world.partnership, given_names="Una", family_name="Caseless")
    body = api(admin).get(reverse("api:person-detail", args=[person.pk])).json()
    assert (body["contact"], body["contact_withheld"], body["cases"]) == (None, False, [])
    login(admin)
    page = client.get(reverse("cases:person-detail", args=[person.pk])).content.decode()
    assert "Caseless" in page and "contact details are shown only" not in page
