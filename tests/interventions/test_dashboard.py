"""The programme dashboard (issue 12 item 8, brief item 4): per programme, over a period,
the figures equal the dated rows (referrals, starts, completions, drop-outs, mean sessions
attended, hours delivered, mean pre → post change); a rescheduled session is never counted
twice; who sees which figures; a bad period; a fixed number of queries; the caseload's
next session and attendance not recorded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import Attendance
from interventions.selectors.dashboard import programme_figures
from interventions.services import enrolments as enrolment_services
from interventions.services import sessions as session_services
from tests.factories import open_case
from tests.factories_interventions import (
    at,
    attend,
    book,
    raw_enrolment,
    refer,
    second_health_agency,
    take_measure,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)


def _day(n):
    return START + timedelta(days=n)


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def case(world):
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation")]
    return open_case(world.members[Role.INVESTIGATOR], shared_with=agencies)


@pytest.fixture
def rows(world, clinician, case):
    """Completed (4 of 4, one session moved first, 30 minutes each), dropped out after one
    attended session and a provider cancellation, referred only, and one referred and
    ended before the period."""
    completed = refer(clinician, case, referred_on=_day(1), consent_on=_day(1), planned_sessions=4)
    first = book(clinician, completed, at(_day(3)))
    moved = session_services.session_reschedule(
        actor=clinician.user, membership=clinician, session=first, scheduled_at=at(_day(4))
    )
    attend(clinician, moved, minutes=30)
    for week in (1, 2, 3):
        attend(clinician, book(clinician, completed, at(_day(4 + 7 * week))), minutes=30)
    take_measure(clinician, completed, timing="pre", value=6, taken_on=_day(2))
    take_measure(clinician, completed, timing="post", value=3, taken_on=_day(30))

    dropped = refer(clinician, case, referred_on=_day(2), consent_on=_day(2))
    attend(clinician, book(clinician, dropped, at(_day(5))), Attendance.LATE, minutes=50)
    attend(clinician, book(clinician, dropped, at(_day(12))), Attendance.PROVIDER_CANCELLED)
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=dropped,
        withdrawn_on=_day(20),
        reason="disengaged",
    )
    refer(clinician, case, referred_on=_day(10))
    refer(clinician, case, referred_on=START - timedelta(days=100))
    return completed, dropped


def _only(figures):
    assert len(figures) == 1
    return figures[0]


def test_figures_equal_the_rows(clinician, rows):
    fact = _only(programme_figures(clinician, start=START, end=TODAY))
    assert (fact.referrals, fact.starts, fact.completions, fact.dropouts) == (3, 2, 1, 1)
    assert fact.mean_sessions == 2.5  # (4 + 1) / 2 ended in the period
    # 4 x 30 + 50 minutes: the moved session and the provider cancellation count nothing.
    assert fact.hours == round(170 / 60, 1)
    assert fact.mean_changes == [("AAQ-II acceptance and action questionnaire", -21.0, 1)]


def test_only_a_drop_out_reason_counts_as_a_drop_out(clinician, case, rows):
    """Moving away ends the intervention (it joins the mean of ended ones) but is not a
    drop-out (WithdrawalGroup)."""
    moved = refer(clinician, case, referred_on=_day(3), consent_on=_day(3))
    attend(clinician, book(clinician, moved, at(_day(6))), Attendance.ATTENDED_ENGAGED)
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=moved,
        withdrawn_on=_day(21),
        reason="moved",
    )
    fact = _only(programme_figures(clinician, start=START, end=TODAY))
    assert fact.dropouts == 1
    assert fact.mean_sessions == 2.0  # (4 + 1 + 1) / 3 ended in the period


def test_the_period_filters_each_figure_by_its_own_date(clinician, rows):
    assert programme_figures(clinician, start=TODAY + timedelta(1), end=TODAY + timedelta(9)) == []
    early = _only(programme_figures(clinician, start=_day(0), end=_day(6)))
    assert (early.referrals, early.starts, early.completions, early.dropouts) == (2, 2, 0, 0)
    assert early.hours == round(80 / 60, 1)
    assert early.mean_sessions is None and early.mean_changes == []


def test_who_sees_which_figures(world, clinician, case, rows, client, login):
    assert programme_figures(world.members[Role.INVESTIGATOR], start=START, end=TODAY) == []
    agency, member = second_health_agency(world.partnership)
    raw_enrolment(case, agency, created_by=member.user)
    assert _only(programme_figures(clinician, start=START, end=TODAY)).referrals == 3
    for role in (Role.MANAGER, Role.PARTNERSHIP_ADMIN):
        assert _only(programme_figures(world.members[role], start=START, end=TODAY)).referrals == 4
    url = reverse("interventions:dashboard")
    api = reverse("api:interventions-dashboard-list")
    for role in (Role.INVESTIGATOR, Role.ADVOCATE, Role.PROBATION_OFFICER, Role.PARTNER):
        login(world.members[role])
        assert client.get(url).status_code == 403
        assert client.get(api).status_code == 403
        client.logout()
    login(world.members[Role.MANAGER])
    page = client.get(url).content.decode()
    # Aggregates only: no person's name, no case reference.
    assert rows[0].party.person.family_name not in page and case.reference not in page
    assert "fACT" in page


def test_page_and_api_show_the_figures_and_audit_the_read(clinician, rows, client, login):
    login(clinician)
    before = AccessEvent.objects.filter(action=Action.LIST).count()
    response = client.get(
        reverse("interventions:dashboard"),
        {"start": START.strftime("%d/%m/%Y"), "end": TODAY.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200
    assert "−21" in response.content.decode() or "-21.0" in response.content.decode()
    assert AccessEvent.objects.filter(action=Action.LIST).count() == before + 1
    data = client.get(
        reverse("api:interventions-dashboard-list"),
        {"start": START.isoformat(), "end": TODAY.isoformat()},
    ).json()
    assert data[0]["referrals"] == 3 and data[0]["hours"] == round(170 / 60, 1)
    assert data[0]["mean_changes"][0]["mean_change"] == -21.0


def test_a_bad_period_is_a_field_error(clinician, client, login):
    login(clinician)
    page = client.get(reverse("interventions:dashboard"), {"start": "10/5/2026", "end": "1/5/2026"})
    assert page.status_code == 400
    assert page.context["form"].errors["end"] == [
        "The last date must be on or after the first date."
    ]
    api = client.get(
        reverse("api:interventions-dashboard-list"), {"start": "nope", "end": "2026-01-01"}
    )
    assert api.status_code == 400 and "start" in api.json()["errors"]


def test_a_fixed_number_of_queries_whatever_the_rows(world, clinician, case):
    refer(clinician, case, referred_on=_day(1))
    with CaptureQueriesContext(connection) as few:
        programme_figures(clinician, start=START, end=TODAY)
    for n in range(5):
        enrolment = refer(clinician, case, referred_on=_day(2 + n), consent_on=_day(2 + n))
        attend(clinician, book(clinician, enrolment, at(_day(3 + n))))
        take_measure(clinician, enrolment, timing="pre", taken_on=_day(3 + n))
        take_measure(clinician, enrolment, timing="post", value=3, taken_on=_day(20))
    with CaptureQueriesContext(connection) as many:
        assert programme_figures(clinician, start=START, end=TODAY)[0].referrals == 6
    assert len(many) == len(few) == 2


def test_caseload_shows_the_next_session_and_attendance_not_recorded(
    clinician, case, client, login
):
    enrolment = refer(clinician, case, referred_on=_day(1), consent_on=_day(1))
    book(clinician, enrolment, at(TODAY - timedelta(days=2)))
    book(clinician, enrolment, at(TODAY - timedelta(days=1)))
    book(clinician, enrolment, at(TODAY + timedelta(days=3), 14))
    login(clinician)
    body = client.get(reverse("interventions:caseload")).content.decode()
    assert "2 overdue" in body
    assert f"{TODAY + timedelta(days=3):%-d %b %Y}, 14:00" in body


def test_derived_progress_for_every_enrolment_matches_the_model(clinician, rows):
    from interventions.models import Enrolment
    from interventions.selectors.dashboard import dashboard_enrolments
    from interventions.selectors.enrolments import derived_progress

    with CaptureQueriesContext(connection) as queries:
        derived = {row[0]: row for row in derived_progress(dashboard_enrolments(clinician))}
    assert len(queries) == 1
    enrolments = Enrolment.objects.filter(provider_agency=clinician.agency)
    assert set(derived) == {e.pk for e in enrolments}
    for enrolment in enrolments.prefetch_related("sessions"):
        assert derived[enrolment.pk] == (
            enrolment.pk,
            enrolment.attended_count,
            enrolment.started_on,
            enrolment.ended_on,
            enrolment.status,
        )
    assert {row[4] for row in derived.values()} >= {"completed", "dropped_out"}
