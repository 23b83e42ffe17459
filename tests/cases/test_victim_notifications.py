"""Issue 11 item 5: case events, the "tell the victim" task each trigger raises, who owns
it, its deadline, recording it, who sees it, and bad input."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.services import episodes as episode_services
from audit.models import AccessEvent, Action
from cases.models import (
    CaseEvent,
    CaseEventKind,
    NotificationOutcome,
    NotificationTrigger,
    OrderDecision,
    VictimNotification,
)
from cases.selectors import events as selectors
from cases.services import core as core_services
from cases.services import events as services
from cases.services import record as record_services
from config.dates import add_working_days
from reporting.models import Notification, NotificationKind
from tests.factories import MembershipFactory, add_party
from tests.factories_advocacy import start_episode
from tests.factories_record import local_code, make_order


def _now():
    return timezone.now() - timedelta(minutes=5)


def _event(world, kind=CaseEventKind.CHARGED, *, case=None, member=None, **kwargs):
    member = member or world.members[Role.INVESTIGATOR]
    case = case or world.own_case
    return services.case_event_record(
        actor=member.user,
        membership=member,
        case=case,
        perpetrator=kwargs.pop("perpetrator", world.perpetrator.person),
        kind=kind,
        occurred_at=kwargs.pop("occurred_at", _now()),
        **kwargs,
    )


def _tasks(**filters):
    return list(VictimNotification.objects.filter(**filters).order_by("pk"))


def _share_with_advocacy(world, case=None):
    investigator = world.members[Role.INVESTIGATOR]
    core_services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=case or world.own_case,
        agency=world.agencies["advocacy"],
        reason="Victim support",
    )


# ---------------------------------------------------------------- triggers


@pytest.mark.parametrize("kind", CaseEventKind.values)
def test_each_case_event_kind_raises_a_task_for_the_victim(world, kind):
    event = _event(world, kind)
    [task] = _tasks(case=world.own_case)
    assert task.trigger == kind
    assert task.victim == world.victim
    assert task.source_key == f"event:{event.pk}"
    assert task.occurred_on == timezone.localdate(event.occurred_at)
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type=CaseEvent._meta.label, object_id=str(event.pk)
    ).exists()
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type=VictimNotification._meta.label, object_id=str(task.pk)
    ).exists()


def test_every_victim_party_gets_a_task_and_other_parties_none(world):
    second = add_party(world.own_case, role="secondary_victim")
    add_party(world.own_case, role="other")
    _event(world)
    assert {t.victim_id for t in _tasks(case=world.own_case)} == {world.victim.pk, second.pk}


def _order_kwargs(world, **kwargs):
    member = world.members[Role.INVESTIGATOR]
    today = timezone.localdate()
    return {
        "actor": member.user,
        "membership": member,
        "case": world.own_case,
        "subject": world.perpetrator.person,
        "protected": world.victim.person,
        "kind": "spo_full",
        "applied_on": today - timedelta(days=10),
        **kwargs,
    }


def test_an_order_granted_when_recorded_raises_a_task(world):
    today = timezone.localdate()
    order = record_services.order_create(
        **_order_kwargs(world, decision=OrderDecision.GRANTED, decided_on=today)
    )
    [task] = _tasks(case=world.own_case)
    assert (task.trigger, task.source_key) == (
        NotificationTrigger.ORDER_GRANTED,
        f"order:{order.pk}:granted",
    )
    assert task.occurred_on == today


def test_a_pending_order_raises_nothing_until_granted_then_once(world):
    member = world.members[Role.INVESTIGATOR]
    order = record_services.order_create(**_order_kwargs(world))
    assert _tasks() == []
    today = timezone.localdate()
    for _ in range(2):
        order = record_services.order_decide(
            actor=member.user,
            membership=member,
            order=order,
            decision=OrderDecision.GRANTED,
            decided_on=today,
        )
    assert [t.trigger for t in _tasks()] == [NotificationTrigger.ORDER_GRANTED]


def test_varying_a_granted_order_raises_a_task_per_variation(world):
    member = world.members[Role.INVESTIGATOR]
    today = timezone.localdate()
    order = record_services.order_create(
        **_order_kwargs(world, decision=OrderDecision.GRANTED, decided_on=today)
    )

    def decide(**kwargs):
        return record_services.order_decide(
            actor=member.user,
            membership=member,
            order=order,
            decision=OrderDecision.GRANTED,
            decided_on=today,
            **kwargs,
        )

    decide(conditions="Not to contact the victim by any means.")
    decide(conditions="Not to contact the victim by any means.")  # no change: no variation
    decide(conditions="Not to enter Northtown.")
    triggers = [t.trigger for t in _tasks()]
    assert triggers == [
        NotificationTrigger.ORDER_GRANTED,
        NotificationTrigger.ORDER_VARIED,
        NotificationTrigger.ORDER_VARIED,
    ]


def test_a_breach_raises_a_task_due_from_when_it_was_reported(world):
    member = world.members[Role.INVESTIGATOR]
    order = make_order(world.own_case, subject=world.perpetrator.person)
    today = timezone.localdate()
    breach = record_services.breach_record(
        actor=member.user,
        membership=member,
        order=order,
        occurred_on=today - timedelta(days=3),
        reported_on=today,
    )
    [task] = _tasks()
    assert (task.trigger, task.source_key) == (
        NotificationTrigger.ORDER_BREACHED,
        f"breach:{breach.pk}",
    )
    assert task.occurred_on == today


def test_closing_the_case_raises_a_task(world):
    member = world.members[Role.INVESTIGATOR]
    reason = local_code(world.partnership, code="complete", label="Complete")
    record_services.case_close(
        actor=member.user, membership=member, case=world.own_case, reason=reason
    )
    [task] = _tasks()
    assert task.trigger == NotificationTrigger.CASE_CLOSED


def test_raising_the_same_trigger_twice_creates_one_task_and_one_notice(world):
    member = world.members[Role.INVESTIGATOR]
    event = _event(world)
    again = services.victim_notifications_raise(
        actor=member.user,
        membership=member,
        case=world.own_case,
        trigger=event.kind,
        source_key=f"event:{event.pk}",
        occurred_on=timezone.localdate(),
    )
    assert again == []
    assert len(_tasks()) == 1
    assert Notification.objects.filter(kind=NotificationKind.VICTIM_NOTIFICATION_DUE).count() == 1


# ---------------------------------------------------------------- who is responsible


def test_with_no_advocate_the_officer_in_charge_owns_it_and_is_notified(world):
    _event(world)
    [task] = _tasks()
    investigator = world.members[Role.INVESTIGATOR]
    assert task.responsible_id == investigator.user_id
    assert task.responsible_agency_id == investigator.agency_id
    [notice] = Notification.objects.filter(kind=NotificationKind.VICTIM_NOTIFICATION_DUE)
    assert notice.recipient_id == investigator.user_id
    assert notice.link == reverse("cases:victim-notification", args=[task.pk])
    assert world.victim.person.family_name not in notice.title + notice.body


def test_the_advocate_of_an_open_episode_owns_it(world):
    _share_with_advocacy(world)
    advocate = world.members[Role.ADVOCATE]
    start_episode(advocate, world.own_case, victim=world.victim)
    _event(world)
    [task] = _tasks()
    assert (task.responsible_id, task.responsible_agency_id) == (
        advocate.user_id,
        advocate.agency_id,
    )
    assert Notification.objects.get().recipient_id == advocate.user_id


def test_an_episode_with_no_advocate_gives_it_to_the_advocacy_agency(world):
    _share_with_advocacy(world)
    advocate = world.members[Role.ADVOCATE]
    start_episode(advocate, world.own_case, victim=world.victim, advocate=None)
    _event(world)
    [task] = _tasks()
    assert task.responsible_id is None
    assert task.responsible_agency_id == advocate.agency_id
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [advocate.user_id]


def test_no_officer_in_charge_leaves_it_with_the_police_agency(world):
    investigator = world.members[Role.INVESTIGATOR]
    world.own_case.officer_in_charge = None
    world.own_case.save()
    _event(world)
    [task] = _tasks()
    assert task.responsible_id is None
    assert task.responsible_agency_id == investigator.agency_id
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert investigator.user_id in recipients
    assert world.members[Role.POLICE_SUPERVISOR].user_id in recipients
    assert world.members[Role.PARTNERSHIP_ADMIN].user_id not in recipients


def _moved_to(task):
    task.refresh_from_db()
    return task.responsible_id, task.responsible_agency_id


def test_a_pending_task_follows_the_victim_to_a_new_advocate_and_back_to_the_oic(world):
    investigator = world.members[Role.INVESTIGATOR]
    advocate = world.members[Role.ADVOCATE]
    _event(world)
    [task] = _tasks()
    assert _moved_to(task) == (investigator.user_id, investigator.agency_id)

    _share_with_advocacy(world)
    episode = start_episode(advocate, world.own_case, victim=world.victim)
    assert _moved_to(task) == (advocate.user_id, advocate.agency_id)
    assert Notification.objects.filter(
        recipient_id=advocate.user_id, kind=NotificationKind.VICTIM_NOTIFICATION_DUE
    ).exists()
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_type=VictimNotification._meta.label, object_id=str(task.pk)
    ).exists()

    other = MembershipFactory(agency=advocate.agency, role=Role.ADVOCATE)
    episode_services.episode_update(
        actor=advocate.user, membership=advocate, episode=episode, advocate=other.user
    )
    assert _moved_to(task) == (other.user_id, advocate.agency_id)

    episode_services.episode_close(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        closed_on=timezone.localdate(),
        closure_reason="support_complete",
        outcomes={},
    )
    assert _moved_to(task) == (investigator.user_id, investigator.agency_id)


def test_a_told_task_stays_with_whoever_told_the_victim(world):
    investigator = world.members[Role.INVESTIGATOR]
    _event(world)
    [task] = _tasks()
    _record(world, task)
    _share_with_advocacy(world)
    start_episode(world.members[Role.ADVOCATE], world.own_case, victim=world.victim)
    assert _moved_to(task) == (investigator.user_id, investigator.agency_id)


def test_a_new_officer_in_charge_takes_the_police_held_tasks(world):
    investigator = world.members[Role.INVESTIGATOR]
    _event(world)
    [task] = _tasks()
    successor = MembershipFactory(agency=investigator.agency, role=Role.INVESTIGATOR)
    record_services.record_update(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        officer_in_charge=successor.user,
    )
    assert _moved_to(task) == (successor.user_id, investigator.agency_id)
    assert Notification.objects.filter(recipient_id=successor.user_id).exists()


# ---------------------------------------------------------------- deadline


def test_deadline_is_one_working_day_for_enhanced_rights_and_five_otherwise():
    friday = date(2026, 11, 27)
    assert services.due_on(friday, enhanced_rights=True) == date(2026, 11, 30)
    assert services.due_on(friday, enhanced_rights=False) == date(2026, 12, 4)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday


def test_a_victim_without_enhanced_rights_has_five_working_days(world):
    world.victim.enhanced_rights = False
    world.victim.save()
    event = _event(world)
    [task] = _tasks()
    assert not task.enhanced_rights
    assert task.due_on == add_working_days(timezone.localdate(event.occurred_at), 5)


# ---------------------------------------------------------------- recording


def _record(world, task, member=None, **kwargs):
    member = member or world.members[Role.INVESTIGATOR]
    values = {"result": "informed", "at": _now(), "channel": "phone", **kwargs}
    return services.victim_notification_record(
        actor=member.user, membership=member, notification=task, **values
    )


def test_informed_closes_the_task_with_who_when_how_and_an_audit_row(world):
    _event(world)
    [task] = _tasks()
    at = _now()
    task = _record(world, task, at=at, told_by="PC Example")
    assert task.outcome == NotificationOutcome.INFORMED
    assert (task.informed_at, task.channel, task.told_by) == (at, "phone", "PC Example")
    assert task.resolved_by_id == world.members[Role.INVESTIGATOR].user_id
    assert not selectors.pending_victim_notifications(world.members[Role.INVESTIGATOR]).exists()
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_type=VictimNotification._meta.label, object_id=str(task.pk)
    ).exists()


def test_could_not_inform_keeps_it_open_and_keeps_each_attempt(world):
    _event(world)
    [task] = _tasks()
    task = _record(world, task, result="not_reached", note="No answer, voicemail not safe.")
    task = _record(world, task, result="not_reached", note="Phone off.")
    assert task.is_pending
    assert task.attempt_reason == "Phone off."
    assert task.history.filter(attempt_reason="No answer, voicemail not safe.").exists()


def test_a_victim_who_asked_not_to_be_told_closes_it_as_declined(world):
    _event(world)
    [task] = _tasks()
    task = _record(world, task, result="declined", channel="", note="Opted out on 1 March.")
    assert task.outcome == NotificationOutcome.DECLINED


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"result": "maybe"}, "result"),
        ({"at": None}, "at"),
        ({"at": timezone.now() + timedelta(hours=2)}, "at"),
        ({"at": timezone.make_aware(datetime(2020, 1, 1, 12))}, "at"),
        ({"channel": ""}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"result": "not_reached", "note": ""}, "note"),
        ({"result": "declined", "note": " "}, "note"),
        ({"told_by": "x" * 201}, "told_by"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_saved(world, values, field):
    _event(world)
    [task] = _tasks()
    with pytest.raises(ValidationError) as error:
        _record(world, task, **values)
    assert field in error.value.message_dict
    task.refresh_from_db()
    assert task.is_pending and task.attempted_at is None


def test_a_closed_task_cannot_be_recorded_again(world):
    _event(world)
    [task] = _tasks()
    _record(world, task)
    task.refresh_from_db()
    with pytest.raises(ValidationError):
        _record(world, task)


def test_only_the_responsible_agencys_workers_record_it(world):
    _event(world)
    [task] = _tasks()
    for role in (Role.ADVOCATE, Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN, Role.CLINICIAN):
        with pytest.raises(PermissionDenied):
            _record(world, task, member=world.members[role])
    _record(world, task, member=world.members[Role.POLICE_SUPERVISOR])


# ---------------------------------------------------------------- case events: bad input


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "abducted"}, "kind"),
        ({"perpetrator": None}, "perpetrator"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_case_event_is_refused_and_nothing_saved(world, values, field):
    with pytest.raises(ValidationError) as error:
        _event(world, **values)
    assert field in error.value.message_dict
    assert not CaseEvent.objects.exists() and not VictimNotification.objects.exists()


def test_the_victim_is_not_a_perpetrator_for_an_event(world):
    with pytest.raises(ValidationError) as error:
        _event(world, perpetrator=world.victim.person)
    assert "perpetrator" in error.value.message_dict


def test_an_event_note_with_the_victims_postcode_is_refused(world):
    world.victim.person.postcode = "ZZ9 9ZZ"
    world.victim.person.save()
    with pytest.raises(ValidationError) as error:
        _event(world, note="Bailed to an address away from zz99zz.")
    assert "postcode" in error.value.message_dict["note"][0]
    assert "ZZ9" not in error.value.message_dict["note"][0]


def test_only_police_and_the_chair_record_events(world):
    for role in (Role.ADVOCATE, Role.CLINICIAN, Role.PROBATION_OFFICER):
        with pytest.raises(PermissionDenied):
            _event(world, member=world.members[role])
    _event(world, member=world.members[Role.CLINIC_CHAIR])


# ---------------------------------------------------------------- who sees which task


def test_police_see_the_oic_task_and_not_the_advocates(world):
    _share_with_advocacy(world)
    advocate = world.members[Role.ADVOCATE]
    second_victim = add_party(world.own_case)
    start_episode(advocate, world.own_case, victim=second_victim)
    _event(world)
    oic_task = VictimNotification.objects.get(victim=world.victim)
    advocate_task = VictimNotification.objects.get(victim=second_victim)

    def seen(role):
        return set(selectors.victim_notifications_visible_to(world.members[role]))

    assert seen(Role.INVESTIGATOR) == seen(Role.POLICE_SUPERVISOR) == {oic_task}
    assert seen(Role.ADVOCATE) == {advocate_task}
    for role in (Role.CLINIC_CHAIR, Role.CLINICIAN, Role.PARTNERSHIP_ADMIN, Role.PARTNER):
        assert seen(role) == set()


def test_counts_are_one_query(world, django_assert_num_queries):
    _event(world)
    _event(world, CaseEventKind.ARRESTED)
    with django_assert_num_queries(1):
        counts = selectors.victim_notification_counts(world.members[Role.INVESTIGATOR])
    assert counts["pending"] == 2


def test_police_record_standard_rights_and_later_tasks_get_five_days(world):
    investigator = world.members[Role.INVESTIGATOR]
    party = services.party_set_enhanced_rights(
        actor=investigator.user, membership=investigator, party=world.victim, enhanced_rights=False
    )
    assert not party.enhanced_rights
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.CaseParty", object_id=str(party.pk)
    ).exists()
    event = _event(world)
    [task] = _tasks()
    assert task.due_on == add_working_days(timezone.localdate(event.occurred_at), 5)
    with pytest.raises(ValidationError):
        services.party_set_enhanced_rights(
            actor=investigator.user,
            membership=investigator,
            party=world.perpetrator,
            enhanced_rights=False,
        )
    with pytest.raises(PermissionDenied):
        advocate = world.members[Role.ADVOCATE]
        services.party_set_enhanced_rights(
            actor=advocate.user, membership=advocate, party=world.victim, enhanced_rights=True
        )
