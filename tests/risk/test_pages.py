"""Risk pages: starting, answering, completing, overriding, the case risk page and chart."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from risk.models import Assessment, AssessmentStatus
from tests.factories import open_case
from tests.factories_risk import make_assessment, national_version


def _dash_post(yes, **extra):
    data = {f"DASH-{n:02d}": ("yes" if n <= yes else "no") for n in range(1, 28)}
    data.update(extra)
    return data


def _start(client, case, code="dash"):
    version = national_version(code)
    response = client.post(
        reverse("risk:assessment-start", args=[case.pk]),
        {"instrument": version.instrument_id},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Assessment.objects.latest("pk")


def test_start_save_draft_then_complete_a_dash(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    login(police)
    case = world.own_case
    assessment = _start(client, case)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.agency == police.agency and assessment.assessor == police.user
    url = reverse("risk:assessment-answers", args=[assessment.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "DASH-01 Current injury" in page.content.decode()

    # A draft with missing answers saves.
    response = client.post(url, {"DASH-01": "yes", "DASH-02": "not_known", "save": "1"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers == {"DASH-01": "yes", "DASH-02": "not_known"}
    assert assessment.status == AssessmentStatus.DRAFT

    # Completing with missing answers: errors at the fields, nothing saved.
    response = client.post(url, {"DASH-01": "yes", "complete": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Answer DASH-03" in body
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT

    response = client.post(url, _dash_post(14, complete="1"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETE
    assert (assessment.computed_level, assessment.level) == ("high", "high")
    assert assessment.result["score"] == 14
    assert [p["code"] for p in assessment.result["prompts"]] == ["marac"]
    today = date.today()
    assert assessment.review_due_on > today + timedelta(days=85)
    assert assessment.review_due_on < today + timedelta(days=95)

    detail = client.get(reverse("risk:assessment-detail", args=[assessment.pk]))
    assert "Refer to MARAC" in detail.content.decode()

    events = AccessEvent.objects.filter(object_type="risk.Assessment", object_id=str(assessment.pk))
    actions = sorted(events.values_list("action", flat=True))
    assert actions.count(Action.CREATE) == 1
    assert actions.count(Action.UPDATE) == 2  # the draft save and the completion
    assert actions.count(Action.VIEW) == 1
    assert all(e.case_id == case.pk for e in events)


def test_medium_dash_reviews_in_six_months_and_review_date_is_editable(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    login(police)
    assessment = _start(client, world.own_case)
    url = reverse("risk:assessment-answers", args=[assessment.pk])
    client.post(url, _dash_post(10, complete="1"))
    assessment.refresh_from_db()
    assert assessment.level == "medium"
    assert assessment.review_due_on > date.today() + timedelta(days=175)

    review_url = reverse("risk:assessment-review-date", args=[assessment.pk])
    response = client.post(review_url, {"review_due_on": "1/1/2020"})
    assert response.status_code == 400
    new_date = date.today() + timedelta(days=30)
    response = client.post(review_url, {"review_due_on": new_date.strftime("%d/%m/%Y")})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.review_due_on == new_date


def test_override_needs_a_reason_and_dash_can_only_be_raised(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    login(police)
    assessment = _start(client, world.own_case)
    client.post(
        reverse("risk:assessment-answers", args=[assessment.pk]), _dash_post(10, complete="1")
    )
    url = reverse("risk:assessment-override", args=[assessment.pk])

    response = client.post(url, {"override_level": "high", "override_reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    response = client.post(url, {"override_level": "low", "override_reason": "Seems fine"})
    assert response.status_code == 400
    assert "can only be raised" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.level == "medium" and assessment.override_level == ""

    response = client.post(
        url, {"override_level": "high", "override_reason": "Threats escalated this week."}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.computed_level, assessment.override_level, assessment.level) == (
        "medium",
        "high",
        "high",
    )
    event = AccessEvent.objects.filter(
        object_type="risk.Assessment", object_id=str(assessment.pk), action=Action.UPDATE
    ).latest("pk")
    assert event.reason == "Threats escalated this week."


def test_sash_ex_partner_items_and_srp_prompt_through_the_page(world, client, login):
    login(world.members[Role.CLINICIAN])
    assessment = _start(client, world.health_case, "sash")
    data = {"SASH-EP": "no", "complete": "1"}
    data.update({f"SASH-{n:02d}": ("yes" if n <= 4 else "no") for n in range(1, 14)})
    response = client.post(reverse("risk:assessment-answers", args=[assessment.pk]), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.result["band"] == "moderate"
    assert [p["code"] for p in assessment.result["prompts"]] == ["srp"]


def test_other_agency_cannot_change_a_draft_but_can_read_it(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    draft = make_assessment(world.health_case, police, status=AssessmentStatus.DRAFT)
    login(world.members[Role.CLINICIAN])
    assert client.get(reverse("risk:assessment-detail", args=[draft.pk])).status_code == 200
    answers = reverse("risk:assessment-answers", args=[draft.pk])
    assert client.get(answers).status_code == 403
    assert client.post(answers, {"DASH-01": "yes", "save": "1"}).status_code == 403
    draft.refresh_from_db()
    assert draft.answers == {}
    # Not shared with advocacy: 404 and a denial row.
    login(world.members[Role.ADVOCATE])
    assert client.get(reverse("risk:assessment-detail", args=[draft.pk])).status_code == 404
    assert AccessEvent.objects.filter(
        action=Action.DENIAL, object_type="risk.Assessment", object_id=str(draft.pk)
    ).exists()


def test_partner_and_manager_read_only(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police, shared_with=[world.agencies["cps"], world.agencies["probation"]])
    make_assessment(case, police, level="high")
    for role in (Role.PARTNER, Role.MANAGER):
        login(world.members[role])
        page = client.get(reverse("risk:case-risk", args=[case.pk]))
        assert page.status_code == 200
        assert "Start a risk assessment" not in page.content.decode()
        assert client.get(reverse("risk:assessment-start", args=[case.pk])).status_code == 403


def test_case_risk_page_chart_and_table(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = world.own_case
    make_assessment(case, police, level="low", assessed_on=date(2025, 1, 10))
    make_assessment(
        case, police, version=national_version("sash"), level="high", assessed_on=date(2025, 3, 1)
    )
    make_assessment(case, police, level="medium", assessed_on=date(2025, 5, 1))
    make_assessment(case, police, status=AssessmentStatus.DRAFT)
    login(police)
    response = client.get(reverse("risk:case-risk", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert '<title id="risk-chart-title">Risk level over time</title>' in svg
    assert "3 completed assessments from 10 January 2025 to 1 May 2025" in svg
    assert len(re.findall(r"<circle ", svg)) == 3
    assert re.search(r'<path d="M [\d.]+ [\d.]+ H', svg)
    # The same data in a table, and the assessments table with the draft.
    assert "Risk level over time (the chart&#x27;s data)" in body or "chart's data" in body
    assert "In progress" in body
    assert AccessEvent.objects.filter(
        action=Action.VIEW, case=case, detail__section="risk"
    ).exists()


def _risk_page_queries(client, case):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("risk:case-risk", args=[case.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_case_risk_page_query_count_is_fixed(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = world.own_case
    login(police)
    for n in range(5):
        make_assessment(case, police, assessed_on=date(2025, 1, 1) + timedelta(days=n))
    small = _risk_page_queries(client, case)
    for n in range(45):
        make_assessment(case, police, assessed_on=date(2025, 2, 1) + timedelta(days=n))
    assert _risk_page_queries(client, case) == small


def test_case_page_shows_the_risk_summary_with_fixed_queries(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = world.own_case
    login(police)
    url = reverse("cases:detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert "No completed risk assessment." in body
    make_assessment(case, police, level="high")
    with CaptureQueriesContext(connection) as one:
        body = client.get(url).content.decode()
    assert "Current risk:" in body and "govuk-tag--red" in body
    for _ in range(10):
        make_assessment(case, police, level="low", assessed_on=date(2024, 1, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.PARTNER, Role.PARTNERSHIP_ADMIN])
def test_instrument_pages_list_national_tools(world, client, login, role):
    login(world.members[role])
    body = client.get(reverse("risk:instrument-list")).content.decode()
    for name in ("DASH", "S-DASH", "SASH", "SRP"):
        assert name in body
    assert ("Add a local tool" in body) is (role == Role.PARTNERSHIP_ADMIN)
    dash = national_version("dash").instrument
    body = client.get(reverse("risk:instrument-detail", args=[dash.pk])).content.decode()
    assert "DASH-27" in body and "Refer to MARAC" in body


def test_started_before_a_clinic_and_finished_during_it(world, client, login):
    from tests.factories_triage import ClinicFactory, MeetingFactory

    clinic = ClinicFactory(partnership=world.partnership)
    meeting = MeetingFactory(clinic=clinic, held_on=date.today())
    elsewhere = MeetingFactory(
        clinic=ClinicFactory(partnership=world.other_partnership_member.agency.partnership)
    )
    police = world.members[Role.INVESTIGATOR]
    login(police)
    assessment = _start(client, world.own_case)
    assert assessment.meeting is None
    url = reverse("risk:assessment-answers", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert str(meeting) in page and str(elsewhere) not in page
    # Another partnership's meeting is not a choice.
    response = client.post(url, _dash_post(3, complete="1", meeting=elsewhere.pk))
    assert response.status_code == 400
    response = client.post(url, _dash_post(3, complete="1", meeting=meeting.pk))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.meeting == meeting and assessment.status == AssessmentStatus.COMPLETE
    assert assessment.created_at.date() <= date.today()


def test_chart_with_one_assessment_draws_one_point():
    from types import SimpleNamespace

    from risk import chart

    instrument = SimpleNamespace(name="DASH")
    one = SimpleNamespace(
        assessed_on=date(2025, 1, 1),
        level="high",
        override_level="",
        historic=False,
        instrument_version=SimpleNamespace(instrument=instrument),
    )
    drawn = chart.build([one], date(2025, 1, 1))
    assert len(drawn["points"]) == 1
    assert drawn["points"][0].y == min(level["y"] for level in drawn["levels"])
    assert chart.build([], date(2025, 1, 1)) is None
    # A history that starts today has one date label, never two drawn over each other.
    from django.template.loader import render_to_string

    svg = render_to_string("risk/_chart.html", {"chart": drawn})
    assert svg.count('fill="#0b0c0c">1 Jan 2025</text>') == 1
    later = render_to_string("risk/_chart.html", {"chart": chart.build([one], date(2025, 3, 1))})
    assert "1 Jan 2025" in later and "1 Mar 2025" in later


def test_start_page_offers_the_case_parties_as_the_person_assessed(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    login(police)
    url = reverse("risk:assessment-start", args=[world.own_case.pk])
    body = client.get(url).content.decode()
    assert world.victim.person.full_name in body and "(victim)" in body
    response = client.post(
        url,
        {
            "instrument": national_version("srp").instrument_id,
            "subject": world.perpetrator.person.pk,
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.latest("pk")
    assert assessment.subject == world.perpetrator.person
    assert assessment.instrument_version == national_version("srp")
    # No instrument chosen: an error at the field, nothing made.
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose an instrument." in response.content.decode()
    assert Assessment.objects.count() == 1


def test_srp_page_takes_several_stalker_types_and_qualifiers(world, client, login):
    clinician = world.members[Role.CLINICIAN]
    login(clinician)
    assessment = _start(client, world.health_case, "srp")
    url = reverse("risk:assessment-answers", args=[assessment.pk])
    body = client.get(url).content.decode()
    assert body.count('type="checkbox" value=') == 5
    assert 'name="SRP-VIO-Q"' in body and "Psychosocial damage to the stalker" in body
    data = {
        "SRP-TYPE": ["rejected", "resentful"],
        "SRP-REL": "ex_intimate",
        "SRP-VIO": "low",
        "SRP-PER": "high",
        "SRP-PER-Q": "Two years, undeterred by arrest.",
        "SRP-REC": "moderate",
        "SRP-PSY": "low",
        "complete": "1",
    }
    assert client.post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers["SRP-TYPE"] == ["rejected", "resentful"]
    assert assessment.level == "high"
    assert assessment.result["domains"]["SRP-PER"] == "high"
    detail = client.get(reverse("risk:assessment-detail", args=[assessment.pk])).content.decode()
    assert "Rejected, Resentful" in detail


def test_break_glass_reads_of_risk_carry_the_reason(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = world.own_case
    assessment = make_assessment(case, police, level="high")
    login(world.members[Role.CLINICIAN])
    detail = reverse("risk:assessment-detail", args=[assessment.pk])
    assert client.get(detail).status_code == 404
    reason = "Urgent safeguarding call at 02:00 from A&E"
    client.post(reverse("cases:break-glass"), {"reference": case.reference, "reason": reason})

    assert client.get(detail).status_code == 200
    event = AccessEvent.objects.filter(action=Action.VIEW, object_id=str(assessment.pk)).get()
    assert (event.reason, event.detail, event.case_id) == (
        reason,
        {"via": "break_glass"},
        case.pk,
    )
    assert client.get(reverse("risk:case-risk", args=[case.pk])).status_code == 200
    event = AccessEvent.objects.filter(action=Action.VIEW, case=case).latest("at")
    assert (event.reason, event.detail) == (reason, {"section": "risk", "via": "break_glass"})
