"""Criminal-justice events on a case, and the "tell the victim" tasks every trigger raises
(issue 11 item 5). Keyword-only, one transaction, one audit row per record written.

Triggers: each CaseEvent (cases.services.events.case_event_record), an order granted or
varied (order_create / order_decide), a breach recorded (breach_record) and the case closed
(case_close) call ``victim_notifications_raise`` inside their own transaction, so a write
that rolls back raises nothing. A Home Office outcome (cases.services.record.outcome_record)
is not a trigger: its codes are the partnership's editable reference data, not events, and
the charge or disposal the victim must be told about is recorded here as a case event.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import can_edit_case_core
from accounts.models import Membership
from accounts.roles import AgencyKind
from advocacy.selectors.notifications import victim_supporters
from audit.models import Action
from audit.services import record_event
from cases.models import (
    ENHANCED_RIGHTS_WORKING_DAYS,
    STANDARD_RIGHTS_WORKING_DAYS,
    VICTIM_ROLES,
    CaseEvent,
    CaseEventKind,
    CaseParty,
    ContactChannel,
    NotificationOutcome,
    PartyRole,
    VictimNotification,
)
from cases.selectors import events as selectors
from cases.selectors.leaks import leak_message, victim_contact_leaks
from config.dates import add_working_days
from reporting.models import NotificationKind
from reporting.services.notifications import notify_now

NOTE_LIMIT = 2000


def _raise(errors):
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


# ---------------------------------------------------------------- the duty


def due_on(occurred_on, *, enhanced_rights):
    """The Victims' Code deadline: 1 working day after the event for a victim entitled to
    enhanced rights (the default for stalking victims), else 5."""
    days = ENHANCED_RIGHTS_WORKING_DAYS if enhanced_rights else STANDARD_RIGHTS_WORKING_DAYS
    return add_working_days(occurred_on, days)


def _police_agency_id(case):
    """The officer in charge's police agency in the partnership; with no officer in charge,
    a police agency the case is shared with, else the lead agency."""
    if case.officer_in_charge_id:
        agency_id = (
            Membership.objects.filter(
                user_id=case.officer_in_charge_id,
                agency__partnership_id=case.partnership_id,
                agency__kind=AgencyKind.POLICE,
            )
            .order_by("pk")
            .values_list("agency_id", flat=True)
            .first()
        )
        if agency_id:
            return agency_id
    shared = (
        case.case_agencies.filter(agency__kind=AgencyKind.POLICE)
        .order_by("shared_at", "pk")
        .values_list("agency_id", flat=True)
        .first()
    )
    return shared or case.lead_agency_id


def responsible_for(case, party, supporters):
    """(user id or None, agency id) who must tell this victim: the allocated advocate of
    the victim's open support episode, else the advocacy agency holding it (its advocates
    share the task), else the officer in charge and their police agency (with no officer in
    charge, that agency's investigators and supervisors share it)."""
    if party.pk in supporters:
        return supporters[party.pk]
    return case.officer_in_charge_id, _police_agency_id(case)


def _recipients(user_id, agency_id):
    if user_id is not None:
        return [user_id]
    return list(
        Membership.objects.usable()
        .filter(agency_id=agency_id, role__in=selectors.TASK_ROLES)
        .values_list("user_id", flat=True)
    )


def _tell_holder(task, user_id, agency_id, *, event_key, body):
    """Notify whoever holds the task now, at once (link only)."""
    case = task.case
    notify_now(
        partnership=case.partnership,
        recipient_ids=_recipients(user_id, agency_id),
        kind=NotificationKind.VICTIM_NOTIFICATION_DUE,
        event_key=event_key,
        title=f"Tell the victim: {task.get_trigger_display().lower()} on case {case.reference}",
        link=reverse("cases:victim-notification", args=[task.pk]),
        case=case,
        body=body,
    )


def victim_notifications_raise(
    *, actor, membership, case, trigger, source_key, occurred_on, supporters=None
):
    """One "tell the victim" task per victim party on the case for this trigger, unless the
    trigger already raised one (``source_key`` is unique per victim: raising twice adds
    nothing). Call inside the trigger's transaction. Each new task is audited and its
    responsible person notified at once. Returns the tasks created."""
    if supporters is None:
        supporters = victim_supporters(case)
    victims = list(CaseParty.objects.filter(case=case, role__in=VICTIM_ROLES).order_by("pk"))
    done = set(
        VictimNotification.objects.filter(case=case, source_key=source_key).values_list(
            "victim_id", flat=True
        )
    )
    created = []
    for party in victims:
        if party.pk in done:
            continue
        user_id, agency_id = responsible_for(case, party, supporters)
        task = VictimNotification.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            victim=party,
            trigger=trigger,
            source_key=source_key,
            occurred_on=occurred_on,
            due_on=due_on(occurred_on, enhanced_rights=party.enhanced_rights),
            enhanced_rights=party.enhanced_rights,
            responsible_id=user_id,
            responsible_agency_id=agency_id,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=task,
            case=case,
            detail={"trigger": trigger, "due_on": task.due_on.isoformat()},
        )
        _tell_holder(
            task,
            user_id,
            agency_id,
            event_key=f"victim-notification:{task.pk}:due",
            body=f"Due by {task.due_on:%-d %B %Y}.",
        )
        created.append(task)
    return created


