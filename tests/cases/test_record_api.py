"""The case record API: scoped by the same selectors, field-keyed 400s, 403 by role."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import (
    CriminalJusticeOutcome,
    ProtectiveOrder,
    ReferenceCode,
    ReoffendingEvent,
)
from tests.factories_record import local_code, make_order


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _record_url(case):
    return reverse("api:case-record-detail", args=[case.pk])


def _counts():
    return (
        ProtectiveOrder.objects.count(),
        CriminalJusticeOutcome.objects.count(),
        ReoffendingEvent.objects.count(),
        ReferenceCode.objects.count(),
        AccessEvent.objects.filter(action__in=[Action.CREATE, Action.UPDATE]).count(),
    )


def test_record_read_and_patch(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    response = client.patch(
        _record_url(world.own_case),
        {
            "classification": "stalking",
            "classification_reason": "FOUR",
            "typologies": ["rejected", "resentful"],
            "tier": "not_known",
            "relationship": "former_partner",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["typologies"] == ["rejected", "resentful"]
    assert data["tier"] == "not_known" and data["relationship"] == "former_partner"
    assert data["status"] == "open" and data["monitoring_until"] is None
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=world.own_case).latest("id")
    assert "typologies" in event.detail["changed"]
    # Blank is "not recorded", distinct from "not known".
    response = client.patch(_record_url(world.own_case), {"tier": ""}, format="json")
    assert response.json()["tier"] == ""
    clinician = api(world.members[Role.CLINICIAN])
    assert clinician.get(_record_url(world.health_case)).status_code == 200
    assert clinician.get(_record_url(world.own_case)).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"classification": "stalking"}, "classification_reason"),
        ({"tier": "9"}, "tier"),
        ({"typologies": ["rejected", "no_such"]}, "typologies"),
        ({"relationship": "W1"}, "relationship"),  # an ethnicity code
        ({"lead_agency": 999999}, "lead_agency"),
    ],
)
def test_record_patch_bad_input_is_field_keyed_and_saves_nothing(body, field, api, world):
    client = api(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = client.patch(_record_url(world.own_case), body, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == 400 and field in response.json()["errors"]
    world.own_case.refresh_from_db()
    assert world.own_case.classification == "" and world.own_case.tier == ""
    assert _counts() == before


def test_record_patch_forbidden_for_non_writers(api, world):
    client = api(world.members[Role.CLINICIAN])
    response = client.patch(_record_url(world.health_case), {"tier": "1"}, format="json")
    assert response.status_code == 403 and response.json()["status"] == 403


def test_close_and_reopen(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    case = world.own_case
    close = reverse("api:case-record-close", args=[case.pk])
    response = client.post(close, {"reason": "not_a_reason"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(close, {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(close, {"reason": "risk_reduced"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "monitoring" and data["closure_reason"] == "risk_reduced"
    assert data["monitoring_until"]
    response = client.post(close, {"reason": "risk_reduced"}, format="json")
    assert response.status_code == 400  # already closed
    reopen = reverse("api:case-record-reopen", args=[case.pk])
    assert client.post(reopen, {}, format="json").status_code == 400
    response = client.post(reopen, {"reason": "New contact reported"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    actions = AccessEvent.objects.filter(action=Action.UPDATE, case=case).count()
    assert actions == 2


def test_timeline_api(api, world):
    make_order(world.own_case)
    client = api(world.members[Role.INVESTIGATOR])
    response = client.get(reverse("api:case-record-timeline", args=[world.own_case.pk]))
    assert response.status_code == 200
    titles = [e["title"] for e in response.json()]
    assert "Case opened" in titles and "Stalking protection order (full) applied for" in titles


def test_orders_and_breaches(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    case = world.own_case
    url = reverse("api:case-order-list", kwargs={"case_pk": case.pk})
    today = timezone.localdate()
    bad = {
        "subject": world.perpetrator.person.pk,
        "protected": world.victim.person.pk,
        "kind": "spo_full",
        "applied_on": str(today - timedelta(days=5)),
        "decision": "granted",
        "decided_on": str(today - timedelta(days=6)),
    }
    before = _counts()
    response = client.post(url, bad, format="json")
    assert response.status_code == 400 and "decided_on" in response.json()["errors"]
    response = client.post(
        url, {**bad, "expires_on": str(today - timedelta(days=5))}, format="json"
    )
    assert {"decided_on"} <= set(response.json()["errors"])
    response = client.post(url, {**bad, "subject": world.other_partnership_case.pk + 99999})
    assert response.status_code == 400 and "subject" in response.json()["errors"]
    assert _counts() == before

    good = {**bad, "decided_on": str(today - timedelta(days=4))}
    response = client.post(url, good, format="json")
    assert response.status_code == 201, response.json()
    order_id = response.json()["id"]
    assert response.json()["in_force"] is True
    assert AccessEvent.objects.filter(action=Action.CREATE, object_type="cases.ProtectiveOrder")

    breaches = reverse("api:case-order-breaches", kwargs={"case_pk": case.pk, "pk": order_id})
    response = client.post(breaches, {"occurred_on": str(today + timedelta(days=1))})
    assert response.status_code == 400 and "occurred_on" in response.json()["errors"]
    response = client.post(breaches, {"occurred_on": str(today)}, format="json")
    assert response.status_code == 201
    assert client.get(breaches).json()[0]["occurred_on"] == str(today)

    detail = reverse("api:case-order-detail", kwargs={"case_pk": case.pk, "pk": order_id})
    response = client.patch(
        detail,
        {
            "decision": "granted",
            "decided_on": str(today - timedelta(days=4)),
            "expires_on": str(today - timedelta(days=4)),
        },
        format="json",
    )
    assert response.status_code == 400 and "expires_on" in response.json()["errors"]
    response = client.patch(
        detail,
        {
            "decision": "granted",
            "decided_on": str(today - timedelta(days=4)),
            "expires_on": str(today + timedelta(days=730)),
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["expires_on"]
    # An order of another case is not reachable through this case.
    other = make_order(world.health_case)
    wrong = reverse("api:case-order-detail", kwargs={"case_pk": case.pk, "pk": other.pk})
    assert client.get(wrong).status_code == 404


def test_outcomes_api(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-outcome-list", kwargs={"case_pk": world.own_case.pk})
    body = {
        "person": world.perpetrator.person.pk,
        "outcome": "16",
        "outcome_on": str(timezone.localdate()),
    }
    before = _counts()
    for bad, field in (
        ({"outcome_on": "2999-01-01"}, "outcome_on"),
        ({"outcome": "008/65"}, "outcome"),
        ({"outcome": "99"}, "outcome"),
    ):
        response = client.post(url, {**body, **bad}, format="json")
        assert response.status_code == 400 and field in response.json()["errors"]
    assert _counts() == before
    response = client.post(url, body, format="json")
    assert response.status_code == 201 and response.json()["outcome"] == "16"
    assert client.get(url).json()[0]["outcome_label"].startswith("Victim declines")
    assert AccessEvent.objects.get(object_type="cases.CriminalJusticeOutcome").action == "create"
    denied = api(world.members[Role.CLINICIAN])
    health_url = reverse("api:case-outcome-list", kwargs={"case_pk": world.health_case.pk})
    assert denied.post(health_url, body, format="json").status_code == 403


def test_reoffending_api_by_source(api, world):
    case = world.advocacy_case  # led by advocacy, so the advocate sees it
    from tests.factories import add_party

    perpetrator = add_party(case, role="perpetrator").person
    client = api(world.members[Role.ADVOCATE])
    url = reverse("api:case-reoffending-list", kwargs={"case_pk": case.pk})
    body = {
        "perpetrator": perpetrator.pk,
        "occurred_on": str(timezone.localdate()),
        "victim": "same",
        "source": "police_report",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 400 and "source" in response.json()["errors"]
    response = client.post(url, {**body, "occurred_on": str(date(2000, 1, 1))}, format="json")
    assert response.status_code == 400 and "occurred_on" in response.json()["errors"]
    assert not ReoffendingEvent.objects.exists()
    response = client.post(url, {**body, "source": "advocate"}, format="json")
    assert response.status_code == 201
    assert AccessEvent.objects.get(object_type="cases.ReoffendingEvent").actor == (
        world.members[Role.ADVOCATE].user
    )
    assert client.get(url).json()[0]["source"] == "advocate"


def test_reference_codes_read_for_members_write_for_admin(api, world):
    mine = local_code(world.partnership, label="Our local reason")
    local_code(world.other_partnership_member.agency.partnership, label="Not ours")
    reader = api(world.members[Role.PARTNER])
    url = reverse("api:reference-code-list")
    response = reader.get(url, {"code_list": "closure_reason"})
    labels = [c["label"] for c in response.json()["results"]]
    assert "Our local reason" in labels and "Not ours" not in labels
    assert reader.post(url, {"code_list": "typology", "code": "x", "label": "X"}).status_code == 403

    admin = api(world.members[Role.PARTNERSHIP_ADMIN])
    before = _counts()
    response = admin.post(url, {"code_list": "closure_reason", "code": "other", "label": "Mine"})
    assert response.status_code == 400 and "code" in response.json()["errors"]
    response = admin.post(url, {"code_list": "outcome", "code": "99", "label": "Local outcome"})
    assert response.status_code == 400 and "code_list" in response.json()["errors"]
    assert _counts() == before
    response = admin.post(url, {"code_list": "typology", "code": "obsessive", "label": "Obsessive"})
    assert response.status_code == 201 and response.json()["national"] is False

    relabel = reverse("api:reference-code-relabel", args=[mine.pk])
    response = admin.post(relabel, {"label": "Our better reason"}, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 2 and response.json()["supersedes"] == mine.pk
    national = ReferenceCode.objects.get(partnership=None, code_list="typology", code="rejected")
    assert (
        admin.post(
            reverse("api:reference-code-relabel", args=[national.pk]), {"label": "x"}
        ).status_code
        == 404
    )
    retire = reverse("api:reference-code-retire", args=[response.json()["id"]])
    assert admin.post(retire, {}, format="json").status_code == 400
    response = admin.post(retire, {"effective_to": str(timezone.localdate() + timedelta(days=1))})
    assert response.status_code == 200 and response.json()["effective_to"]
    current = reader.get(url, {"code_list": "closure_reason", "current": "true"}).json()["results"]
    assert "Our local reason" not in [c["label"] for c in current]
