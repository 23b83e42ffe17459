"""The referral's people on the question pages (gender, given names) and the likely
duplicates shown on the referral page to whoever screens and decides."""

from datetime import date

from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Person, ReferenceCode, Referral
from tests.factories import make_referral
from tests.factories_people import make_person, person_in_case


def _step(name):
    return reverse("cases:referral-step", args=[name])


def _start(client):
    client.get(reverse("cases:referral-new"))
    source = ReferenceCode.objects.get(
        code_list="referral_source", code="probation", partnership=None
    )
    client.post(_step("source"), {"source": source.pk})
    client.post(_step("received"), {"received_on": "1/4/2026"})
    client.post(_step("reason"), {"reason": "Licence breach"})


def test_perpetrator_gender_is_recorded(client, login, world):
    login(world.members[Role.PROBATION_OFFICER])
    _start(client)
    page = client.get(_step("perpetrator")).content.decode()
    assert "Gender (optional)" in page
    client.post(
        _step("perpetrator"),
        {
            "given_names": "Carl",
            "family_name": "Voss",
            "date_of_birth": "2/3/1970",
            "gender": "male",
        },
    )
    client.post(_step("victim"), {"given_names": "", "family_name": ""})
    client.post(_step("sharing"), {"sharing_basis": "public_task"})
    response = client.post(reverse("cases:referral-check"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.perpetrator.gender == "male"
    assert referral.perpetrator.date_of_birth == date(1970, 3, 2)


def test_a_name_needs_given_names_and_gender_needs_a_name(client, login, world):
    login(world.members[Role.PROBATION_OFFICER])
    _start(client)
    no_given = client.post(
        _step("perpetrator"), {"family_name": "Voss", "date_of_birth_not_known": "on"}
    )
    assert no_given.status_code == 400
    assert "Enter the perpetrator&#x27;s given names." in no_given.content.decode()
    gender_only = client.post(_step("victim"), {"gender": "female"})
    assert gender_only.status_code == 400
    assert (
        "Enter the victim&#x27;s name, or clear the other answers." in gender_only.content.decode()
    )


def test_referral_page_shows_likely_duplicates_to_deciders(client, login, world):
    existing = person_in_case(
        world.own_case, given_names="Carl", family_name="Voss", date_of_birth=date(1970, 3, 2)
    )
    new = make_person(
        world.partnership, given_names="Carl", family_name="Voss", date_of_birth=date(1970, 3, 2)
    )
    referral = make_referral(world.members[Role.PROBATION_OFFICER], perpetrator=new)
    url = reverse("cases:referral-detail", args=[referral.pk])
    merge = f"{reverse('cases:person-merge-confirm')}?keep={existing.pk}&amp;duplicate={new.pk}"

    login(world.members[Role.POLICE_SUPERVISOR])
    page = client.get(url).content.decode()
    assert "People who may already be recorded" in page
    assert reverse("cases:person-detail", args=[existing.pk]) in page
    assert merge in page
    assert AccessEvent.objects.filter(
        action=Action.SEARCH, detail__people_match=f"referral {referral.pk} Perpetrator"
    ).exists()

    login(world.members[Role.INVESTIGATOR])  # decides, cannot merge
    page = client.get(url).content.decode()
    assert "People who may already be recorded" in page and merge not in page

    login(world.members[Role.PROBATION_OFFICER])  # the referrer does not decide
    page = client.get(url).content.decode()
    assert "People who may already be recorded" not in page
    assert Person.objects.get(pk=new.pk).merged_into_id is None
