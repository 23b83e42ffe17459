"""Interventions reminders in the daily job (issue 12 item 9): a session tomorrow and
attendance not recorded the day after a session go to the enrolment's practitioner (or, with
none usable, the provider agency's clinicians), once per session and date, never for a
rescheduled, cancelled or recorded session or a withdrawn enrolment, and say nothing
clinical."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from interventions.models import Enrolment, Modality
from interventions.services import sessions as session_services
from reporting.models import Notification, NotificationKind
from reporting.selectors import reminders as sources
from tests.factories import open_case
from tests.factories_interventions import at, attend, book, refer, take_measure
from tests.reporting.helpers import day, notified, run

K = NotificationKind
pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def enrolment(world, clinician):
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police, shared_with=[world.agencies["health"]])
    return refer(clinician, case, referred_on=day(-30), consent_on=day(-30))


def test_session_tomorrow_goes_to_the_practitioner_once(clinician, enrolment):
    session = book(clinician, enrolment, at(day(1), 9))
    book(clinician, enrolment, at(day(2), 9))  # the day after tomorrow: not yet
    assert run(0)["created"][K.SESSION_TOMORROW] == 1
    key = f"session:{session.pk}:tomorrow:{day(1)}"
    assert notified(K.SESSION_TOMORROW) == {(clinician.user.email, key)}
    note = Notification.objects.get(kind=K.SESSION_TOMORROW)
    assert note.link == reverse("interventions:enrolment-detail", args=[enrolment.pk])
    assert enrolment.case.reference in note.title
    assert enrolment.party.person.family_name not in note.title + note.body
    assert run(0)["created"][K.SESSION_TOMORROW] == 0


def test_a_rescheduled_session_reminds_for_its_new_date_only(clinician, enrolment):
    session = book(clinician, enrolment, at(day(1), 9))
    moved = session_services.session_reschedule(
        actor=clinician.user, membership=clinician, session=session, scheduled_at=at(day(1), 15)
    )
    cancelled = book(clinician, enrolment, at(day(1), 17))
    session_services.session_cancel(
        actor=clinician.user, membership=clinician, session=cancelled, reason="other"
    )
    assert run(0)["created"][K.SESSION_TOMORROW] == 1
    assert notified(K.SESSION_TOMORROW) == {
        (clinician.user.email, f"session:{moved.pk}:tomorrow:{day(1)}")
    }


def test_attendance_not_recorded_the_day_after_once(clinician, enrolment):
    session = book(clinician, enrolment, at(day(0), 9))
    assert run(0)["created"][K.ATTENDANCE_NOT_RECORDED] == 0  # the same day: still in time
    assert run(1)["created"][K.ATTENDANCE_NOT_RECORDED] == 1
    assert notified(K.ATTENDANCE_NOT_RECORDED) == {
        (clinician.user.email, f"session:{session.pk}:attendance:{day(0)}")
    }
    assert run(1)["created"][K.ATTENDANCE_NOT_RECORDED] == 0
    assert run(2)["created"][K.ATTENDANCE_NOT_RECORDED] == 0


def test_no_attendance_reminder_once_recorded_or_withdrawn(clinician, enrolment, world):
    recorded = book(clinician, enrolment, at(day(-2), 9))
    attend(clinician, recorded)
    assert run(0)["created"][K.ATTENDANCE_NOT_RECORDED] == 0
    book(clinician, enrolment, at(day(-1), 9))
    Enrolment.objects.filter(pk=enrolment.pk).update(
        withdrawn_on=day(-1), withdrawal_reason="declined"
    )
    assert run(0)["created"][K.ATTENDANCE_NOT_RECORDED] == 0


def test_without_a_usable_practitioner_the_provider_clinicians_are_reminded(
    clinician, enrolment, world
):
    Enrolment.objects.filter(pk=enrolment.pk).update(practitioner=None)
    book(clinician, enrolment, at(day(1), 9), modality=Modality.PHONE)
    run(0)
    recipients = {email for email, _ in notified(K.SESSION_TOMORROW)}
    assert clinician.user.email in recipients
    # Nobody outside the provider agency (police, advocacy, probation) is told.
    others = {world.members[r].user.email for r in (Role.INVESTIGATOR, Role.ADVOCATE)}
    assert not recipients & others


def test_sources_are_one_query_whatever_the_number_of_sessions(clinician, enrolment):
    for hour in (8, 9, 10):
        book(clinician, enrolment, at(day(1), hour))
        book(clinician, enrolment, at(day(-1), hour))
    for source, arg, expected in (
        (sources.sessions_on, day(1), 3),
        (sources.attendance_not_recorded, day(0), 3),
    ):
        with CaptureQueriesContext(connection) as queries:
            rows = list(source(arg))
        assert len(queries) == 1
        assert len(rows) == expected
    assert all(row["due_on"] == day(-1) for row in sources.attendance_not_recorded(day(0)))
    assert day(0) - timedelta(days=sources.ATTENDANCE_WINDOW_DAYS) < day(-1)


def _complete(clinician, enrolment, last_day):
    """Attend the sessions still planned, weekly, the last on ``last_day``."""
    remaining = enrolment.planned_sessions - enrolment.attended_count
    for n in range(remaining):
        when = at(last_day - timedelta(days=7 * (remaining - 1 - n)))
        attend(clinician, book(clinician, enrolment, when))


@pytest.fixture
def four(world, clinician):
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    return refer(clinician, case, referred_on=day(-60), consent_on=day(-60), planned_sessions=4)


def test_post_measure_due_once_when_the_enrolment_completes_without_one(clinician, four):
    take_measure(clinician, four, timing="pre", taken_on=day(-59))
    _complete(clinician, four, day(-1))
    assert run(0)["created"][K.POST_MEASURE_DUE] == 1
    assert notified(K.POST_MEASURE_DUE) == {
        (clinician.user.email, f"enrolment:{four.pk}:post-measure:{day(-1)}")
    }
    note = Notification.objects.get(kind=K.POST_MEASURE_DUE)
    assert note.link == reverse("interventions:enrolment-detail", args=[four.pk])
    assert "AAQ" not in note.title + note.body
    assert run(0)["created"][K.POST_MEASURE_DUE] == 0
    assert run(1)["created"][K.POST_MEASURE_DUE] == 0


def test_no_reminder_while_running_and_one_missing_post_is_enough(clinician, four):
    attend(clinician, book(clinician, four, at(day(-10))))
    assert run(0)["created"][K.POST_MEASURE_DUE] == 0  # 1 of 4: still running
    _complete(clinician, four, day(-1))
    # fACT takes three measures; one post missing is enough to remind...
    for code in ("aaq-ii", "cfq"):
        take_measure(clinician, four, code=code, timing="post")
    assert run(0)["created"][K.POST_MEASURE_DUE] == 1


def test_no_post_measure_reminder_when_every_post_is_taken_or_long_ago(world, clinician, four):
    _complete(clinician, four, day(-1))
    for code in ("aaq-ii", "cfq", "psyflex"):
        take_measure(clinician, four, code=code, timing="post")
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    old = refer(clinician, case, referred_on=day(-200), consent_on=day(-200), planned_sessions=4)
    _complete(clinician, old, day(-1 - sources.POST_MEASURE_WINDOW_DAYS))
    assert run(0)["created"][K.POST_MEASURE_DUE] == 0


def test_post_measure_source_is_one_query(clinician, four):
    _complete(clinician, four, day(-1))
    with CaptureQueriesContext(connection) as queries:
        rows = list(sources.post_measures_due(day(0)))
    assert len(queries) == 1 and [row["pk"] for row in rows] == [four.pk]


def _write_report(clinician, enrolment, *, send):
    from interventions.services import reports as report_services

    me = {"actor": clinician.user, "membership": clinician}
    report_services.report_save(
        **me, enrolment=enrolment, outcomes={"overall": "partly"}, summary="Completed."
    )
    if send:
        report_services.report_send(**me, enrolment=enrolment)


def test_end_report_due_once_when_the_enrolment_ends_without_one_sent(world, clinician, four):
    _complete(clinician, four, day(-1))
    assert run(0)["created"][K.END_REPORT_DUE] == 1
    assert notified(K.END_REPORT_DUE) == {
        (clinician.user.email, f"enrolment:{four.pk}:end-report:{day(-1)}")
    }
    note = Notification.objects.get(kind=K.END_REPORT_DUE)
    assert note.link == reverse("interventions:enrolment-detail", args=[four.pk])
    assert run(0)["created"][K.END_REPORT_DUE] == 0
    assert run(1)["created"][K.END_REPORT_DUE] == 0


def test_no_end_report_reminder_while_running_once_sent_or_never_started(world, clinician, four):
    from interventions.services import enrolments as enrolment_services

    attend(clinician, book(clinician, four, at(day(-10))))
    assert run(0)["created"][K.END_REPORT_DUE] == 0  # still running
    _complete(clinician, four, day(-1))
    _write_report(clinician, four, send=False)
    assert [row["pk"] for row in sources.end_reports_due(day(0))] == [four.pk]  # a draft
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    never = refer(clinician, case, referred_on=day(-20), consent_on=day(-20))
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=never,
        withdrawn_on=day(-2),
        reason="declined",
    )
    assert [row["pk"] for row in sources.end_reports_due(day(0))] == [four.pk]
    _write_report(clinician, four, send=True)
    assert run(0)["created"][K.END_REPORT_DUE] == 0


def test_a_withdrawal_after_a_session_is_an_ending_that_needs_a_report(world, clinician, four):
    from interventions.services import enrolments as enrolment_services

    attend(clinician, book(clinician, four, at(day(-10))))
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=four,
        withdrawn_on=day(-3),
        reason="disengaged",
    )
    with CaptureQueriesContext(connection) as queries:
        rows = list(sources.end_reports_due(day(0)))
    assert len(queries) == 1
    assert [(row["pk"], row["due_on"]) for row in rows] == [(four.pk, day(-3))]
