"""Writes of local programmes: the partnership admin adds and edits the partnership's own
programmes without code. National programmes (no partnership) change only by migration.

Decisions the issue leaves open:
- the code is chosen when the programme is added and never changes (enrolments, exports
  and hand-offs name it);
- fACT's "at most 6 sessions" is the national programme's own data, not a rule for local
  ones: a local programme plans between 1 and 50 sessions, the most planned at least the
  fewest;
- the eligibility checklist is one criterion per line; editing keeps the lines whose
  wording is unchanged (so recorded answers still match them) and removes the others;
- a programme in use is retired (``active`` off: no new referrals), never deleted."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from accounts.access import can
from accounts.roles import AgencyKind, Cap
from audit.models import Action
from interventions.models import (
    Delivery,
    EligibilityCriterion,
    Programme,
    ProgrammeKind,
    Recipient,
)

from .enrolments import _audit, _raise

MAX_SESSIONS = 50
MAX_MINUTES = 600
MAX_THRESHOLD = 50
FIELDS = (
    "name",
    "provider_kind",
    "recipient",
    "delivery",
    "kind",
    "sessions_min",
    "sessions_max",
    "session_minutes",
    "absence_alert_threshold",
    "active",
)


def _require_admin(membership):
    if membership is None or not can(membership, Cap.MANAGE_PARTNERSHIP):
        raise PermissionDenied("Only the partnership admin changes programmes.")


def _criteria(lines):
    """[(code, label)] from the checklist lines, in order, without repeats."""
    found = []
    for line in lines or []:
        label = " ".join(str(line).split())[:200]
        code = slugify(label)[:40]
        if code and code not in {c for c, _ in found}:
            found.append((code, label))
    return found


def _whole(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def programme_errors(values, *, partnership_id, programme=None):
    """Every problem with a local programme at once, {field: message}."""
    errors = {}
    if programme is None:
        code = values.get("code") or ""
        if not code or slugify(code) != code or len(code) > 40:
            errors["code"] = "Enter a short code of lower-case letters, numbers and hyphens."
        elif Programme.objects.filter(partnership_id=partnership_id, code=code).exists():
            errors["code"] = "Your partnership already has a programme with this code."
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter the programme's name."
    elif len(name) > 200:
        errors["name"] = "Keep the name to 200 characters or fewer."
    choices = {
        "provider_kind": (AgencyKind.values, "Choose the kind of agency that delivers it."),
        "recipient": (Recipient.values, "Choose who receives it."),
        "delivery": (Delivery.values, "Choose whether it is direct or indirect."),
        "kind": (ProgrammeKind.values, "Choose the kind of intervention."),
    }
    for field, (allowed, message) in choices.items():
        if values.get(field) not in allowed:
            errors[field] = message
    low, high = values.get("sessions_min"), values.get("sessions_max")
    if not _whole(low, 1, MAX_SESSIONS):
        errors["sessions_min"] = f"Enter the fewest sessions, from 1 to {MAX_SESSIONS}."
    if not _whole(high, 1, MAX_SESSIONS):
        errors["sessions_max"] = f"Enter the most sessions, from 1 to {MAX_SESSIONS}."
    elif "sessions_min" not in errors and high < low:
        errors["sessions_max"] = "The most sessions cannot be fewer than the fewest."
    if not _whole(values.get("session_minutes"), 1, MAX_MINUTES):
        errors["session_minutes"] = f"Enter the session length in minutes, 1 to {MAX_MINUTES}."
    if not _whole(values.get("absence_alert_threshold"), 1, MAX_THRESHOLD):
        errors["absence_alert_threshold"] = (
            f"Enter the unacceptable absences that alert, 1 to {MAX_THRESHOLD}."
        )
    return errors


def _save_criteria(programme, lines):
    wanted = _criteria(lines)
    EligibilityCriterion.objects.filter(programme=programme).exclude(
        code__in=[code for code, _ in wanted]
    ).delete()
    for position, (code, label) in enumerate(wanted, start=1):
        EligibilityCriterion.objects.update_or_create(
            programme=programme, code=code, defaults={"label": label, "position": position}
        )


def programme_add(*, actor, membership, criteria=(), **values):
    """Add a local programme to the admin's partnership, with its eligibility checklist."""
    _require_admin(membership)
    partnership_id = membership.agency.partnership_id
    _raise(programme_errors(values, partnership_id=partnership_id))
    with transaction.atomic():
        programme = Programme.objects.create(
            partnership_id=partnership_id,
            code=values["code"],
            name=values["name"].strip(),
            **{field: values[field] for field in FIELDS if field not in ("name", "active")},
            active=values.get("active", True),
        )
        _save_criteria(programme, criteria)
        _audit(actor=actor, membership=membership, obj=programme, case=None, action=Action.CREATE)
    return programme


def programme_edit(*, actor, membership, programme, criteria=(), **values):
    """Change a local programme of the admin's partnership (never a national one)."""
    _require_admin(membership)
    if programme.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("National programmes change only by migration.")
    _raise(programme_errors(values, partnership_id=programme.partnership_id, programme=programme))
    with transaction.atomic():
        for field in FIELDS:
            if field in values:
                setattr(programme, field, values[field])
        programme.name = programme.name.strip()
        programme.save()
        _save_criteria(programme, criteria)
        _audit(actor=actor, membership=membership, obj=programme, case=None)
    return programme
