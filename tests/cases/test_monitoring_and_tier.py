"""The case's monitoring start date and tier "none" (issue 13).

A migrated case had to store its monitoring start as a closure date; now the record holds
it, and the six months of monitoring after closure count from it. "No tier" is a decision,
distinct from a tier not recorded yet."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case, CodeList, Tier
from cases.models.case import add_months
from cases.services import record as record_services
from tests.factories_record import national


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _record_url(case):
    return reverse("api:case-record-detail", args=[case.pk])


def _opened(case, on):
    Case.objects.filter(pk=case.pk).update(opened_on=on)
    case.refresh_from_db()
    return case


def _update(world, case, **fields):
    member = world.members[Role.INVESTIGATOR]
    return record_services.record_update(actor=member.user, membership=member, case=case, **fields)


# ---------------------------------------------------------------- monitoring start


def test_monitoring_counts_from_the_recorded_start_not_the_closure(world):
    today = timezone.localdate()
    case = _opened(world.own_case, today - timedelta(days=400))
    case.closed_on = today - timedelta(days=10)
    assert case.monitoring_until == add_months(case.closed_on, 6)
    assert case.status == "monitoring"
    # Monitoring began eight months ago: its six months are over, so the case is closed.
    case.monitoring_started_on = today - timedelta(days=240)
    assert case.monitoring_from == case.monitoring_started_on
    assert case.monitoring_until == add_months(case.monitoring_started_on, 6)
    assert case.status == "closed"
    # An open case is open, whatever its monitoring start.
    case.closed_on = None
    assert case.status == "open" and case.monitoring_until is None


def test_record_update_saves_the_monitoring_start_with_history_and_audit(world):
    case = _opened(world.own_case, date(2018, 2, 1))
    _case, changed = _update(world, case, monitoring_started_on=date(2018, 9, 1))
    case.refresh_from_db()
    assert case.monitoring_started_on == date(2018, 9, 1)
    assert changed["monitoring_started_on"] == ["", "2018-09-01"]
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=case).latest("id")
    assert "monitoring_started_on" in event.detail["changed"]
    assert case.history.first().monitoring_started_on == date(2018, 9, 1)
    titles = [e.text for e in _timeline(world, case)]
    assert any("Monitoring started: not recorded → 1 September 2018" in t for t in titles)


def _timeline(world, case):
    from cases.selectors import record as record_selectors

    return record_selectors.timeline(world.members[Role.INVESTIGATOR], case)


@pytest.mark.parametrize(
    "started, message",
    [
        (lambda today: today + timedelta(days=1), "cannot be in the future"),
        (lambda today: date(2018, 1, 31), "before the case was opened (1 February 2018)"),
    ],
)
def test_an_impossible_monitoring_start_is_refused_and_nothing_saved(world, started, message):
    case = _opened(world.own_case, date(2018, 2, 1))
    with pytest.raises(ValidationError) as refused:
        _update(world, case, tier=Tier.TIER_2, monitoring_started_on=started(timezone.localdate()))
    assert list(refused.value.message_dict) == ["monitoring_started_on"]
    assert message in refused.value.message_dict["monitoring_started_on"][0]
    case.refresh_from_db()
    assert case.monitoring_started_on is None and case.tier == ""


def test_the_api_reads_and_writes_the_monitoring_start(api, world):
    case = _opened(world.own_case, date(2018, 2, 1))
    Case.objects.filter(pk=case.pk).update(closed_on=date(2019, 1, 10))
    client = api(world.members[Role.INVESTIGATOR])
    response = client.patch(
        _record_url(case), {"monitoring_started_on": "2018-09-01"}, format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["monitoring_started_on"] == "2018-09-01"
    assert data["monitoring_until"] == "2019-03-01" and data["status"] == "closed"
    bad = client.patch(_record_url(case), {"monitoring_started_on": "2017-12-31"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["monitoring_started_on"]
    cleared = client.patch(_record_url(case), {"monitoring_started_on": None}, format="json")
    assert cleared.json()["monitoring_started_on"] is None
    assert cleared.json()["monitoring_until"] == "2019-07-10"  # from the closure again


def test_the_record_form_takes_the_monitoring_start(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    case = _opened(world.own_case, date(2018, 2, 1))
    url = reverse("cases:record-edit", args=[case.pk])
    post = {
        "lead_agency": world.agencies["police"].pk,
        "relationship": national(CodeList.RELATIONSHIP, "former_partner").pk,
    }
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(url, {**post, "monitoring_started_on": future})
    assert response.status_code == 400
    assert "monitoring_started_on" in response.context["form"].errors
    case.refresh_from_db()
    assert case.monitoring_started_on is None and case.relationship is None
    response = client.post(url, {**post, "monitoring_started_on": "1/9/2018"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.monitoring_started_on == date(2018, 9, 1)
    page = client.get(reverse("cases:record", args=[case.pk])).content.decode()
    assert "1 September 2018" in page


def test_reopening_ends_the_recorded_monitoring(world):
    member = world.members[Role.INVESTIGATOR]
    case = _opened(world.own_case, timezone.localdate() - timedelta(days=300))
    _update(world, case, monitoring_started_on=timezone.localdate() - timedelta(days=250))
    case.refresh_from_db()
    record_services.case_close(
        actor=member.user,
        membership=member,
        case=case,
        reason=national(CodeList.CLOSURE_REASON, "risk_reduced"),
    )
    case.refresh_from_db()
    assert case.status == "closed"  # monitored from 250 days ago: over
    record_services.case_reopen(actor=member.user, membership=member, case=case, reason="New")
    case.refresh_from_db()
    assert case.monitoring_started_on is None
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=case).latest("id")
    assert "monitoring_started_on" in event.detail["previously"]
    # Closed again, it is monitored for six months from the new closure.
    record_services.case_close(
        actor=member.user,
        membership=member,
        case=case,
        reason=national(CodeList.CLOSURE_REASON, "risk_reduced"),
    )
    case.refresh_from_db()
    assert case.status == "monitoring"


# ---------------------------------------------------------------- tier "none"


def test_no_tier_is_a_decision_distinct_from_not_recorded(api, client, login, world):
    case = world.own_case
    api_client = api(world.members[Role.INVESTIGATOR])
    response = api_client.patch(_record_url(case), {"tier": "none"}, format="json")
    assert response.status_code == 200 and response.json()["tier"] == "none"
    login(world.members[Role.INVESTIGATOR])
    record_page = reverse("cases:record", args=[case.pk])
    page = client.get(record_page).content.decode()
    assert "No tier: not accepted for tiered work" in page
    overview = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "No tier: not accepted for tiered work" in overview

    response = api_client.patch(_record_url(case), {"tier": ""}, format="json")
    assert response.json()["tier"] == ""
    page = client.get(record_page).content.decode()
    assert "No tier" not in page and "Not recorded yet" in page
    history = [row.tier for row in case.history.order_by("history_id")]
    assert history[-2:] == ["none", ""]
    timeline = [e.text for e in _timeline(world, case)]
    assert any("Tier: No tier: not accepted for tiered work → not recorded" in t for t in timeline)


def test_a_clinic_decision_of_no_tier_reaches_the_case(client, login, world):
    from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
    from triage.services import clinics as clinic_services
    from triage.services import discussions as discussion_services

    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership, chair=chair.user, agencies=[world.agencies["police"]]
    )
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate())
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    item = AgendaItemFactory(meeting=meeting, case=world.own_case)
    discussion_services.discussion_record(
        actor=chair.user,
        membership=chair,
        item=item,
        summary="Looked at: no tiered work.",
        classification="not_stalking",
        risk_judgement="low",
        tier="none",
        decision="not_stalking",
    )
    world.own_case.refresh_from_db()
    assert world.own_case.tier == Tier.NONE
    login(chair)
    html = client.get(
        reverse("triage:clinic-case-discussions", args=[world.own_case.pk])
    ).content.decode()
    assert "No tier: not accepted for tiered work" in html
