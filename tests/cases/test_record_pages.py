"""The case page's sections: who reads, who writes, bad input saves nothing, audit rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import (
    Case,
    CodeList,
    CriminalJusticeOutcome,
    OrderBreach,
    ProtectiveOrder,
    ReoffendingEvent,
)
from tests.factories import add_party, make_referral
from tests.factories_record import (
    make_breach,
    make_crime,
    make_order,
    make_outcome,
    make_reoffending,
    national,
)

SECTIONS = (
    "detail",
    "parties",
    "record",
    "linked-crimes",
    "orders",
    "outcomes",
    "reoffending",
    "closure",
    "timeline",
    "sharing",
)


def _url(name, pk):
    return reverse(f"cases:{name}", args=[pk])


def _counts():
    return (
        ProtectiveOrder.objects.count(),
        OrderBreach.objects.count(),
        CriminalJusticeOutcome.objects.count(),
        ReoffendingEvent.objects.count(),
        AccessEvent.objects.filter(action__in=[Action.CREATE, Action.UPDATE]).count(),
    )


def _d(day):
    return day.strftime("%d/%m/%Y")


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_is_read_by_linked_agencies_and_404_for_others(section, client, login, world):
    login(world.members[Role.CLINICIAN])
    response = client.get(_url(section, world.health_case.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="moj-sub-navigation__list"' in body
    assert body.count('aria-current="page"') == 1
    assert client.get(_url(section, world.own_case.pk)).status_code == 404
    assert client.get(_url(section, world.other_partnership_case.pk)).status_code == 404
    view = AccessEvent.objects.filter(action=Action.VIEW, case=world.health_case).latest("id")
    assert view.actor == world.members[Role.CLINICIAN].user


def test_sections_without_javascript_link_to_each_other(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    body = client.get(_url("detail", world.own_case.pk)).content.decode()
    for section in SECTIONS:
        assert f'href="{_url(section, world.own_case.pk)}"' in body


# ---------------------------------------------------------------- record


def _record_post(world, **overrides):
    data = {
        "classification": "stalking",
        "classification_reason": "Fixated, obsessive, unwanted and repeated (FOUR).",
        "offence_level": "s4a",
        "relationship": national(CodeList.RELATIONSHIP, "former_partner").pk,
        "typologies": [
            national(CodeList.TYPOLOGY, "rejected").pk,
            national(CodeList.TYPOLOGY, "resentful").pk,
        ],
        "tier": "not_known",
        "priority": "high",
        "lead_agency": world.agencies["police"].pk,
        "officer_in_charge": world.members[Role.INVESTIGATOR].user.pk,
    }
    data.update(overrides)
    return data


def test_record_edit_saves_several_typologies_and_not_known(client, login, world):
    member = world.members[Role.POLICE_SUPERVISOR]
    login(member)
    case = world.own_case
    response = client.post(_url("record-edit", case.pk), _record_post(world))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.classification == "stalking" and case.offence_level == "s4a"
    assert case.tier == "not_known"  # a value, distinct from blank
    assert {t.code for t in case.typologies.all()} == {"rejected", "resentful"}
    assert case.relationship.code == "former_partner"
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=case).latest("id")
    assert event.actor == member.user
    assert set(event.detail["changed"]) >= {"classification", "tier", "typologies"}
    assert case.history.first().tier == "not_known"
    page = client.get(_url("record", case.pk)).content.decode()
    assert "Rejected, Resentful" in page and "Not known" in page


def test_blank_tier_is_not_recorded_not_not_known(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    client.post(_url("record-edit", world.own_case.pk), _record_post(world, tier=""))
    world.own_case.refresh_from_db()
    assert world.own_case.tier == ""
    assert "Not recorded yet" in client.get(_url("record", world.own_case.pk)).content.decode()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"classification_reason": ""}, "classification_reason"),
        ({"tier": "7"}, "tier"),
        ({"offence_level": "s9"}, "offence_level"),
        ({"lead_agency": ""}, "lead_agency"),
        ({"typologies": ["999999"]}, "typologies"),
        ({"relationship": "__ETHNICITY__"}, "relationship"),
        ({"officer_in_charge": "__CLINICIAN__"}, "officer_in_charge"),
    ],
)
def test_record_edit_bad_input_saves_nothing(overrides, field, client, login, world):
    if overrides.get("relationship") == "__ETHNICITY__":
        overrides = {"relationship": national(CodeList.ETHNICITY, "W1").pk}
    if overrides.get("officer_in_charge") == "__CLINICIAN__":
        overrides = {"officer_in_charge": world.members[Role.CLINICIAN].user.pk}
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = client.post(_url("record-edit", world.own_case.pk), _record_post(world, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "govuk-error-summary" in response.content.decode()
    world.own_case.refresh_from_db()
    assert world.own_case.classification == "" and not world.own_case.typologies.exists()
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADVOCATE, Role.PARTNERSHIP_ADMIN])
def test_record_edit_is_for_police_and_chair_only(role, client, login, world):
    login(world.members[role])
    response = client.post(_url("record-edit", world.health_case.pk), _record_post(world))
    assert response.status_code == 403
    world.health_case.refresh_from_db()
    assert world.health_case.classification == ""


def test_clinic_chair_edits_the_record(client, login, world):
    login(world.members[Role.CLINIC_CHAIR])
    response = client.post(_url("record-edit", world.advocacy_case.pk), _record_post(world))
    assert response.status_code == 302


# ---------------------------------------------------------------- orders


def _order_post(world, **overrides):
    today = timezone.localdate()
    data = {
        "subject": world.perpetrator.person.pk,
        "protected": world.victim.person.pk,
        "kind": "spo_interim",
        "applied_on": _d(today - timedelta(days=10)),
        "decision": "granted",
        "decided_on": _d(today - timedelta(days=8)),
        "conditions": "Not to contact the victim directly or indirectly.",
        "positive_requirements": "Attend a fACT intervention.",
        "expires_on": _d(today + timedelta(days=730)),
    }
    data.update(overrides)
    return data


def test_order_breach_and_decision(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    case = world.own_case
    response = client.post(_url("order-new", case.pk), _order_post(world))
    assert response.status_code == 302
    order = ProtectiveOrder.objects.get(case=case)
    assert order.is_in_force()
    created = AccessEvent.objects.get(action=Action.CREATE, object_type="cases.ProtectiveOrder")
    assert created.case == case and created.actor == member.user

    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("cases:breach-new", args=[order.pk]),
        {"occurred_on": _d(yesterday), "crime_reference": "CR/1/26"},
    )
    assert response.status_code == 302
    assert order.breaches.get().occurred_on == yesterday
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.OrderBreach"
    ).exists()

    response = client.post(
        reverse("cases:order-decide", args=[order.pk]),
        {
            "decision": "withdrawn",
            "decided_on": _d(yesterday),
            "conditions": order.conditions,
            "positive_requirements": order.positive_requirements,
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.decision == "withdrawn" and not order.is_in_force()
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.ProtectiveOrder"
    ).exists()
    page = client.get(_url("orders", case.pk)).content.decode()
    assert "CR/1/26" in page and "Attend a fACT intervention." in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"decided_on": "__BEFORE_APPLIED__"}, "decided_on"),
        ({"expires_on": "__BEFORE_DECISION__"}, "expires_on"),
        ({"applied_on": "1/1/2999"}, "applied_on"),
        ({"decision": "pending"}, "decided_on"),
        ({"decided_on": ""}, "decided_on"),
        ({"kind": "curfew"}, "kind"),
        ({"subject": "__NOT_A_PARTY__"}, "subject"),
        ({"applied_on": "31/2/2025"}, "applied_on"),
    ],
)
def test_order_bad_input_saves_nothing(overrides, field, client, login, world):
    today = timezone.localdate()
    special = {
        "__BEFORE_APPLIED__": _d(today - timedelta(days=20)),
        "__BEFORE_DECISION__": _d(today - timedelta(days=9)),
        "__NOT_A_PARTY__": world.other_partnership_case.created_by.pk + 100000,
    }
    overrides = {k: special.get(v, v) for k, v in overrides.items()}
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = client.post(_url("order-new", world.own_case.pk), _order_post(world, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _counts() == before


def test_breach_bad_input_saves_nothing(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    pending = make_order(world.own_case, decision="pending")
    granted = make_order(world.own_case)
    before = _counts()
    url = reverse("cases:breach-new", args=[pending.pk])
    assert client.post(url, {"occurred_on": _d(timezone.localdate())}).status_code == 400
    url = reverse("cases:breach-new", args=[granted.pk])
    early = granted.decided_on - timedelta(days=1)
    response = client.post(url, {"occurred_on": _d(early)})
    assert response.status_code == 400 and "occurred_on" in response.context["form"].errors
    response = client.post(url, {"occurred_on": "", "reported_on": "nonsense"})
    assert {"occurred_on", "reported_on"} <= set(response.context["form"].errors)
    assert _counts() == before


def test_order_of_a_case_out_of_scope_is_404(client, login, world):
    order = make_order(world.own_case)
    login(world.members[Role.CLINIC_CHAIR])  # partnership-wide: reaches it
    assert client.get(reverse("cases:order-decide", args=[order.pk])).status_code == 200
    login(world.other_partnership_member)
    assert client.get(reverse("cases:order-decide", args=[order.pk])).status_code == 404


# ---------------------------------------------------------------- outcomes


def test_outcome_recorded_with_home_office_code(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    response = client.post(
        _url("outcome-new", world.own_case.pk),
        {
            "person": world.perpetrator.person.pk,
            "outcome": national(CodeList.OUTCOME, "1").pk,
            "outcome_on": _d(timezone.localdate()),
            "charge": "Stalking involving serious alarm or distress",
            "convicted": "yes",
            "sentence": "Community order, 12 months",
        },
    )
    assert response.status_code == 302
    outcome = CriminalJusticeOutcome.objects.get()
    assert outcome.convicted is True and outcome.outcome.code == "1"
    event = AccessEvent.objects.get(object_type="cases.CriminalJusticeOutcome")
    assert event.action == Action.CREATE and event.actor == member.user
    assert (
        "1 – Charged or summonsed"
        in client.get(_url("outcomes", world.own_case.pk)).content.decode()
    )


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"outcome_on": "1/1/2999"}, "outcome_on"),
        ({"outcome": "__OFFENCE__"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"sentence": "Prison", "convicted": ""}, "sentence"),
        ({"person": ""}, "person"),
    ],
)
def test_outcome_bad_input_saves_nothing(overrides, field, client, login, world):
    if overrides.get("outcome") == "__OFFENCE__":
        overrides["outcome"] = national(CodeList.OFFENCE, "8L").pk
    data = {
        "person": world.perpetrator.person.pk,
        "outcome": national(CodeList.OUTCOME, "16").pk,
        "outcome_on": _d(timezone.localdate()),
        "charge": "",
        "convicted": "",
    }
    data.update(overrides)
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = client.post(_url("outcome-new", world.own_case.pk), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _counts() == before


# ---------------------------------------------------------------- re-offending


def _reoffending_post(world, **overrides):
    data = {
        "perpetrator": world.perpetrator.person.pk,
        "occurred_on": _d(timezone.localdate()),
        "victim": "new",
        "source": "police_report",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "role, source", [(Role.ADVOCATE, "advocate"), (Role.PROBATION_OFFICER, "probation")]
)
def test_probation_and_advocates_record_reoffending_from_their_own_source(
    role, source, client, login, world
):
    investigator = world.members[Role.INVESTIGATOR]
    from cases.services import core as services

    for key in ("advocacy", "probation"):
        services.case_share(
            actor=investigator.user,
            membership=investigator,
            case=world.own_case,
            agency=world.agencies[key],
            reason="Clinic",
        )
    login(world.members[role])
    url = _url("reoffending-new", world.own_case.pk)
    before = _counts()
    response = client.post(url, _reoffending_post(world, source="police_report"))
    assert response.status_code == 400 and "source" in response.context["form"].errors
    assert _counts() == before
    response = client.post(url, _reoffending_post(world, source=source))
    assert response.status_code == 302
    event = ReoffendingEvent.objects.get()
    assert event.source == source and event.victim == "new"
    audit = AccessEvent.objects.get(object_type="cases.ReoffendingEvent")
    assert audit.action == Action.CREATE and audit.actor == world.members[role].user


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.PARTNER, Role.MANAGER])
def test_other_roles_cannot_record_reoffending(role, client, login, world):
    login(world.members[role])
    response = client.post(_url("reoffending-new", world.health_case.pk), _reoffending_post(world))
    assert response.status_code == 403
    assert not ReoffendingEvent.objects.exists()


def test_reoffending_cannot_predate_the_first_referral_or_opening(client, login, world):
    case = world.own_case
    Case.objects.filter(pk=case.pk).update(opened_on=date(2025, 6, 1))
    make_referral(world.members[Role.INVESTIGATOR], case=case, received_on=date(2025, 5, 20))
    login(world.members[Role.INVESTIGATOR])
    url = _url("reoffending-new", case.pk)
    response = client.post(url, _reoffending_post(world, occurred_on="19/5/2025"))
    assert response.status_code == 400
    assert "20 May 2025" in response.context["form"].errors["occurred_on"][0]
    for bad in (
        {"occurred_on": "1/1/2999"},
        {"victim": ""},
        {"perpetrator": world.victim.person.pk},
    ):
        assert client.post(url, _reoffending_post(world, **bad)).status_code == 400
    assert not ReoffendingEvent.objects.exists()
    assert client.post(url, _reoffending_post(world, occurred_on="20/5/2025")).status_code == 302


# ---------------------------------------------------------------- closure


def test_close_needs_a_controlled_reason_then_monitoring_then_reopen(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    case = world.own_case
    url = _url("closure", case.pk)
    before = _counts()
    for bad in (
        {"reason": "", "closed_on": _d(timezone.localdate())},
        {"reason": national(CodeList.OUTCOME, "1").pk, "closed_on": _d(timezone.localdate())},
        {"reason": national(CodeList.CLOSURE_REASON, "other").pk, "closed_on": "1/1/2999"},
    ):
        response = client.post(url, bad)
        assert response.status_code == 400
    response = client.post(
        url,
        {"reason": national(CodeList.CLOSURE_REASON, "other").pk, "closed_on": _d(case.opened_on)},
    )
    assert response.status_code == 400 and "note" in response.context["form"].errors
    assert _counts() == before
    case.refresh_from_db()
    assert case.status == "open"

    reason = national(CodeList.CLOSURE_REASON, "risk_reduced")
    response = client.post(url, {"reason": reason.pk, "closed_on": _d(case.opened_on)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "monitoring" and case.closure_reason == reason
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=case).latest("id")
    assert event.detail["closure_reason"] == "risk_reduced" and event.actor == member.user
    page = client.get(url).content.decode()
    assert "Monitored until" in page and "Reopen the case" in page
    overview = client.get(_url("detail", case.pk)).content.decode()
    assert "Closed: monitoring until" in overview

    reopen = _url("reopen", case.pk)
    response = client.post(reopen, {"reason": ""})
    assert response.status_code == 400
    response = client.post(reopen, {"reason": "New report of contact via social media."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.closure_reason is None
    event = AccessEvent.objects.filter(action=Action.UPDATE, case=case).latest("id")
    assert event.detail["reopened"] is True
    assert event.reason.startswith("New report")
    # Reopening an open case is refused.
    assert client.post(reopen, {"reason": "again"}).status_code == 400


def test_non_writers_cannot_close(client, login, world):
    login(world.members[Role.CLINICIAN])
    reason = national(CodeList.CLOSURE_REASON, "risk_reduced")
    response = client.post(_url("closure", world.health_case.pk), {"reason": reason.pk})
    assert response.status_code == 403
    world.health_case.refresh_from_db()
    assert world.health_case.closed_on is None


@pytest.mark.parametrize(
    "closed_on, last_day",
    [
        (date(2025, 8, 31), date(2026, 2, 28)),  # 31 August + 6 months: end of February
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2025, 1, 15), date(2025, 7, 15)),
        (date(2025, 12, 31), date(2026, 6, 30)),
    ],
)
def test_status_by_date_open_monitoring_closed(closed_on, last_day, world):
    case = world.own_case
    case.opened_on = closed_on - timedelta(days=100)
    case.closed_on = closed_on
    assert case.monitoring_until == last_day
    assert case.status_on(closed_on - timedelta(days=1)) == "open"
    assert case.status_on(closed_on) == "monitoring"
    assert case.status_on(last_day) == "monitoring"
    assert case.status_on(last_day + timedelta(days=1)) == "closed"
    case.closed_on = None
    assert case.status_on(last_day) == "open" and case.monitoring_until is None


def test_closed_after_monitoring_is_shown_as_closed(client, login, world):
    case = world.own_case
    Case.objects.filter(pk=case.pk).update(
        opened_on=date(2024, 1, 1),
        closed_on=date(2024, 8, 31),
        closure_reason=national(CodeList.CLOSURE_REASON, "risk_reduced"),
    )
    login(world.members[Role.INVESTIGATOR])
    page = client.get(_url("closure", case.pk)).content.decode()
    assert "Ended on 28 February 2025" in page
    assert 'govuk-tag--grey">Closed<' in page


# ---------------------------------------------------------------- linked crimes


def test_linked_crimes_count_a_course_of_conduct_once(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    from cases.services import core as services

    services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["health"],
        reason="Clinic",
    )
    first = make_crime(world.own_case, crime_reference="CR/100/26", summary="Police-only words")
    make_crime(world.own_case, crime_reference="CR/101/26", same_course_as=first)
    make_crime(world.own_case, crime_reference="CR/102/26", same_course_as=first)
    make_crime(world.own_case, crime_reference="CR/200/26")
    make_crime(world.health_case, crime_reference="CR/999/26")

    login(investigator)
    body = client.get(_url("linked-crimes", world.own_case.pk)).content.decode()
    assert "2 courses of conduct from 4 crime reports" in body
    assert "Police-only words" in body
    assert "CR/999/26" not in body

    login(world.members[Role.CLINICIAN])
    body = client.get(_url("linked-crimes", world.own_case.pk)).content.decode()
    assert "2 courses of conduct from 4 crime reports" in body
    assert "CR/101/26" in body
    assert "Police-only words" not in body and "Suspect" not in body


# ---------------------------------------------------------------- query counts


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("section", SECTIONS)
def test_case_page_query_count_does_not_grow(section, client, login, world):
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    url = _url(section, case.pk)

    def add_one_of_each():
        person = add_party(case, role="perpetrator").person
        make_breach(make_order(case, subject=person))
        make_outcome(case, person=person)
        make_reoffending(case, perpetrator=person)
        make_crime(case)

    add_one_of_each()
    small = _queries(client, url)
    for _ in range(8):
        add_one_of_each()
    large = _queries(client, url)
    assert small == large, (section, small, large)
    assert large <= 30, (section, large)
