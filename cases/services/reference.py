"""Writes to reference data: a partnership admin's local codes. National codes change by
migration only. Relabelling makes a new version so old records keep their wording."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.models import CodeList, ReferenceCode
from cases.models.reference import too_early

# Home Office and ONS lists must match the national returns: no local codes there.
NATIONAL_ONLY_LISTS = frozenset({CodeList.OFFENCE, CodeList.OUTCOME, CodeList.ETHNICITY})
LOCAL_LISTS = tuple(c for c in CodeList.values if c not in NATIONAL_ONLY_LISTS)


def _require_admin(membership):
    if not can(membership, Cap.MANAGE_PARTNERSHIP):
        raise PermissionDenied("Only the partnership admin changes reference data.")


def _require_local(membership, code):
    if code.partnership_id is None:
        raise PermissionDenied("National codes change by migration, not here.")
    if code.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("This code belongs to another partnership.")


def local_code_add(
    *, actor, membership, code_list, code, label, description="", effective_from=None
):
    _require_admin(membership)
    partnership_id = membership.agency.partnership_id
    code = (code or "").strip()
    label = (label or "").strip()
    effective_from = effective_from or timezone.localdate()
    errors = {}
    if code_list not in CodeList.values:
        errors["code_list"] = "Choose a code list."
    elif code_list in NATIONAL_ONLY_LISTS:
        errors["code_list"] = (
            f"{CodeList(code_list).label} is a national list: local codes cannot be added."
        )
    if not code:
        errors["code"] = "Enter the code."
    elif len(code) > 30:
        errors["code"] = "The code must be 30 characters or fewer."
    if not label:
        errors["label"] = "Enter the label people will see."
    elif len(label) > 200:
        errors["label"] = "The label must be 200 characters or fewer."
    if too_early(effective_from):
        errors["effective_from"] = too_early(effective_from)
    if code and "code" not in errors and "code_list" not in errors:
        national = ReferenceCode.objects.of(code_list).filter(partnership=None, code__iexact=code)
        if national.current(effective_from).exists():
            errors["code"] = f"{code} is a current national code in this list; choose another."
        elif (
            ReferenceCode.objects.of(code_list)
            .filter(partnership_id=partnership_id, code__iexact=code)
            .exists()
        ):
            errors["code"] = f"Your partnership has already used {code} in this list."
    _raise(errors)
    with transaction.atomic():
        order = (
            ReferenceCode.objects.of(code_list)
            .for_partnership(partnership_id)
            .aggregate(top=Max("sort_order"))["top"]
        )
        new = ReferenceCode.objects.create(
            partnership_id=partnership_id,
            code_list=code_list,
            code=code,
            label=label,
            description=(description or "").strip(),
            effective_from=effective_from,
            sort_order=(order or 0) + 1,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=new,
            detail={"code_list": code_list, "code": code, "label": label},
        )
    return new


def local_code_relabel(*, actor, membership, code, label, effective_from=None):
    """A new version of a local code with a new label. The old version ends the day the
    new one starts, and records made with it keep its label."""
    _require_admin(membership)
    _require_local(membership, code)
    label = (label or "").strip()
    effective_from = effective_from or timezone.localdate()
    errors = {}
    if not code.is_current(effective_from) or _is_superseded(code):
        errors["label"] = "Only the current version of a code can be relabelled."
    elif not label:
        errors["label"] = "Enter the new label."
    elif len(label) > 200:
        errors["label"] = "The label must be 200 characters or fewer."
    elif label == code.label:
        errors["label"] = "The new label is the same as the current one."
    if effective_from <= code.effective_from:
        errors["effective_from"] = (
            "The new label must start after the current version started "
            f"({code.effective_from:%d/%m/%Y})."
        )
    _raise(errors)
    with transaction.atomic():
        old = ReferenceCode.objects.select_for_update().get(pk=code.pk)
        new = ReferenceCode.objects.create(
            partnership_id=old.partnership_id,
            code_list=old.code_list,
            code=old.code,
            label=label,
            description=old.description,
            effective_from=effective_from,
            effective_to=old.effective_to,
            version=old.version + 1,
            supersedes=old,
            sort_order=old.sort_order,
            means_not_known=old.means_not_known,
        )
        old.effective_to = effective_from
        old.save(update_fields=["effective_to"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=new,
            detail={"relabelled": [old.label, label], "supersedes": old.pk, "version": new.version},
        )
    return new


def _is_superseded(code):
    return ReferenceCode.objects.filter(supersedes=code).exists()


def local_code_retire(*, actor, membership, code, effective_to=None):
    """Stop offering a local code from a date. Records that use it keep it."""
    _require_admin(membership)
    _require_local(membership, code)
    effective_to = effective_to or timezone.localdate()
    errors = {}
    if code.effective_to is not None and code.effective_to <= timezone.localdate():
        errors["effective_to"] = "This code is already retired."
    elif effective_to <= code.effective_from:
        errors["effective_to"] = (
            f"The last day must be after the code started ({code.effective_from:%d/%m/%Y})."
        )
    _raise(errors)
    with transaction.atomic():
        locked = ReferenceCode.objects.select_for_update().get(pk=code.pk)
        locked.effective_to = effective_to
        locked.save(update_fields=["effective_to"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail={"retired_from": effective_to.isoformat()},
        )
    return locked


def _raise(errors):
    if errors:
        raise ValidationError(errors)