def victim_notifications_follow(*, actor, membership, case, victims=None):
    """Pending "tell the victim" tasks move to whoever is responsible now: an advocate
    allocated or replaced, support closed (back to the officer in charge), a new officer in
    charge. A task already told, or already with the right holder, is left alone. Each moved
    task is audited and its new holder notified at once. Call inside the change's
    transaction. ``victims``: the victim parties to recheck (default: all on the case).
    Returns the tasks moved."""
    supporters = victim_supporters(case)
    tasks = VictimNotification.objects.select_for_update().filter(
        case=case, outcome=NotificationOutcome.PENDING
    )
    if victims is not None:
        tasks = tasks.filter(victim__in=victims)
    moved = []
    for task in tasks.select_related("victim").order_by("pk"):
        user_id, agency_id = responsible_for(case, task.victim, supporters)
        if (task.responsible_id, task.responsible_agency_id) == (user_id, agency_id):
            continue
        before = {"responsible_id": task.responsible_id, "agency_id": task.responsible_agency_id}
        task.responsible_id, task.responsible_agency_id = user_id, agency_id
        task._change_reason = "Responsibility moved"
        task.save(update_fields=["responsible", "responsible_agency"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=task,
            case=case,
            detail={"moved_from": before, "responsible_id": user_id, "agency_id": agency_id},
        )
        _tell_holder(
            task,
            user_id,
            agency_id,
            event_key=f"victim-notification:{task.pk}:due:{user_id or 'agency'}:{agency_id}",
            body=f"Passed to you. Due by {task.due_on:%-d %B %Y}.",
        )
        moved.append(task)
    return moved


def party_set_enhanced_rights(*, actor, membership, party, enhanced_rights):
    """Record whether a victim is entitled to enhanced rights under the Victims' Code
    (police and the clinic chair). Tasks raised from then on use the new deadline; tasks
    already raised keep theirs (the deadline is the one that applied to that event)."""
    if not can_edit_case_core(membership):
        raise PermissionDenied("Only police and the clinic chair change a victim's rights.")
    errors = {}
    if not party.is_victim:
        errors["enhanced_rights"] = "Only a victim has rights under the Victims' Code."
    elif enhanced_rights not in (True, False):
        errors["enhanced_rights"] = "Say whether the victim is entitled to enhanced rights."
    _raise(errors)
    with transaction.atomic():
        locked = CaseParty.objects.select_for_update().get(pk=party.pk)
        if locked.enhanced_rights != enhanced_rights:
            locked.enhanced_rights = enhanced_rights
            locked._change_reason = "Victims' Code rights"
            locked.save()
            record_event(
                action=Action.UPDATE,
                actor=actor,
                membership=membership,
                obj=locked,
                case=locked.case,
                detail={"enhanced_rights": enhanced_rights},
            )
    return locked


# ---------------------------------------------------------------- case events


def case_event_errors(case, *, perpetrator, kind, occurred_at, note):
    errors = {}
    if kind not in CaseEventKind.values:
        errors["kind"] = "Choose what happened."
    if perpetrator is None:
        errors["perpetrator"] = "Choose the perpetrator."
    elif not CaseParty.objects.filter(
        case=case, person=perpetrator, role=PartyRole.PERPETRATOR
    ).exists():
        errors["perpetrator"] = "Choose a perpetrator on this case."
    if occurred_at is None:
        errors["occurred_at"] = "Enter the date and time it happened."
    elif occurred_at > timezone.now():
        errors["occurred_at"] = "The date and time cannot be in the future."
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Note must be {NOTE_LIMIT} characters or fewer."
    else:
        leaks = victim_contact_leaks(case, note)
        if leaks:
            # Case core is read by every linked agency: no override here, the note has no
            # reason to hold the victim's contact details.
            errors["note"] = leak_message(leaks, can_override=False)
    return errors


def case_event_record(*, actor, membership, case, perpetrator, kind, occurred_at, note=""):
    """Record a criminal-justice event about a perpetrator on the case (police and the
    clinic chair) and raise the "tell the victim" task for each victim."""
    if not can_edit_case_core(membership):
        raise PermissionDenied("Only police and the clinic chair record case events.")
    _raise(
        case_event_errors(
            case, perpetrator=perpetrator, kind=kind, occurred_at=occurred_at, note=note
        )
    )
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case,
            perpetrator=perpetrator,
            kind=kind,
            occurred_at=occurred_at,
            note=(note or "").strip(),
            recorded_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=event,
            case=case,
            detail={"kind": kind},
        )
        victim_notifications_raise(
            actor=actor,
            membership=membership,
            case=case,
            trigger=kind,
            source_key=f"event:{event.pk}",
            occurred_on=timezone.localdate(occurred_at),
        )
    return event


