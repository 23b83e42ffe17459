"""Writes to clinic actions: create, complete, cancel, reassign, change the due date.

Keyword-only, one transaction each, one audit row each (audit.models.Action.CREATE or
UPDATE with the change in ``detail``). Who may do what is decided in
triage.selectors.actions (may_create, may_work). The action row is locked while it
changes, so two people marking the same action done record it once.

Completion and cancellation both fill ``completed_at``/``completed_by``: they record who
closed the action and when; ``status`` says which.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from triage.models import Action, ActionStatus
from triage.selectors.actions import may_create, may_work, owner_agencies_for, possible_owners

MAX_TEXT = 2000


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _check_owner(errors, owner, agency):
    if owner is not None and not possible_owners(agency).filter(pk=owner.pk).exists():
        errors["owner"] = f"Choose a member of {agency.name} who works actions."


def _locked_open(action):
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.status != ActionStatus.OPEN:
        raise ValidationError(
            {"status": f"This action is already {locked.get_status_display().lower()}."}
        )
    return locked


def _audit(actor, membership, action, change, **detail):
    record_event(
        action=AuditAction.UPDATE,
        actor=actor,
        membership=membership,
        obj=action,
        detail={"change": change, **detail},
    )


def action_create(
    *, actor, membership, case, description, owner_agency, due_on, owner=None, discussion=None
):
    """An action on a case visible to the actor (the caller found it with get_case_or_404)."""
    if not may_create(membership):
        raise PermissionDenied("Only the clinic chair and police add actions.")
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = "Enter what needs to be done."
    elif len(description) > MAX_TEXT:
        errors["description"] = f"The action must be {MAX_TEXT} characters or fewer."
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    elif due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future."
    if owner_agency is None:
        errors["owner_agency"] = "Choose the agency that owns the action."
    elif not owner_agencies_for(case).filter(pk=owner_agency.pk).exists():
        errors["owner_agency"] = "Choose an agency the case is shared with."
    else:
        _check_owner(errors, owner, owner_agency)
    if discussion is not None and discussion.case_id != case.pk:
        errors["discussion"] = "The discussion is of another case."
    _raise(errors)
    with transaction.atomic():
        action = Action.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            discussion=discussion,
            description=description,
            owner_agency=owner_agency,
            owner=owner,
            due_on=due_on,
            created_by=actor,
        )
        record_event(
            action=AuditAction.CREATE,
            actor=actor,
            membership=membership,
            obj=action,
            detail={
                "owner_agency": owner_agency.pk,
                "owner": owner.pk if owner else None,
                "due_on": due_on.isoformat(),
            },
        )
    return action


def _require_worker(membership, action):
    if not may_work(membership, action):
        raise PermissionDenied("Only the owning agency and the clinic chair change this action.")


def action_complete(*, actor, membership, action):
    _require_worker(membership, action)
    with transaction.atomic():
        action = _locked_open(action)
        action.status = ActionStatus.DONE
        action.completed_at = timezone.now()
        action.completed_by = actor
        action.save(update_fields=["status", "completed_at", "completed_by"])
        _audit(actor, membership, action, "completed")
    return action


def action_cancel(*, actor, membership, action, reason):
    _require_worker(membership, action)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the action is cancelled."})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": f"The reason must be {MAX_TEXT} characters or fewer."})
    with transaction.atomic():
        action = _locked_open(action)
        action.status = ActionStatus.CANCELLED
        action.cancel_reason = reason
        action.completed_at = timezone.now()
        action.completed_by = actor
        action.save(update_fields=["status", "cancel_reason", "completed_at", "completed_by"])
        record_event(
            action=AuditAction.UPDATE,
            actor=actor,
            membership=membership,
            obj=action,
            reason=reason,
            detail={"change": "cancelled"},
        )
    return action


def action_reassign(*, actor, membership, action, owner, owner_agency=None):
    """Give the action to another member of the owner agency. Only the chair moves it to
    another agency (one the case is shared with). ``owner`` None leaves it with the agency."""
    _require_worker(membership, action)
    errors = {}
    agency = owner_agency or action.owner_agency
    if owner_agency is not None and owner_agency.pk != action.owner_agency_id:
        if not can(membership, Cap.RUN_CLINIC):
            errors["owner_agency"] = "Only the clinic chair moves an action to another agency."
        elif not owner_agencies_for(action.case).filter(pk=owner_agency.pk).exists():
            errors["owner_agency"] = "Choose an agency the case is shared with."
    if not errors:
        _check_owner(errors, owner, agency)
    _raise(errors)
    with transaction.atomic():
        action = _locked_open(action)
        before = {"owner": action.owner_id, "owner_agency": action.owner_agency_id}
        action.owner = owner
        action.owner_agency = agency
        action.save(update_fields=["owner", "owner_agency"])
        _audit(
            actor,
            membership,
            action,
            "reassigned",
            before=before,
            after={"owner": owner.pk if owner else None, "owner_agency": agency.pk},
        )
    return action


def action_change_due_date(*, actor, membership, action, due_on):
    _require_worker(membership, action)
    if due_on is None:
        raise ValidationError({"due_on": "Enter the new due date."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date must be today or in the future."})
    with transaction.atomic():
        action = _locked_open(action)
        before = action.due_on
        action.due_on = due_on
        action.save(update_fields=["due_on"])
        _audit(
            actor,
            membership,
            action,
            "due_date",
            before=before.isoformat(),
            after=due_on.isoformat(),
        )
    return action
