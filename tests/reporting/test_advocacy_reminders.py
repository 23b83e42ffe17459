"""Advocacy reminders in the daily job (issue 11 item 9): first contact overdue, next contact
overdue and safety plan review due go to the episode's advocate (or, with none, the holding
agency's advocacy members), once per due event, never for closed episodes or superseded
plans, and say nothing of the compartment (no name, contact summary or plan text)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import Channel, Direction, PlanItemOwner, SupportEpisode
from advocacy.services import episodes as episode_services
from advocacy.services import safety as safety_services
from config.dates import add_working_days
from reporting.models import Notification, NotificationKind, ReminderSent
from tests.factories import MembershipFactory, open_case
from tests.factories_advocacy import second_advocacy_agency, start_episode
from tests.reporting.helpers import day, notified, run

K = NotificationKind
ADVOCACY_KINDS = (K.FIRST_CONTACT_OVERDUE, K.NEXT_CONTACT_OVERDUE, K.SAFETY_PLAN_REVIEW_DUE)
pytestmark = pytest.mark.django_db

SUMMARY_MARKER = "MARKER-contact-summary-spoke-about-the-new-car"
PLAN_MARKER = "MARKER-plan-keep-spare-key-with-neighbour"
NOTES_MARKER = "MARKER-plan-notes-refuge-address"


@pytest.fixture
def advocate(world):
    return world.members[Role.ADVOCATE]


@pytest.fixture
def case(world):
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation")]
    return open_case(police, shared_with=agencies)


def _episode(advocate, case, *, referred_on=None, allocated=True):
    return start_episode(
        advocate,
        case,
        referred_on=referred_on or day(0),
        advocate=advocate.user if allocated else None,
    )


def _contact(advocate, episode, *, next_due, made=True, at=None):
    return episode_services.contact_log(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        at=at or timezone.now() - timedelta(minutes=5),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=made,
        summary=SUMMARY_MARKER if made else "",
        next_contact_due=next_due,
    )


def _plan(advocate, episode, *, review_on):
    return safety_services.safety_plan_save(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        review_on=review_on,
        items=[{"text": PLAN_MARKER, "owner": PlanItemOwner.VICTIM}],
        notes=NOTES_MARKER,
    )


def _close(episode):
    SupportEpisode.objects.filter(pk=episode.pk).update(
        closed_on=day(0), closure_reason="support_complete"
    )


def _link(episode):
    return reverse("advocacy:episode-detail", args=[episode.pk])


def _created(summary):
    return {kind: summary["created"][kind] for kind in ADVOCACY_KINDS}


# --- First contact -------------------------------------------------------------------------


def test_first_contact_overdue_goes_to_the_advocate_once_after_the_target(advocate, case):
    episode = _episode(advocate, case, referred_on=day(0))
    due = episode.first_contact_due_on
    # Not before the target has passed (the target day itself is still in time).
    assert run((due - day(0)).days)["created"][K.FIRST_CONTACT_OVERDUE] == 0
    late = (due - day(0)).days + 1
    assert run(late)["created"][K.FIRST_CONTACT_OVERDUE] == 1
    key = f"episode:{episode.pk}:first-contact:{due}"
    assert notified(K.FIRST_CONTACT_OVERDUE) == {(advocate.user.email, key)}
    note = Notification.objects.get(kind=K.FIRST_CONTACT_OVERDUE)
    assert note.link == _link(episode)
    assert note.case_id == case.pk
    assert case.reference in note.title
    # Same day again, and the days after: nothing new.
    assert _created(run(late)) == dict.fromkeys(ADVOCACY_KINDS, 0)
    assert _created(run(late + 1)) == dict.fromkeys(ADVOCACY_KINDS, 0)
    assert Notification.objects.count() == 1


def test_a_new_referral_date_is_a_new_first_contact_event(advocate, case):
    episode = _episode(advocate, case, referred_on=day(-10))
    first_due = episode.first_contact_due_on
    assert run(0)["created"][K.FIRST_CONTACT_OVERDUE] == 1
    episode.referred_on = day(-6)
    episode.save(update_fields=["referred_on"])
    episode.refresh_from_db()
    assert episode.first_contact_due_on != first_due
    assert run(0)["created"][K.FIRST_CONTACT_OVERDUE] == 1
    assert {key for _, key in notified(K.FIRST_CONTACT_OVERDUE)} == {
        f"episode:{episode.pk}:first-contact:{first_due}",
        f"episode:{episode.pk}:first-contact:{episode.first_contact_due_on}",
    }


def test_no_first_contact_reminder_once_contact_is_made_or_support_closed(advocate, case):
    contacted = _episode(advocate, case, referred_on=day(-10))
    _contact(advocate, contacted, next_due=None)
    closed = _episode(advocate, case, referred_on=day(-10))
    _close(closed)
    assert run(0)["created"][K.FIRST_CONTACT_OVERDUE] == 0


def test_an_attempt_alone_does_not_stop_the_first_contact_reminder(advocate, case):
    episode = _episode(advocate, case, referred_on=day(-10))
    _contact(advocate, episode, next_due=None, made=False)
    assert run(0)["created"][K.FIRST_CONTACT_OVERDUE] == 1


@pytest.mark.parametrize("working_days", [1, 2, 5])
def test_the_stored_target_is_the_working_day_rule_for_every_weekday(
    advocate, case, settings, working_days
):
    settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS = working_days
    episodes = [_episode(advocate, case, referred_on=day(-20 + i)) for i in range(7)]
    stored = dict(
        SupportEpisode.objects.filter(pk__in=[e.pk for e in episodes]).values_list(
            "pk", "first_contact_due_on"
        )
    )
    assert stored == {e.pk: add_working_days(e.referred_on, working_days) for e in episodes}


# --- Next contact --------------------------------------------------------------------------


def test_next_contact_overdue_goes_to_the_advocate_once_per_due_date(advocate, case):
    episode = _episode(advocate, case)
    _contact(advocate, episode, next_due=day(2))
    assert run(2)["created"][K.NEXT_CONTACT_OVERDUE] == 0
    assert run(3)["created"][K.NEXT_CONTACT_OVERDUE] == 1
    key = f"episode:{episode.pk}:next-contact:{day(2)}"
    assert notified(K.NEXT_CONTACT_OVERDUE) == {(advocate.user.email, key)}
    assert Notification.objects.get(kind=K.NEXT_CONTACT_OVERDUE).link == _link(episode)
    assert run(3)["created"][K.NEXT_CONTACT_OVERDUE] == 0
    assert run(4)["created"][K.NEXT_CONTACT_OVERDUE] == 0
    # A later contact sets a new date: a new event once that date has passed.
    _contact(advocate, episode, next_due=day(6), at=timezone.now())
    assert run(6)["created"][K.NEXT_CONTACT_OVERDUE] == 0
    assert run(7)["created"][K.NEXT_CONTACT_OVERDUE] == 1
    assert {key for _, key in notified(K.NEXT_CONTACT_OVERDUE)} == {
        key,
        f"episode:{episode.pk}:next-contact:{day(6)}",
    }


def test_only_the_latest_contact_sets_the_next_contact(advocate, case):
    episode = _episode(advocate, case, referred_on=day(-3))
    _contact(advocate, episode, next_due=day(1), at=timezone.now() - timedelta(days=2))
    _contact(advocate, episode, next_due=day(10))
    no_date = _episode(advocate, case, referred_on=day(-3))
    _contact(advocate, no_date, next_due=day(1), at=timezone.now() - timedelta(days=2))
    _contact(advocate, no_date, next_due=None)
    assert run(5)["created"][K.NEXT_CONTACT_OVERDUE] == 0


def test_closed_episodes_are_not_due_for_contact(advocate, case):
    episode = _episode(advocate, case)
    _contact(advocate, episode, next_due=day(1))
    _close(episode)
    assert run(5)["created"][K.NEXT_CONTACT_OVERDUE] == 0


# --- Safety plan review --------------------------------------------------------------------


def test_plan_review_due_on_the_review_date_once(advocate, case):
    episode = _episode(advocate, case)
    _plan(advocate, episode, review_on=day(2))
    assert run(1)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0
    assert run(2)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 1
    key = f"episode:{episode.pk}:plan-review:{day(2)}"
    assert notified(K.SAFETY_PLAN_REVIEW_DUE) == {(advocate.user.email, key)}
    assert Notification.objects.get(kind=K.SAFETY_PLAN_REVIEW_DUE).link == _link(episode)
    assert run(2)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0
    assert run(3)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0


def test_a_new_version_with_a_new_review_date_is_a_new_event(advocate, case):
    episode = _episode(advocate, case)
    _plan(advocate, episode, review_on=day(0))
    assert run(0)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 1
    # Saved again with the same date: the same due event.
    _plan(advocate, episode, review_on=day(0))
    assert run(0)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0
    _plan(advocate, episode, review_on=day(4))
    assert run(3)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0
    assert run(4)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 1


def test_superseded_plans_and_closed_episodes_need_no_review(advocate, case):
    episode = _episode(advocate, case)
    _plan(advocate, episode, review_on=day(0))
    _plan(advocate, episode, review_on=day(30))  # supersedes the one due today
    closed = _episode(advocate, case)
    _plan(advocate, closed, review_on=day(0))
    _close(closed)
    assert run(1)["created"][K.SAFETY_PLAN_REVIEW_DUE] == 0


# --- Recipients ----------------------------------------------------------------------------


def test_without_an_advocate_the_agencys_advocacy_members_are_reminded(world, advocate, case):
    manager = MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)
    colleague = MembershipFactory(agency=world.agencies["advocacy"], role=Role.ADVOCATE)
    _other_agency, outsider = second_advocacy_agency(world.partnership)
    episode = _episode(advocate, case, referred_on=day(-10), allocated=False)
    _plan(advocate, episode, review_on=day(0))
    run(0)
    expected = {advocate.user.email, manager.user.email, colleague.user.email}
    for kind in (K.FIRST_CONTACT_OVERDUE, K.SAFETY_PLAN_REVIEW_DUE):
        assert {email for email, _ in notified(kind)} == expected
    everyone = {n.recipient.email for n in Notification.objects.select_related("recipient")}
    assert outsider.user.email not in everyone
    assert world.members[Role.INVESTIGATOR].user.email not in everyone


def test_an_advocate_who_can_no_longer_work_there_falls_back_to_the_agency(world, advocate, case):
    colleague = MembershipFactory(agency=world.agencies["advocacy"], role=Role.ADVOCATE)
    episode = _episode(colleague, case, referred_on=day(-10))
    colleague.active = False
    colleague.save(update_fields=["active"])
    assert episode.advocate_id == colleague.user_id
    run(0)
    assert {email for email, _ in notified(K.FIRST_CONTACT_OVERDUE)} == {advocate.user.email}


# --- Nothing of the compartment ------------------------------------------------------------


def test_notifications_and_email_carry_no_compartment_text(advocate, case):
    episode = _episode(advocate, case, referred_on=day(-10))
    _contact(advocate, episode, next_due=day(0))
    _plan(advocate, episode, review_on=day(0))
    # First contact made by the contact above: make another episode for that kind.
    other = _episode(advocate, case, referred_on=day(-10))
    summary = run(1)
    assert _created(summary) == dict.fromkeys(ADVOCACY_KINDS, 1)
    person = episode.victim.person
    secret = [
        SUMMARY_MARKER,
        PLAN_MARKER,
        NOTES_MARKER,
        person.family_name,
        other.victim.person.family_name,
    ]
    secret += [person.given_names, other.victim.person.given_names]
    notes = list(Notification.objects.filter(kind__in=ADVOCACY_KINDS))
    assert len(notes) == 3
    for note in notes:
        for text in secret:
            assert text not in note.title and text not in note.body and text not in note.link
    [digest] = mail.outbox
    assert digest.to == [advocate.user.email]
    assert case.reference in digest.body
    assert _link(episode) in digest.body and _link(other) in digest.body
    for text in secret:
        assert text not in digest.subject and text not in digest.body


# --- Bounded queries -----------------------------------------------------------------------


def _many(advocate, case, n):
    for i in range(n):
        overdue = _episode(advocate, case, referred_on=day(-10), allocated=bool(i % 2))
        _plan(advocate, overdue, review_on=day(0))
        contacted = _episode(advocate, case)
        _contact(advocate, contacted, next_due=day(0))


def test_query_count_does_not_grow_with_the_number_of_episodes(advocate, case):
    _many(advocate, case, 2)
    with CaptureQueriesContext(connection) as few:
        run(1)
    Notification.objects.all().delete()
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    _many(advocate, case, 8)
    with CaptureQueriesContext(connection) as many:
        summary = run(1)
    assert summary["created"][K.FIRST_CONTACT_OVERDUE] == 10
    assert summary["created"][K.NEXT_CONTACT_OVERDUE] == 10
    assert summary["created"][K.SAFETY_PLAN_REVIEW_DUE] == 10
    assert len(many) == len(few)