# ---------------------------------------------------------------- telling the victim


class Result:
    """What the person recording says happened."""

    INFORMED = NotificationOutcome.INFORMED
    DECLINED = NotificationOutcome.DECLINED
    NOT_REACHED = "not_reached"

    choices = (
        (INFORMED, "The victim was told"),
        (NOT_REACHED, "Could not reach the victim (the task stays open)"),
        (DECLINED, "The victim has asked not to be told about this"),
    )
    values = (INFORMED, NOT_REACHED, DECLINED)


def victim_notification_errors(notification, *, result, at, channel, told_by, note):
    errors = {}
    if not notification.is_pending:
        errors["result"] = "This task is already closed."
        return errors
    if result not in Result.values:
        errors["result"] = "Choose what happened."
    if at is None:
        errors["at"] = "Enter the date and time."
    elif at > timezone.now():
        errors["at"] = "The date and time cannot be in the future."
    elif timezone.localdate(at) < notification.occurred_on:
        errors["at"] = "The date cannot be before the event the victim is being told about."
    if channel not in ContactChannel.values and (channel or result == Result.INFORMED):
        errors["channel"] = "Choose how the victim was told."
    if len(told_by or "") > 200:
        errors["told_by"] = "Name must be 200 characters or fewer."
    note = (note or "").strip()
    if result in (Result.NOT_REACHED, Result.DECLINED) and not note:
        errors["note"] = (
            "Enter why the victim could not be told."
            if result == Result.NOT_REACHED
            else "Enter how and when the victim asked not to be told."
        )
    elif len(note) > NOTE_LIMIT:
        errors["note"] = f"Note must be {NOTE_LIMIT} characters or fewer."
    return errors


def victim_notification_record(
    *, actor, membership, notification, result, at, channel="", told_by="", note=""
):
    """Record telling the victim (closes the task), a victim who asked not to be told
    (closes it as declined), or an attempt that could not reach them (the task stays open
    and keeps escalating: the duty stands until the victim knows; each attempt is kept in
    the task's history)."""
    if not selectors.can_work_victim_notification(membership, notification):
        raise PermissionDenied("Only the agency responsible for this task records it.")
    _raise(
        victim_notification_errors(
            notification, result=result, at=at, channel=channel, told_by=told_by, note=note
        )
    )
    note = (note or "").strip()
    with transaction.atomic():
        task = VictimNotification.objects.select_for_update().get(pk=notification.pk)
        if not task.is_pending:
            _raise({"result": "This task is already closed."})
        if result == Result.NOT_REACHED:
            task.attempted_at = at
            task.attempt_reason = note[:300]
            task.channel = channel or ""
            task._change_reason = "Could not inform"
        else:
            task.outcome = result
            task.informed_at = at
            task.channel = channel or ""
            task.told_by = (told_by or "").strip()
            task.note = note
            task.resolved_by = actor
            task._change_reason = "Victim informed" if result == Result.INFORMED else "Declined"
        task.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=task,
            case=task.case,
            detail={"result": result, "channel": channel or ""},
        )
    return task
