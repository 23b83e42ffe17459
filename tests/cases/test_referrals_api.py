"""Referral API: new fields, status filter, screen and decide."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseAgency, CaseParty, Person, Referral
from cases.selectors.core import cases_visible_to
from tests.factories import make_referral


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


@pytest.fixture
def referral(world):
    perp = Person.objects.create(
        partnership=world.partnership, given_names="Carl", family_name="Voss"
    )
    return make_referral(world.members[Role.ADVOCATE], perpetrator=perp, reason="Self-referral")


def _screen(client, referral, **data):
    return client.post(reverse("api:referral-screen", args=[referral.pk]), data, format="json")


def _decide(client, referral, **data):
    return client.post(reverse("api:referral-decide", args=[referral.pk]), data, format="json")


def test_create_with_sharing_basis_and_bad_input(api, world):
    client = api(world.members[Role.PROBATION_OFFICER])
    url = reverse("api:referral-list")
    base = {"source": "probation", "received_on": "2026-04-01", "reason": "Breach"}
    no_date = client.post(url, {**base, "sharing_basis": "consent"}, format="json")
    assert no_date.status_code == 400
    assert no_date.json()["errors"] == {
        "consent_recorded_on": ["Enter the date consent was given."]
    }
    bad_basis = client.post(url, {**base, "sharing_basis": "gut feeling"}, format="json")
    assert bad_basis.status_code == 400 and "sharing_basis" in bad_basis.json()["errors"]
    stray = client.post(
        url,
        {**base, "sharing_basis": "public_task", "consent_recorded_on": "2026-01-01"},
        format="json",
    )
    assert stray.status_code == 400 and "consent_recorded_on" in stray.json()["errors"]
    assert Referral.objects.count() == 0
    ok = client.post(
        url,
        {**base, "sharing_basis": "consent", "consent_recorded_on": "2026-03-30"},
        format="json",
    )
    assert ok.status_code == 201
    body = ok.json()
    assert body["status"] == "received" and body["sharing_basis"] == "consent"
    assert body["source_label"] == "Probation"
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.Referral", object_id=str(body["id"])
    ).exists()


def test_lifecycle_accept_shares_with_the_referring_agency(api, world, referral):
    advocate = world.members[Role.ADVOCATE]
    client = api(world.members[Role.INVESTIGATOR])
    early = _decide(client, referral, decision="accepted")
    assert early.status_code == 400
    assert early.json()["errors"] == {"decision": ["Screen the referral before deciding on it."]}
    screened = _screen(client, referral, note="PNC checked")
    assert screened.status_code == 200 and screened.json()["status"] == "screened"
    assert _screen(client, referral).status_code == 400
    accepted = _decide(client, referral, decision="accepted", summary="Ex-partner stalking")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["case_reference"]
    case = Referral.objects.get(pk=referral.pk).case
    assert case.summary == "Ex-partner stalking"
    assert CaseAgency.objects.filter(case=case, agency=advocate.agency).exists()
    assert CaseParty.objects.filter(case=case, person=referral.perpetrator).exists()
    assert case in cases_visible_to(advocate)
    assert api(advocate).get(reverse("api:case-detail", args=[case.pk])).status_code == 200
    twice = _decide(client, referral, decision="declined", reason="x")
    assert twice.status_code == 400 and "already decided" in twice.json()["errors"]["decision"][0]
    assert (
        AccessEvent.objects.filter(object_id=str(referral.pk), detail__lifecycle="decided").count()
        == 1
    )


def test_decide_bad_input_and_scope(api, world, referral):
    client = api(world.members[Role.CLINIC_CHAIR])
    _screen(client, referral)
    no_reason = _decide(client, referral, decision="not_stalking")
    assert no_reason.json() == {
        "status": 400,
        "errors": {"reason": ["Enter the reason for this decision."]},
    }
    wrong = _decide(client, referral, decision="maybe", case="abc")
    assert {"decision", "case"} <= set(wrong.json()["errors"])
    police = api(world.members[Role.INVESTIGATOR])
    unseen = _decide(police, referral, decision="accepted", case=world.advocacy_case.pk)
    assert unseen.status_code == 400 and "case" in unseen.json()["errors"]
    foreign = make_referral(world.other_partnership_member)
    assert _screen(police, foreign).status_code == 404
    assert _screen(api(world.members[Role.PROBATION_OFFICER]), referral).status_code == 403
    assert Referral.objects.get(pk=referral.pk).decision == ""


def test_status_filter_and_fixed_query_count(api, world, referral):
    member = world.members[Role.INVESTIGATOR]
    client = api(member)
    url = reverse("api:referral-list")
    _screen(client, referral)
    for _ in range(3):
        make_referral(member, case=world.own_case)
    received = client.get(url, {"status": "received"}).json()
    assert referral.pk not in [r["id"] for r in received["results"]] and received["count"] == 3
    screened = client.get(url, {"status": "screened"}).json()
    assert [r["id"] for r in screened["results"]] == [referral.pk]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        make_referral(member, case=world.own_case)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)
