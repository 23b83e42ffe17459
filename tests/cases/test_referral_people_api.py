"""Referral API with people: new people from details, existing people by id (only ones the
caller can see), field-keyed 400s, nothing half-saved, never merged into a match."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseParty, Person, PersonIdentifier, Referral
from tests.factories_people import make_person, person_in_case

URL = "api:referral-list"
BASE = {"source": "probation", "received_on": "2026-04-01", "reason": "Breach of licence"}


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _post(client, **data):
    return client.post(reverse(URL), {**BASE, **data}, format="json")


PERPETRATOR = {
    "given_names": "Carl",
    "family_name": "Voss",
    "aliases": ["Charlie Voss"],
    "date_of_birth": "1981-05-04",
    "gender": "male",
    "pnc": "12/345678A",
    "nhs_number": "943 476 5919",
}
VICTIM = {"given_names": "Dana", "family_name": "Moss", "date_of_birth_not_known": True}


def test_new_people_from_details(api, world):
    member = world.members[Role.PROBATION_OFFICER]
    response = _post(api(member), perpetrator=PERPETRATOR, victim=VICTIM)
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    perp, victim = referral.perpetrator, referral.victim
    assert (perp.given_names, perp.family_name, str(perp.date_of_birth), perp.gender) == (
        "Carl",
        "Voss",
        "1981-05-04",
        "male",
    )
    assert [a.name for a in perp.aliases.all()] == ["Charlie Voss"]
    assert {(i.kind, i.value) for i in perp.identifiers.all()} == {
        ("pnc", "12/345678A"),
        ("nhs", "9434765919"),
    }
    assert victim.date_of_birth is None and victim.date_of_birth_not_known
    assert body["perpetrator"]["id"] == perp.pk and body["perpetrator"]["family_name"] == "Voss"
    assert body["victim"]["id"] == victim.pk
    for person in (perp, victim):
        assert AccessEvent.objects.filter(
            action=Action.CREATE, object_type="cases.Person", object_id=str(person.pk)
        ).exists()
    event = AccessEvent.objects.get(
        action=Action.CREATE, object_type="cases.Referral", object_id=str(referral.pk)
    )
    assert event.detail["perpetrator_id"] == perp.pk and event.detail["victim_id"] == victim.pk


def test_a_likely_match_is_never_merged_into(api, world):
    """Same name and date of birth as someone already recorded: a new person is made."""
    existing = person_in_case(
        world.health_case, given_names="Carl", family_name="Voss", date_of_birth="1981-05-04"
    )
    member = world.members[Role.PROBATION_OFFICER]
    details = {k: v for k, v in PERPETRATOR.items() if k not in ("pnc", "nhs_number")}
    response = _post(api(member), perpetrator=details)
    assert response.status_code == 201
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.perpetrator_id != existing.pk
    assert Person.objects.filter(family_name="Voss").count() == 2
    existing.refresh_from_db()
    assert existing.merged_into_id is None


def test_existing_person_the_caller_can_see(api, world):
    member = world.members[Role.INVESTIGATOR]
    seen = person_in_case(world.own_case, given_names="Ed", family_name="Grey")
    response = _post(api(member), perpetrator={"id": seen.pk})
    assert response.status_code == 201
    assert Referral.objects.get(pk=response.json()["id"]).perpetrator_id == seen.pk
    assert Person.objects.filter(family_name="Grey").count() == 1


def test_unseen_and_missing_people_get_the_same_answer(api, world):
    member = world.members[Role.PROBATION_OFFICER]  # cannot see the police-only case
    unseen = person_in_case(world.own_case, given_names="Ed", family_name="Grey")
    foreign = make_person(
        world.other_partnership_case.partnership, given_names="Fay", family_name="Hale"
    )
    merged = make_person(world.partnership, given_names="Old", family_name="Record")
    merged.merged_into = unseen
    merged.save()
    answers = []
    for pk in (unseen.pk, foreign.pk, merged.pk, 999_999):
        response = _post(api(member), victim={"id": pk})
        assert response.status_code == 400
        answers.append(response.json())
    assert all(a == answers[0] for a in answers)
    assert answers[0]["errors"] == {"victim": {"id": ["Choose a person you can see."]}}
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("person", "errors"),
    [
        ({"given_names": "Carl"}, {"family_name", "date_of_birth"}),
        ({"family_name": "Voss", "date_of_birth_not_known": True}, {"given_names"}),
        (
            {**VICTIM, "date_of_birth": "1981-05-04"},
            {"date_of_birth"},
        ),
        ({"given_names": "A", "family_name": "Voss"}, {"date_of_birth"}),
        (
            {"given_names": "A", "family_name": "Voss", "date_of_birth": "2999-01-01"},
            {"date_of_birth"},
        ),
        ({**VICTIM, "date_of_birth": "not a date"}, {"date_of_birth"}),
        ({**VICTIM, "gender": "robot"}, {"gender"}),
        ({**VICTIM, "pnc": "123"}, {"pnc"}),
        ({**VICTIM, "nhs_number": "1234567890"}, {"nhs_number"}),
        ({"id": 1, "family_name": "Voss"}, {"id"}),
        ({"id": "abc"}, {"id"}),
    ],
)
def test_bad_people_data_is_keyed_by_field(api, world, person, errors):
    member = world.members[Role.PROBATION_OFFICER]
    people = Person.objects.count()
    response = _post(api(member), perpetrator=PERPETRATOR, victim=person)
    assert response.status_code == 400
    body = response.json()["errors"]
    assert set(body) == {"victim"} and set(body["victim"]) == errors, body
    assert not Referral.objects.exists() and Person.objects.count() == people


def test_not_an_object(api, world):
    response = _post(api(world.members[Role.PROBATION_OFFICER]), victim="Dana Moss")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"victim"}


def test_identifier_of_another_person_saves_nothing(api, world):
    other = make_person(world.partnership, given_names="Zed", family_name="Known")
    PersonIdentifier.objects.create(
        person=other, partnership=world.partnership, kind="pnc", value="12/345678A"
    )
    member = world.members[Role.PROBATION_OFFICER]
    people = Person.objects.count()
    response = _post(api(member), perpetrator={**VICTIM, "family_name": "Voss"}, victim=PERPETRATOR)
    assert response.status_code == 400
    assert set(response.json()["errors"]["victim"]) == {"pnc"}
    assert not Referral.objects.exists()
    assert Person.objects.count() == people


def test_service_refusal_after_the_first_person_rolls_everything_back(api, world, monkeypatch):
    """Between the serializer's check and the save another person takes the PNC: the
    perpetrator already made is rolled back with the referral."""
    from cases.serializers.referrals import ReferralPersonSerializer

    member = world.members[Role.PROBATION_OFFICER]
    checked = ReferralPersonSerializer.validate

    def validate_then_race(self, data):
        result = checked(self, data)
        if isinstance(result, dict) and result["identifiers"]:
            other = make_person(world.partnership, given_names="Zed", family_name="Racer")
            PersonIdentifier.objects.create(
                person=other, partnership=world.partnership, kind="pnc", value="12/345678A"
            )
        return result

    monkeypatch.setattr(ReferralPersonSerializer, "validate", validate_then_race)
    response = _post(api(member), perpetrator=VICTIM | {"family_name": "Voss"}, victim=PERPETRATOR)
    assert response.status_code == 400 and "victim" in response.json()["errors"]
    assert not Referral.objects.exists()
    assert not Person.objects.filter(family_name__in=["Voss", "Moss"]).exists()


def test_accepting_makes_the_api_people_case_parties(api, world):
    prob = world.members[Role.PROBATION_OFFICER]
    created = _post(api(prob), perpetrator=PERPETRATOR, victim=VICTIM).json()
    police = api(world.members[Role.INVESTIGATOR])
    police.post(reverse("api:referral-screen", args=[created["id"]]), {}, format="json")
    police.post(
        reverse("api:referral-decide", args=[created["id"]]),
        {"decision": "accepted"},
        format="json",
    )
    referral = Referral.objects.get(pk=created["id"])
    roles = set(CaseParty.objects.filter(case=referral.case).values_list("person_id", "role"))
    assert roles == {(referral.perpetrator_id, "perpetrator"), (referral.victim_id, "victim")}


def test_people_unknown(api, world):
    response = _post(api(world.members[Role.PROBATION_OFFICER]), perpetrator=None)
    assert response.status_code == 201
    assert response.json()["perpetrator"] is None and response.json()["victim"] is None


def test_possible_duplicates_for_those_who_decide(api, world):
    existing = person_in_case(
        world.own_case, given_names="Carl", family_name="Voss", date_of_birth="1981-05-04"
    )
    details = {k: v for k, v in PERPETRATOR.items() if k not in ("pnc", "nhs_number")}
    created = _post(api(world.members[Role.PROBATION_OFFICER]), perpetrator=details).json()
    url = reverse("api:referral-detail", args=[created["id"]])
    police = api(world.members[Role.INVESTIGATOR]).get(url).json()
    (found,) = police["possible_duplicates"]
    assert found["role"] == "perpetrator" and found["person_id"] == created["perpetrator"]["id"]
    assert [s["person_id"] for s in found["suggestions"]] == [existing.pk]
    assert AccessEvent.objects.filter(
        action=Action.SEARCH, detail__people_match=f"api referral {created['id']}"
    ).exists()
    # The referrer cannot decide: no suggestions (and the police-only case stays unseen).
    referrer = api(world.members[Role.PROBATION_OFFICER]).get(url).json()
    assert referrer["possible_duplicates"] == []


def test_person_create_names_every_identifier_already_recorded(world):
    from django.core.exceptions import ValidationError

    from cases.services.people import person_create

    other = make_person(world.partnership, given_names="Zed", family_name="Known")
    for kind, value in (("pnc", "12/345678A"), ("nhs", "9434765919")):
        PersonIdentifier.objects.create(
            person=other, partnership=world.partnership, kind=kind, value=value
        )
    people = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=world.members[Role.INVESTIGATOR].user,
            membership=world.members[Role.INVESTIGATOR],
            given_names="Ann",
            family_name="New",
            date_of_birth_not_known=True,
            identifiers={"pnc": "12/345678a", "nhs": "943 476 5919"},
        )
    assert set(error.value.message_dict) == {"pnc", "nhs_number"}
    assert Person.objects.count() == people
