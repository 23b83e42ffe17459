"""Victim notification overdue in the daily job (issue 11 items 5 and 9): once per overdue
task, to the responsible person and escalated to their agency's supervisors or managers;
never for a task closed in time; nothing of the victim in the text."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import NotificationTrigger, VictimNotification
from cases.services import core as core_services
from cases.services import events as event_services
from reporting.models import Notification, NotificationKind, ReminderSent
from tests.factories import MembershipFactory, add_party
from tests.factories_advocacy import start_episode
from tests.reporting.helpers import day, notified, run

K = NotificationKind.VICTIM_NOTIFICATION_OVERDUE
pytestmark = pytest.mark.django_db


def _raise(world, *, due, key="release"):
    """Tasks raised through the service (one per victim), then given the due date under
    test."""
    member = world.members[Role.INVESTIGATOR]
    tasks = event_services.victim_notifications_raise(
        actor=member.user,
        membership=member,
        case=world.own_case,
        trigger=NotificationTrigger.RELEASED_FROM_CUSTODY,
        source_key=key,
        occurred_on=due,
    )
    VictimNotification.objects.filter(pk__in=[t.pk for t in tasks]).update(due_on=due)
    for task in tasks:
        task.refresh_from_db()
    return tasks


def _task(world, *, due):
    [task] = _raise(world, due=due)
    return task


def _keys(task):
    return f"victim-notification:{task.pk}:overdue:{task.due_on}"


def test_overdue_task_goes_to_the_oic_and_police_supervisors_once(world):
    task = _task(world, due=day(-1))
    summary = run()
    assert summary["created"][K] == 2
    key = _keys(task)
    emails = {world.members[r].user.email for r in (Role.INVESTIGATOR, Role.POLICE_SUPERVISOR)}
    assert notified(K) == {(email, key) for email in emails}
    [notice] = Notification.objects.filter(kind=K)[:1]
    assert notice.link == reverse("cases:victim-notification", args=[task.pk])
    assert world.victim.person.family_name not in notice.title + notice.body
    assert run()["created"][K] == 0
    assert run(1)["created"][K] == 0
    assert ReminderSent.objects.filter(kind=K, object_id=task.pk).count() == 1


def test_not_overdue_until_the_day_after_the_deadline(world):
    _task(world, due=day(0))
    assert run()["created"][K] == 0
    assert run(1)["created"][K] == 2


@pytest.mark.parametrize(
    ("result", "extra", "reminded"),
    [
        ("informed", {"channel": "phone"}, 0),  # closed in time: never escalated
        ("declined", {"note": "Asked not to be told."}, 0),
        ("not_reached", {"note": "No answer."}, 2),  # still open: escalated
    ],
)
def test_only_a_task_still_open_is_escalated(world, result, extra, reminded):
    task = _task(world, due=day(-1))
    investigator = world.members[Role.INVESTIGATOR]
    event_services.victim_notification_record(
        actor=investigator.user,
        membership=investigator,
        notification=task,
        result=result,
        at=timezone.now() - timedelta(minutes=1),
        **extra,
    )
    assert run()["created"][K] == reminded


def test_an_advocates_task_goes_to_them_and_their_agencys_manager(world):
    investigator = world.members[Role.INVESTIGATOR]
    core_services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["advocacy"],
        reason="Support",
    )
    advocate = world.members[Role.ADVOCATE]
    manager = MembershipFactory(agency=advocate.agency, role=Role.MANAGER)
    start_episode(advocate, world.own_case, victim=world.victim)
    task = _task(world, due=day(-1))
    assert task.responsible_id == advocate.user_id
    run()
    assert notified(K) == {
        (advocate.user.email, _keys(task)),
        (manager.user.email, _keys(task)),
    }


def test_with_no_usable_responsible_person_the_agencys_workers_are_told(world):
    task = _task(world, due=day(-1))
    investigator = world.members[Role.INVESTIGATOR]
    investigator.active = False
    investigator.save()
    run()
    recipients = {email for email, _key in notified(K)}
    assert investigator.user.email not in recipients
    assert world.members[Role.POLICE_SUPERVISOR].user.email in recipients
    assert task.pk


def test_query_count_does_not_grow_with_the_number_of_tasks(world):
    _raise(world, due=day(-2), key="first")
    with CaptureQueriesContext(connection) as few:
        run()
    Notification.objects.all().delete()
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    for _ in range(4):
        add_party(world.own_case)
    for offset in range(3):
        _raise(world, due=day(-3 - offset), key=f"more:{offset}")
    with CaptureQueriesContext(connection) as many:
        summary = run()
    assert summary["created"][K] == 2 * (1 + 3 * 5)
    assert len(many) == len(few)
