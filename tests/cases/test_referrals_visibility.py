"""Which referrals each reader sees, and which of their fields (issue 9, item 1).

The rule (cases.selectors.core.referrals_visible_to): every agency sees the referrals it
made and those on cases visible to it; police also see the referrals waiting to be
screened (no case yet, not a self-referral via advocacy); the clinic chair and the
partnership admin see all. The case (id, reference, link) shows only to a reader who may
see that case, in every list, detail, filter, API representation and count.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import CodeList, ReferenceCode
from tests.factories import make_referral, open_case


def _source(code):
    return ReferenceCode.objects.get(code_list=CodeList.REFERRAL_SOURCE, code=code)


@pytest.fixture
def scene(world):
    chair = world.members[Role.CLINIC_CHAIR]
    cps_case = open_case(chair, lead_agency=world.agencies["cps"])  # cps + health, not police
    advocate = world.members[Role.ADVOCATE]
    probation = world.members[Role.PROBATION_OFFICER]
    health = world.members[Role.CLINICIAN]
    return {
        "cps_case": cps_case,
        "self_referral": make_referral(
            advocate, source=_source("self_via_advocacy"), reason="Self-referral via advocacy"
        ),
        "advocacy_on_case": make_referral(advocate, case=world.advocacy_case, reason="Adv joined"),
        "probation_on_cps": make_referral(probation, case=cps_case, reason="Probation joined"),
        "health_waiting": make_referral(health, source=_source("health"), reason="Health new"),
        "police_on_own": make_referral(world.members[Role.INVESTIGATOR], case=world.own_case),
    }


def _api(login, membership):
    client = APIClient()
    login(membership, client)
    return client


def _api_ids(client, **params):
    body = client.get(reverse("api:referral-list"), params).json()
    return {row["id"]: row for row in body["results"]}, body


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.POLICE_SUPERVISOR])
def test_police_see_what_they_screen_and_nothing_of_cases_not_shared(
    world, scene, client, login, role
):
    member = world.members[role]
    login(member)
    page = client.get(reverse("cases:referrals")).content.decode()
    for hidden in ("self_referral", "advocacy_on_case", "probation_on_cps"):
        assert reverse("cases:referral-detail", args=[scene[hidden].pk]) not in page, hidden
    assert world.advocacy_case.reference not in page
    assert scene["cps_case"].reference not in page
    assert reverse("cases:referral-detail", args=[scene["health_waiting"].pk]) in page
    assert world.own_case.reference in page  # their own case: shown and linked
    rows, body = _api_ids(_api(login, member))
    assert set(rows) == {scene["health_waiting"].pk, scene["police_on_own"].pk}
    assert body["count"] == 2
    assert rows[scene["police_on_own"].pk]["case_reference"] == world.own_case.reference
    received, body = _api_ids(_api(login, member), status="received")
    assert set(received) == {scene["health_waiting"].pk, scene["police_on_own"].pk}
    # Police cannot open or screen an advocacy self-referral (the chair's route).
    for name in ("self_referral", "advocacy_on_case", "probation_on_cps"):
        pk = scene[name].pk
        assert client.get(reverse("cases:referral-detail", args=[pk])).status_code == 404
        assert client.post(reverse("cases:referral-screen", args=[pk])).status_code == 404
        api = _api(login, member)
        assert api.get(reverse("api:referral-detail", args=[pk])).status_code == 404
        screen = api.post(reverse("api:referral-screen", args=[pk]), {}, format="json")
        assert screen.status_code == 404
    scene["self_referral"].refresh_from_db()
    assert scene["self_referral"].screened_at is None


def test_referrer_sees_its_referral_but_not_the_case_it_joined(world, scene, client, login):
    probation = world.members[Role.PROBATION_OFFICER]
    referral, reference = scene["probation_on_cps"], scene["cps_case"].reference
    login(probation)
    listing = client.get(reverse("cases:referrals")).content.decode()
    assert reverse("cases:referral-detail", args=[referral.pk]) in listing
    assert reference not in listing
    assert "A case not shared with your agency" in listing
    detail = client.get(reverse("cases:referral-detail", args=[referral.pk]))
    assert detail.status_code == 200
    assert reference not in detail.content.decode()
    api = _api(login, probation)
    rows, _ = _api_ids(api)
    assert rows[referral.pk]["case"] is None and rows[referral.pk]["case_reference"] is None
    one = api.get(reverse("api:referral-detail", args=[referral.pk])).json()
    assert one["case"] is None and one["case_reference"] is None
    assert reference not in str(one)


def test_agencies_see_referrals_on_their_cases_with_the_reference(world, scene, client, login):
    health = world.members[Role.CLINICIAN]  # the advocacy case is shared with health
    login(health)
    rows, _ = _api_ids(_api(login, health))
    assert rows[scene["advocacy_on_case"].pk]["case_reference"] == world.advocacy_case.reference
    assert rows[scene["probation_on_cps"].pk]["case_reference"] == scene["cps_case"].reference
    assert scene["self_referral"].pk not in rows
    assert scene["police_on_own"].pk not in rows


def test_the_chair_sees_and_screens_the_advocacy_self_referral(world, scene, client, login):
    chair = world.members[Role.CLINIC_CHAIR]
    referral = scene["self_referral"]
    api = _api(login, chair)
    rows, body = _api_ids(api)
    assert body["count"] == len(scene) - 1  # every referral (cps_case is not one)
    assert api.get(reverse("api:referral-detail", args=[referral.pk])).status_code == 200
    screened = api.post(
        reverse("api:referral-screen", args=[referral.pk]), {"note": "Chair"}, format="json"
    )
    assert screened.status_code == 200
    referral.refresh_from_db()
    assert referral.screened_at is not None
