"""Interventions pages and API: referring from the case, consent, booking, moving,
cancelling and recording sessions, withdrawal, every error at once with the error summary,
the caseload by derived status with a fixed query count, the API's field-keyed 400s."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import PartyRole
from interventions.models import (
    EligibilityAssessment,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from interventions.selectors.eligibility import criteria_of
from tests.factories import add_party, open_case
from tests.factories_interventions import at, attend, book, fact, refer

pytestmark = pytest.mark.django_db


def _d(day):
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def case(world):
    return open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])


def test_refer_from_the_case_then_consent_book_and_record(world, clinician, case, client, login):
    perpetrator = add_party(case, role=PartyRole.PERPETRATOR)
    login(clinician)
    section = client.get(reverse("interventions:case-interventions", args=[case.pk]))
    refer_url = reverse("interventions:enrolment-refer", args=[case.pk])
    assert refer_url in section.content.decode()
    today = timezone.localdate()
    response = client.post(
        refer_url,
        {
            "party": perpetrator.pk,
            "programme": fact().pk,
            "pathway": "voluntary",
            "referred_on": _d(today - timedelta(days=2)),
            "planned_sessions": "4",
            "practitioner": clinician.user_id,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    enrolment = Enrolment.objects.get()
    assert response["Location"] == reverse("interventions:enrolment-detail", args=[enrolment.pk])
    assert (enrolment.planned_sessions, enrolment.status) == (4, EnrolmentStatus.AWAITING_CONSENT)

    # No booking before consent: refused at the date field.
    book_url = reverse("interventions:session-new", args=[enrolment.pk])
    refused = client.post(
        book_url, {"scheduled_date": _d(today), "scheduled_time": "10:00", "modality": "video"}
    )
    assert refused.status_code == 400
    assert "consent" in refused.context["form"].errors["scheduled_date"][0]

    consent = client.post(
        reverse("interventions:enrolment-consent", args=[enrolment.pk]),
        {"consent_signed_on": _d(today - timedelta(days=1)), "shares_compliance": "on"},
    )
    assert consent.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.shares_compliance and not enrolment.shares_progress

    # Consent alone: still no booking until the person is recorded eligible.
    refused = client.post(
        book_url, {"scheduled_date": _d(today), "scheduled_time": "10:00", "modality": "video"}
    )
    assert refused.status_code == 400
    assert "eligible" in refused.context["form"].errors["scheduled_date"][0]
    eligibility_url = reverse("interventions:enrolment-eligibility", args=[enrolment.pk])
    form = client.get(eligibility_url)
    assert (
        form.status_code == 200 and "Admitted the behaviour in interview" in form.content.decode()
    )
    answers = {f"criterion_{c.code}": "met" for c in criteria_of(fact())}
    # Bad input: a criterion unanswered, eligible while one is not met, a future date.
    bad = client.post(
        eligibility_url,
        {
            **answers,
            "criterion_adult": "",
            "criterion_admission": "not_met",
            "outcome": "eligible",
            "assessed_on": _d(today + timedelta(days=1)),
        },
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert {"criterion_adult", "outcome", "assessed_on"} <= set(errors)
    assert not EligibilityAssessment.objects.exists()
    saved = client.post(
        eligibility_url, {**answers, "outcome": "eligible", "assessed_on": _d(today)}
    )
    assert saved.status_code == 302
    assert EligibilityAssessment.objects.get(enrolment=enrolment).eligible
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_id=str(enrolment.pk), detail__eligibility="eligible"
    ).exists()

    booked = client.post(
        book_url,
        {
            "scheduled_date": _d(today - timedelta(days=1)),
            "scheduled_time": "09:30",
            "modality": "video",
        },
    )
    assert booked.status_code == 302
    session = Session.objects.get()
    moved = client.post(
        reverse("interventions:session-reschedule", args=[session.pk]),
        {
            "scheduled_date": _d(today - timedelta(days=1)),
            "scheduled_time": "11:00",
            "modality": "phone",
        },
    )
    assert moved.status_code == 302
    session.refresh_from_db()
    new = session.superseded_by
    assert session.status == SessionStatus.RESCHEDULED and new.modality == "phone"
    recorded = client.post(
        reverse("interventions:session-attendance", args=[new.pk]),
        {
            "attendance": "attended_engaged",
            "minutes": "55",
            "components": ["open", "aware"],
            "notes": "Worked on defusion.",
        },
    )
    assert recorded.status_code == 302
    page = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    body = page.content.decode()
    assert "Worked on defusion." in body and "1 of 4 planned" in body
    assert "Open: acceptance and defusion" in body


def test_refer_form_shows_every_error_at_once(world, clinician, case, client, login):
    victim = add_party(case)
    login(clinician)
    response = client.post(
        reverse("interventions:enrolment-refer", args=[case.pk]),
        {
            "party": victim.pk,
            "programme": fact().pk,
            "referred_on": _d(timezone.localdate() + timedelta(days=1)),
            "planned_sessions": "9",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"party", "pathway", "referred_on", "planned_sessions"} <= set(errors)
    assert "govuk-error-summary" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_session_forms_refuse_bad_input_and_save_nothing(world, clinician, case, client, login):
    today = timezone.localdate()
    enrolment = refer(
        clinician, case, referred_on=today - timedelta(days=5), consent_on=today - timedelta(days=3)
    )
    login(clinician)
    bad = client.post(
        reverse("interventions:session-new", args=[enrolment.pk]),
        {"scheduled_date": _d(today - timedelta(days=4)), "scheduled_time": "25:00"},
    )
    assert bad.status_code == 400
    assert {"scheduled_time", "modality"} <= set(bad.context["form"].errors)
    before_consent = client.post(
        reverse("interventions:session-new", args=[enrolment.pk]),
        {
            "scheduled_date": _d(today - timedelta(days=4)),
            "scheduled_time": "10:00",
            "modality": "video",
        },
    )
    assert "before the consent" in before_consent.context["form"].errors["scheduled_date"][0]
    session = book(clinician, enrolment, timezone.now() - timedelta(hours=1))
    attendance = client.post(
        reverse("interventions:session-attendance", args=[session.pk]),
        {"attendance": "unacceptable_absence", "minutes": "30", "components": ["nope"]},
    )
    assert attendance.status_code == 400
    assert {"minutes", "components"} <= set(attendance.context["form"].errors)
    cancel = client.post(reverse("interventions:session-cancel", args=[session.pk]), {})
    assert cancel.status_code == 400 and "reason" in cancel.context["form"].errors
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED and Session.objects.count() == 1
    ok = client.post(
        reverse("interventions:session-cancel", args=[session.pk]),
        {"reason": "practitioner_unavailable"},
    )
    assert ok.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_withdrawal_through_the_page(world, clinician, case, client, login):
    today = timezone.localdate()
    enrolment = refer(
        clinician,
        case,
        referred_on=today - timedelta(days=10),
        consent_on=today - timedelta(days=10),
    )
    attend(clinician, book(clinician, enrolment, at(today - timedelta(days=3))))
    login(clinician)
    url = reverse("interventions:enrolment-withdraw", args=[enrolment.pk])
    bad = client.post(url, {"withdrawn_on": _d(today - timedelta(days=5))})
    assert bad.status_code == 400
    assert {"withdrawn_on", "reason"} <= set(bad.context["form"].errors)
    ok = client.post(url, {"withdrawn_on": _d(today), "reason": "disengaged"})
    assert ok.status_code == 302
    enrolment = Enrolment.objects.prefetch_related("sessions").get()
    assert enrolment.status == EnrolmentStatus.DROPPED_OUT
    assert enrolment.ended_on == today - timedelta(days=3)


def test_caseload_by_status_with_a_fixed_query_count(world, clinician, client, login):
    today = timezone.localdate()

    def add(n):
        for _ in range(n):
            case = open_case(
                world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]]
            )
            enrolment = refer(
                clinician,
                case,
                referred_on=today - timedelta(days=9),
                consent_on=today - timedelta(days=9),
            )
            attend(clinician, book(clinician, enrolment, at(today - timedelta(days=2))))
            book(clinician, enrolment, at(today + timedelta(days=5)))

    login(clinician)
    url = reverse("interventions:caseload")
    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    rows = response.context["page"].object_list
    assert len(rows) == 8
    assert len(many) == len(few)
    assert {row.derived_status for row in rows} == {EnrolmentStatus.ACTIVE}
    assert "1 of 6" in response.content.decode()
    counts = {v: c for v, _label, c in response.context["statuses"]}
    assert counts[EnrolmentStatus.ACTIVE] == 8
    awaiting = client.get(url + "?status=awaiting_consent")
    assert len(awaiting.context["page"].object_list) == 0


def test_case_section_and_navigation(world, clinician, case, client, login):
    refer(clinician, case)
    login(clinician)
    home = client.get(reverse("interventions:caseload")).content.decode()
    assert 'href="/interventions/"' in home
    login(world.members[Role.INVESTIGATOR])
    record = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("interventions:case-interventions", args=[case.pk]) in record
    assert 'href="/interventions/"' not in record


def test_api_refer_book_and_record(world, clinician, case, client, login):
    perpetrator = add_party(case, role=PartyRole.PERPETRATOR)
    login(clinician)
    programmes = client.get(reverse("api:interventions-programme-list")).json()
    assert [p["code"] for p in programmes] == ["fact"] and programmes[0]["national"]
    url = reverse("api:interventions-enrolment-list")
    bad = client.post(
        url,
        {
            "party": perpetrator.pk,
            "programme": fact().pk,
            "pathway": "voluntary",
            "referred_on": "2999-01-01",
            "planned_sessions": 7,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"referred_on", "planned_sessions"}
    created = client.post(
        url,
        {
            "party": perpetrator.pk,
            "programme": fact().pk,
            "pathway": "voluntary",
            "referred_on": str(timezone.localdate() - timedelta(days=1)),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "referred" and body["planned_sessions"] == 6
    sessions = reverse("api:interventions-session-list", kwargs={"enrolment_pk": body["id"]})
    when = (timezone.now() - timedelta(hours=1)).isoformat()
    no_consent = client.post(
        sessions, {"scheduled_at": when, "modality": "video"}, content_type="application/json"
    )
    assert no_consent.status_code == 400 and set(no_consent.json()["errors"]) == {"scheduled_at"}
    yesterday = str(timezone.localdate() - timedelta(days=1))
    consent_url = reverse("api:interventions-enrolment-consent", args=[body["id"]])
    bad_consent = client.post(
        consent_url, {"consent_signed_on": "2999-01-01"}, content_type="application/json"
    )
    assert bad_consent.status_code == 400
    assert set(bad_consent.json()["errors"]) == {"consent_signed_on"}
    consented = client.post(
        consent_url,
        {"consent_signed_on": yesterday, "shares_compliance": True},
        content_type="application/json",
    )
    assert consented.status_code == 200 and consented.json()["shares_compliance"]
    not_eligible_yet = client.post(
        sessions, {"scheduled_at": when, "modality": "video"}, content_type="application/json"
    )
    assert not_eligible_yet.status_code == 400
    assert "eligible" in not_eligible_yet.json()["errors"]["scheduled_at"][0]
    eligibility_url = reverse(
        "api:interventions-eligibility-list", kwargs={"enrolment_pk": body["id"]}
    )
    checklist = client.get(eligibility_url).json()
    assert checklist["assessment"] is None and len(checklist["criteria"]) == 7
    answers = {c["code"]: "met" for c in checklist["criteria"]}
    bad_eligibility = client.post(
        eligibility_url,
        {
            "answers": {**answers, "adult": "not_met", "able_to_benefit": "maybe"},
            "outcome": "eligible",
            "assessed_on": yesterday,
        },
        content_type="application/json",
    )
    assert bad_eligibility.status_code == 400
    assert "answers" in bad_eligibility.json()["errors"]
    unmet = client.post(
        eligibility_url,
        {
            "answers": {**answers, "adult": "not_met"},
            "outcome": "eligible",
            "assessed_on": yesterday,
        },
        content_type="application/json",
    )
    assert unmet.status_code == 400 and set(unmet.json()["errors"]) == {"outcome"}
    assert not EligibilityAssessment.objects.exists()
    eligible = client.post(
        eligibility_url,
        {"answers": answers, "outcome": "eligible", "assessed_on": yesterday},
        content_type="application/json",
    )
    assert eligible.status_code == 201, eligible.content
    assert eligible.json()["assessment"]["outcome"] == "eligible"
    booked = client.post(
        sessions, {"scheduled_at": when, "modality": "video"}, content_type="application/json"
    )
    assert booked.status_code == 201
    attendance = reverse(
        "api:interventions-session-attendance",
        kwargs={"enrolment_pk": body["id"], "pk": booked.json()["id"]},
    )
    missing_minutes = client.post(
        attendance, {"attendance": "late"}, content_type="application/json"
    )
    assert missing_minutes.status_code == 400 and set(missing_minutes.json()["errors"]) == {
        "minutes"
    }
    ok = client.post(
        attendance,
        {"attendance": "late", "minutes": 40, "components": ["engaged"], "notes": "n"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["attendance"] == "late"
    detail = client.get(reverse("api:interventions-enrolment-detail", args=[body["id"]])).json()
    assert detail["status"] == "active" and detail["attended_count"] == 1
    assert detail["started_on"] == str(timezone.localdate(timezone.now() - timedelta(hours=1)))
    listed = client.get(url + "?status=active").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert client.get(url + "?status=nope").status_code == 400


def test_allocate_a_clinician_through_the_page(world, clinician, case, client, login):
    enrolment = refer(clinician, case, practitioner=None)
    assert enrolment.status == EnrolmentStatus.REFERRED
    login(clinician)
    url = reverse("interventions:enrolment-allocate", args=[enrolment.pk])
    bad = client.post(url, {"practitioner": world.members[Role.ADVOCATE].user_id})
    assert bad.status_code == 400 and "practitioner" in bad.context["form"].errors
    ok = client.post(url, {"practitioner": clinician.user_id})
    assert ok.status_code == 302
    enrolment = Enrolment.objects.prefetch_related("sessions").get()
    assert enrolment.status == EnrolmentStatus.AWAITING_CONSENT


def test_case_section_has_a_fixed_query_count(world, clinician, case, client, login):
    today = timezone.localdate()

    def add(n):
        for _ in range(n):
            enrolment = refer(
                clinician, case, referred_on=today - timedelta(days=9), consent_on=today
            )
            book(clinician, enrolment, at(today + timedelta(days=5)))

    login(world.members[Role.INVESTIGATOR])
    url = reverse("interventions:case-interventions", args=[case.pk])
    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["enrolments"]) == 6
    assert len(many) == len(few)
