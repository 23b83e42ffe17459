"""The daily reminder job: the right people on the right day, once per due event."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from audit.models import AccessEvent
from reporting import tasks
from reporting.models import Notification, NotificationKind, ReminderSent
from risk.models import AssessmentStatus
from tests.reporting.helpers import (
    action,
    assessment,
    day,
    discussion,
    emails_of,
    meeting,
    notified,
    run,
    tool,
)
from triage.models import ActionStatus, MeetingStatus

K = NotificationKind
pytestmark = pytest.mark.django_db


def _email(world, role):
    return world.members[role].user.email


# --- Actions -------------------------------------------------------------------------------


def test_action_due_tomorrow_goes_to_the_owner_on_the_day_before_only(world):
    owner = world.members[Role.INVESTIGATOR]
    act = action(world, due=day(2), owner=owner.user)
    assert run(0)["created"][K.ACTION_DUE] == 0
    summary = run(1)
    assert summary["created"][K.ACTION_DUE] == 1
    assert notified(K.ACTION_DUE) == {(owner.user.email, f"action:{act.pk}:due:{day(2)}")}
    # Same day again and the next day (the due day): nothing new.
    assert run(1)["created"][K.ACTION_DUE] == 0
    assert run(2)["created"] == dict.fromkeys(K.values, 0)
    assert Notification.objects.count() == 1


def test_action_without_owner_goes_to_agency_members_who_work_actions(world):
    act = action(world, due=day(1), owner=None)
    run(0)
    expected = emails_of(world, Role.INVESTIGATOR, Role.POLICE_SUPERVISOR)
    assert {email for email, _ in notified(K.ACTION_DUE)} == expected
    # The partnership admin is in the police agency but does not work actions.
    assert _email(world, Role.PARTNERSHIP_ADMIN) not in expected
    assert {key for _, key in notified(K.ACTION_DUE)} == {f"action:{act.pk}:due:{day(1)}"}


def test_owner_without_usable_membership_falls_back_to_the_agency(world):
    owner = world.members[Role.INVESTIGATOR]
    owner.active = False
    owner.save()
    action(world, due=day(1), owner=owner.user)
    run(0)
    assert {email for email, _ in notified(K.ACTION_DUE)} == emails_of(
        world, Role.POLICE_SUPERVISOR
    )


def test_overdue_fires_once_the_day_after_the_due_date(world):
    owner = world.members[Role.INVESTIGATOR].user
    act = action(world, due=day(0), owner=owner)
    assert run(0)["created"][K.ACTION_OVERDUE] == 0  # due today: not overdue yet
    assert run(1)["created"][K.ACTION_OVERDUE] == 1
    assert notified(K.ACTION_OVERDUE) == {(owner.email, f"action:{act.pk}:overdue:{day(0)}")}
    assert run(1)["created"][K.ACTION_OVERDUE] == 0
    assert run(2)["created"][K.ACTION_OVERDUE] == 0
    assert Notification.objects.filter(kind=K.ACTION_OVERDUE).count() == 1


def test_a_new_due_date_is_a_new_due_event(world):
    owner = world.members[Role.INVESTIGATOR].user
    act = action(world, due=day(-1), owner=owner)
    run(0)
    act.due_on = day(1)
    act.save()
    assert run(0)["created"][K.ACTION_DUE] == 1
    assert run(2)["created"][K.ACTION_OVERDUE] == 1
    assert Notification.objects.filter(kind=K.ACTION_OVERDUE).count() == 2


def test_escalation_after_the_configured_delay_to_supervisors_once(world, settings):
    settings.REMINDER_ESCALATION_DAYS = 3
    act = action(world, due=day(-3), owner=world.members[Role.INVESTIGATOR].user)
    assert run(-1)["created"][K.ACTION_ESCALATED] == 0  # two days late: not yet
    assert run(0)["created"][K.ACTION_ESCALATED] == 1
    assert notified(K.ACTION_ESCALATED) == {
        (_email(world, Role.POLICE_SUPERVISOR), f"action:{act.pk}:escalated:{day(-3)}")
    }
    assert run(0)["created"][K.ACTION_ESCALATED] == 0
    assert run(1)["created"][K.ACTION_ESCALATED] == 0
    assert run(10)["created"][K.ACTION_ESCALATED] == 0


def test_escalation_delay_follows_the_setting(world, settings):
    settings.REMINDER_ESCALATION_DAYS = 5
    action(world, due=day(-4), owner=world.members[Role.INVESTIGATOR].user)
    assert run(0)["created"][K.ACTION_ESCALATED] == 0
    assert run(1)["created"][K.ACTION_ESCALATED] == 1


def test_escalation_goes_to_managers_of_the_owner_agency(world):
    action(world, due=day(-10), agency="probation")
    run(0)
    assert {e for e, _ in notified(K.ACTION_ESCALATED)} == emails_of(world, Role.MANAGER)


def test_escalation_without_supervisors_goes_to_the_clinic_chairs(world):
    action(world, due=day(-10), agency="cps", case=world.health_case)
    run(0)
    assert {e for e, _ in notified(K.ACTION_ESCALATED)} == emails_of(world, Role.CLINIC_CHAIR)


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.CANCELLED])
def test_nothing_for_done_or_cancelled_actions(world, status):
    action(world, due=day(1), status=status)
    action(world, due=day(-10), status=status)
    summary = run(0)
    assert sum(summary["created"].values()) == 0
    assert not ReminderSent.objects.exists()


# --- Risk reviews --------------------------------------------------------------------------


def test_risk_review_due_goes_to_the_assessor_on_the_review_date(world):
    found = assessment(world, review_due_on=day(1))
    assert run(0)["created"][K.RISK_REVIEW_DUE] == 0
    assert run(1)["created"][K.RISK_REVIEW_DUE] == 1
    assert notified(K.RISK_REVIEW_DUE) == {
        (_email(world, Role.INVESTIGATOR), f"assessment:{found.pk}:review:{day(1)}")
    }
    assert run(1)["created"][K.RISK_REVIEW_DUE] == 0
    assert run(2)["created"][K.RISK_REVIEW_DUE] == 0


def test_superseded_and_draft_assessments_need_no_review(world):
    version = tool(world)
    old = assessment(world, review_due_on=day(-5), version=version, assessed_on=day(-30))
    newer = assessment(world, review_due_on=day(30), version=version, assessed_on=day(-2))
    assessment(
        world,
        review_due_on=day(-5),
        version=tool(world, "other-tool"),
        status=AssessmentStatus.DRAFT,
    )
    assert run(0)["created"][K.RISK_REVIEW_DUE] == 0
    assert run(30)["created"][K.RISK_REVIEW_DUE] == 1
    assert {key for _, key in notified(K.RISK_REVIEW_DUE)} == {
        f"assessment:{newer.pk}:review:{day(30)}"
    }
    assert not ReminderSent.objects.filter(object_id=old.pk, kind=K.RISK_REVIEW_DUE).exists()


def test_review_goes_to_the_agency_when_the_assessor_has_no_usable_membership(world):
    member = world.members[Role.INVESTIGATOR]
    assessment(world, review_due_on=day(0))
    member.vetting_expires_on = day(-1)
    member.save()
    run(0)
    # Police members who assess risk; the lapsed assessor is left out.
    assert {e for e, _ in notified(K.RISK_REVIEW_DUE)} == emails_of(world, Role.POLICE_SUPERVISOR)


# --- Case reviews --------------------------------------------------------------------------


def test_case_review_goes_to_the_officer_in_charge_and_chairs_on_the_day(world):
    discussion(world, next_review_on=day(1))
    assert run(0)["created"][K.CASE_REVIEW_DUE] == 0
    assert run(1)["created"][K.CASE_REVIEW_DUE] == 2
    assert notified(K.CASE_REVIEW_DUE) == {
        (_email(world, Role.INVESTIGATOR), f"case:{world.own_case.pk}:review:{day(1)}"),
        (_email(world, Role.CLINIC_CHAIR), f"case:{world.own_case.pk}:review:{day(1)}"),
    }
    assert run(1)["created"][K.CASE_REVIEW_DUE] == 0
    assert run(2)["created"][K.CASE_REVIEW_DUE] == 0


def test_only_the_latest_discussion_sets_the_review(world):
    discussion(world, next_review_on=day(0))
    discussion(world, next_review_on=day(14))
    assert run(0)["created"][K.CASE_REVIEW_DUE] == 0
    assert run(14)["created"][K.CASE_REVIEW_DUE] == 2


def test_closed_cases_are_not_due_for_clinic_review(world):
    discussion(world, next_review_on=day(0))
    world.own_case.closed_on = day(-1)
    world.own_case.save()
    assert run(0)["created"][K.CASE_REVIEW_DUE] == 0


# --- Meetings ------------------------------------------------------------------------------


def test_meeting_tomorrow_goes_to_members_who_see_an_agenda_case_and_the_chair(world):
    held = meeting(world, held_on=day(1), cases=[world.health_case, world.own_case])
    assert run(-1)["created"][K.MEETING_TOMORROW] == 0
    run(0)
    recipients = {e for e, _ in notified(K.MEETING_TOMORROW)}
    # Police and health see agenda cases; probation attends but sees none; the partnership
    # admin takes no part in clinics; the CPS does not attend.
    assert recipients == emails_of(
        world, Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.CLINIC_CHAIR, Role.CLINICIAN
    )
    assert {k for _, k in notified(K.MEETING_TOMORROW)} == {f"meeting:{held.pk}:tomorrow"}
    note = Notification.objects.filter(kind=K.MEETING_TOMORROW).first()
    assert "2 cases on the agenda" in note.body
    assert run(0)["created"][K.MEETING_TOMORROW] == 0
    assert run(1)["created"][K.MEETING_TOMORROW] == 0


def test_removed_agenda_items_and_unplanned_meetings_do_not_count(world):
    from django.utils import timezone

    held = meeting(world, held_on=day(1), cases=[world.health_case])
    held.items.update(removed_at=timezone.now())
    closed = meeting(world, held_on=day(1), cases=[world.health_case], name="Morning meeting")
    closed.status = MeetingStatus.CLOSED
    closed.save()
    run(0)
    # An empty agenda: only the chair hears about it; the closed meeting: nobody.
    assert notified(K.MEETING_TOMORROW) == {
        (_email(world, Role.CLINIC_CHAIR), f"meeting:{held.pk}:tomorrow")
    }


# --- Email ---------------------------------------------------------------------------------


def test_one_digest_per_recipient_once_without_personal_data(world):
    investigator = world.members[Role.INVESTIGATOR]
    victim_name = world.victim.person.family_name
    action(world, due=day(1), owner=investigator.user)
    action(world, due=day(-1), owner=investigator.user)
    discussion(world, next_review_on=day(0))
    summary = run(0)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert summary["emails"] == len(mail.outbox) == len(by_recipient)
    digest = by_recipient[investigator.user.email]
    assert "3 new reminders" in digest.subject
    assert world.own_case.reference in digest.body
    for text in (victim_name, "Jane Victim", "Private Road", investigator.user.full_name):
        assert text not in digest.subject and text not in digest.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    mail.outbox.clear()
    run(0)
    run(1)
    assert mail.outbox == []


def test_a_failed_email_is_retried_next_run(world, monkeypatch):
    from django.core.mail import EmailMessage

    action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)

    def fail(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", fail)
    assert run(0)["emails"] == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    monkeypatch.undo()
    assert run(0)["emails"] == 1
    assert len(mail.outbox) == 1


# --- The job as a whole --------------------------------------------------------------------


def test_the_run_is_audited_with_its_counts(world):
    action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)
    run(0)
    event = AccessEvent.objects.filter(actor_email="system:daily-reminders").get()
    assert event.action == "create"
    assert event.detail["created"][K.ACTION_DUE] == 1


def _many(world, n):
    owner = world.members[Role.INVESTIGATOR].user
    for i in range(n):
        action(world, due=day(1), owner=owner if i % 2 else None)
        action(world, due=day(-5), owner=owner)
        assessment(world, review_due_on=day(0), version=tool(world, f"tool-{n}-{i}"))
        discussion(world, next_review_on=day(0), case=world.health_case)
    meeting(world, held_on=day(1), cases=[world.health_case], name=f"Clinic {n}")


def test_query_count_does_not_grow_with_the_number_of_due_events(world):
    _many(world, 2)
    with CaptureQueriesContext(connection) as few:
        run(0)
    Notification.objects.all().delete()
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    _many(world, 8)
    with CaptureQueriesContext(connection) as many:
        run(0)
    assert Notification.objects.filter(kind=K.ACTION_DUE).count() > 8
    assert len(many) == len(few)


def test_task_and_command_run_the_same_job(world):
    action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)
    result = tasks.send_daily_reminders.delay(day(0).isoformat()).get()
    assert result["created"][K.ACTION_DUE] == 1
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--date", day(0).isoformat(), stdout=out)
    assert "action_due: 0 notifications" in out.getvalue()
    assert tasks.send_daily_reminders.acks_late


def test_beat_runs_the_job_at_six_london_time():
    from django.conf import settings

    from config.celery import app

    entry = app.conf.beat_schedule["reporting-send-daily-reminders"]
    assert entry["task"] == "reporting.tasks.send_daily_reminders"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"


def test_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "22/11/2026")
    assert date.fromisoformat("2026-11-22")


def test_missed_runs_are_caught_up_until_escalation_takes_over(world, settings):
    settings.REMINDER_ESCALATION_DAYS = 3
    owner = world.members[Role.INVESTIGATOR].user
    recent = action(world, due=day(-3), owner=owner)  # overdue for 3 days: still told
    backlog = action(world, due=day(-10), owner=owner)  # long overdue: escalated only
    summary = run(0)
    assert {key for _, key in notified(K.ACTION_OVERDUE)} == {
        f"action:{recent.pk}:overdue:{day(-3)}"
    }
    assert summary["created"][K.ACTION_ESCALATED] == 2
    assert f"action:{backlog.pk}:escalated:{day(-10)}" in {
        key for _, key in notified(K.ACTION_ESCALATED)
    }


def test_escalation_says_how_late_without_personal_data(world):
    action(world, due=day(-6), owner=world.members[Role.INVESTIGATOR].user)
    run(0)
    note = Notification.objects.get(kind=K.ACTION_ESCALATED)
    assert note.title == (
        f"Escalated: action on case {world.own_case.reference} still open 6 days after its due date"
    )
    assert "Jane" not in note.title + note.body
    assert note.link and note.case_id == world.own_case.pk


def test_two_runs_at_once_email_each_recipient_once(world, monkeypatch):
    """Run B computed its events, then run A wrote and emailed them all before B wrote:
    B's digests come only from the ledger rows B itself inserted, so it sends nothing."""
    from django.core import mail

    from reporting.services import reminders as service

    for n in range(3):
        action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)
    action(world, due=day(1), agency="health")
    real_write = service._write
    raced = []

    def a_then_b(events, **kwargs):
        if not raced:
            raced.append(True)
            service._send_daily_reminders(today=day(0), email=True)  # run A, whole
        return real_write(events, **kwargs)

    monkeypatch.setattr(service, "_write", a_then_b)
    mail.outbox.clear()
    summary_b = service._send_daily_reminders(today=day(0), email=True)
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == len(set(recipients)) > 1  # one digest each, from run A
    assert summary_b["emails"] == 0 and summary_b["events"][K.ACTION_DUE] == 0
    assert Notification.objects.filter(kind=K.ACTION_DUE).count() == len(recipients) + 2


@pytest.mark.postgres
def test_a_run_while_another_holds_the_lock_is_skipped(world):
    """One run at a time across processes: another connection (another worker) holds the
    advisory lock, so this run sends nothing."""
    import psycopg
    from django.db import connection

    from reporting.services.reminders import RUN_LOCK_KEY

    action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY]).fetchone()[0]
        summary = tasks.send_daily_reminders.delay(day(0).isoformat()).get()
        assert summary["skipped"] == "another run is in progress"
        assert not Notification.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])  # that run ends
    summary = tasks.send_daily_reminders.delay(day(0).isoformat()).get()
    assert summary["created"][K.ACTION_DUE] == 1
