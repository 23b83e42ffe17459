"""Writes of what a partnership records for its reports that is not a case record: local
areas, training events and staff FTE. Keyword-only, one transaction each, one audit row
each; a rule broken is a ValidationError keyed by field, and nothing is saved.

Who may write what is in reporting.selectors.inputs (the same rule the pages use)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Agency
from audit.models import Action
from audit.services import record_event
from reporting.models import LocalArea, StaffFte, TrainingAudience, TrainingEvent
from reporting.selectors import inputs as selectors

EARLIEST = date(2000, 1, 1)
MAX_POLICE_AREAS = 200
POLICE_AREA_LENGTH = 100  # CrimeScreenEntry.location_area
MAX_ATTENDEES = 10_000
MAX_FTE = Decimal("999")


def _changes(before, after):
    """{field: [before, after]} for the fields that changed."""
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _partnership_id(membership):
    return membership.agency.partnership_id


def _require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _text(value):
    return (value or "").strip()


def _date_errors(errors, field, value, *, required, past_only=False):
    if value is None:
        if required:
            errors[field] = required
        return
    if value < EARLIEST:
        errors[field] = f"The date must be on or after {EARLIEST:%d/%m/%Y}."
    elif past_only and value > timezone.localdate():
        errors[field] = "The date must be today or in the past."


# Local areas


def clean_police_areas(police_areas):
    """A list of police-area names from a list or from text with one per line: trimmed,
    blanks dropped, repeats (ignoring case) kept once, in the order given."""
    if isinstance(police_areas, str):
        police_areas = police_areas.splitlines()
    cleaned, seen = [], set()
    for area in police_areas or ():
        area = " ".join(str(area).split())
        if area and area.casefold() not in seen:
            seen.add(area.casefold())
            cleaned.append(area)
    return cleaned


def _local_area_errors(membership, *, name, agencies, police_areas, area=None):
    errors = {}
    partnership_id = _partnership_id(membership)
    if not name:
        errors["name"] = "Enter the name of the local area."
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer."
    else:
        taken = LocalArea.objects.filter(partnership_id=partnership_id, name__iexact=name)
        if area is not None:
            taken = taken.exclude(pk=area.pk)
        if taken.exists():
            errors["name"] = f"Your partnership already has a local area called {name}."
    if any(agency.partnership_id != partnership_id for agency in agencies):
        errors["agencies"] = "Choose agencies of your partnership."
    too_long = [p for p in police_areas if len(p) > POLICE_AREA_LENGTH]
    if too_long:
        errors["police_areas"] = (
            f"Each police area must be {POLICE_AREA_LENGTH} characters or fewer "
            f"(“{too_long[0][:30]}…” is longer)."
        )
    elif len(police_areas) > MAX_POLICE_AREAS:
        errors["police_areas"] = f"Enter at most {MAX_POLICE_AREAS} police areas."
    if not agencies and not police_areas and "police_areas" not in errors:
        errors["agencies"] = (
            "Choose at least one agency or enter at least one police area: "
            "otherwise no case is in the area."
        )
    return errors


def _area_detail(area, agencies):
    return {
        "name": area.name,
        "agencies": sorted(agency.pk for agency in agencies),
        "police_areas": area.police_areas,
        "active": area.active,
    }


def local_area_create(*, actor, membership, name, agencies=(), police_areas=(), active=True):
    _require(selectors.can_manage_inputs(membership), "Only the partnership admin does this.")
    name, agencies = _text(name), list(agencies or ())
    police_areas = clean_police_areas(police_areas)
    _raise(_local_area_errors(membership, name=name, agencies=agencies, police_areas=police_areas))
    with transaction.atomic():
        area = LocalArea.objects.create(
            partnership_id=_partnership_id(membership),
            name=name,
            police_areas=police_areas,
            active=bool(active),
        )
        area.agencies.set(agencies)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=area,
            detail=_area_detail(area, agencies),
        )
    return area


def local_area_update(*, actor, membership, area, name, agencies=(), police_areas=(), active=True):
    _require(selectors.can_manage_inputs(membership), "Only the partnership admin does this.")
    _require(
        area.partnership_id == _partnership_id(membership),
        "This local area belongs to another partnership.",
    )
    name, agencies = _text(name), list(agencies or ())
    police_areas = clean_police_areas(police_areas)
    _raise(
        _local_area_errors(
            membership, name=name, agencies=agencies, police_areas=police_areas, area=area
        )
    )
    with transaction.atomic():
        locked = LocalArea.objects.select_for_update().get(pk=area.pk)
        before = _area_detail(locked, list(locked.agencies.all()))
        locked.name, locked.police_areas, locked.active = name, police_areas, bool(active)
        locked.save(update_fields=["name", "police_areas", "active"])
        locked.agencies.set(agencies)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail={"changed": _changes(before, _area_detail(locked, agencies))},
        )
    return locked


# Training events


def _training_errors(
    membership, *, delivered_on, topic, audience, attendee_count, delivered_by, local_area
):
    errors = {}
    partnership_id = _partnership_id(membership)
    _date_errors(
        errors,
        "delivered_on",
        delivered_on,
        required="Enter the date the training was delivered.",
        past_only=True,
    )
    if not topic:
        errors["topic"] = "Enter the topic of the training."
    elif len(topic) > 200:
        errors["topic"] = "The topic must be 200 characters or fewer."
    if audience not in TrainingAudience.values:
        errors["audience"] = "Choose who the training was for."
    if attendee_count is None:
        errors["attendee_count"] = "Enter how many people attended."
    elif attendee_count < 1:
        errors["attendee_count"] = "At least one person must have attended."
    elif attendee_count > MAX_ATTENDEES:
        errors["attendee_count"] = f"Enter a number of attendees up to {MAX_ATTENDEES:,}."
    if delivered_by is None:
        errors["delivered_by"] = "Choose the agency that delivered the training."
    elif delivered_by.partnership_id != partnership_id:
        errors["delivered_by"] = "Choose an agency of your partnership."
    elif not selectors.training_agencies(membership).filter(pk=delivered_by.pk).exists():
        errors["delivered_by"] = "You can record training delivered by your own agency only."
    if local_area is not None and local_area.partnership_id != partnership_id:
        errors["local_area"] = "Choose a local area of your partnership."
    return errors


def _training_detail(event):
    return {
        "delivered_on": event.delivered_on.isoformat(),
        "topic": event.topic,
        "audience": event.audience,
        "attendee_count": event.attendee_count,
        "delivered_by": event.delivered_by_id,
        "local_area": event.local_area_id,
    }


def training_event_create(
    *,
    actor,
    membership,
    delivered_on,
    topic,
    audience,
    attendee_count,
    delivered_by,
    local_area=None,
):
    _require(
        selectors.can_record_training(membership),
        "Only the partnership admin and those who see reports record training.",
    )
    topic = _text(topic)
    _raise(
        _training_errors(
            membership,
            delivered_on=delivered_on,
            topic=topic,
            audience=audience,
            attendee_count=attendee_count,
            delivered_by=delivered_by,
            local_area=local_area,
        )
    )
    with transaction.atomic():
        event = TrainingEvent.objects.create(
            partnership_id=_partnership_id(membership),
            delivered_on=delivered_on,
            topic=topic,
            audience=audience,
            attendee_count=attendee_count,
            delivered_by=delivered_by,
            local_area=local_area,
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=event,
            detail=_training_detail(event),
        )
    return event


def training_event_update(
    *,
    actor,
    membership,
    event,
    delivered_on,
    topic,
    audience,
    attendee_count,
    delivered_by,
    local_area=None,
):
    _require(
        selectors.may_edit_training(membership, event),
        "You cannot change this training record.",
    )
    topic = _text(topic)
    _raise(
        _training_errors(
            membership,
            delivered_on=delivered_on,
            topic=topic,
            audience=audience,
            attendee_count=attendee_count,
            delivered_by=delivered_by,
            local_area=local_area,
        )
    )
    with transaction.atomic():
        locked = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        before = _training_detail(locked)
        locked.delivered_on, locked.topic, locked.audience = delivered_on, topic, audience
        locked.attendee_count, locked.delivered_by = attendee_count, delivered_by
        locked.local_area = local_area
        locked.save(
            update_fields=[
                "delivered_on",
                "topic",
                "audience",
                "attendee_count",
                "delivered_by",
                "local_area",
            ]
        )
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail={"changed": _changes(before, _training_detail(locked))},
        )
    return locked


def training_event_delete(*, actor, membership, event):
    _require(
        selectors.may_edit_training(membership, event),
        "You cannot delete this training record.",
    )
    with transaction.atomic():
        locked = TrainingEvent.objects.select_for_update().get(pk=event.pk)
        record_event(
            action=Action.DELETE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail=_training_detail(locked),
        )
        locked.delete()


# Staff FTE


def _fte_errors(membership, *, agency, period_start, period_end, fte, note, row=None):
    errors = {}
    if agency is None:
        errors["agency"] = "Choose the agency."
    elif agency.partnership_id != _partnership_id(membership):
        errors["agency"] = "Choose an agency of your partnership."
    _date_errors(errors, "period_start", period_start, required="Enter the first day.")
    _date_errors(errors, "period_end", period_end, required="Enter the last day.")
    if (
        period_start
        and period_end
        and "period_start" not in errors
        and "period_end" not in errors
        and period_end < period_start
    ):
        errors["period_end"] = "The last day must be on or after the first day."
    try:
        value = Decimal(fte) if fte is not None else None
    except (InvalidOperation, TypeError, ValueError):
        value = None
        errors["fte"] = "Enter the FTE as a number, like 2.5."
    if "fte" not in errors:
        if value is None:
            errors["fte"] = "Enter the full-time equivalent staff, like 2.5."
        elif not value.is_finite() or value <= 0:
            errors["fte"] = "The FTE must be more than 0."
        elif value > MAX_FTE:
            errors["fte"] = f"The FTE must be {MAX_FTE} or less."
        elif value != value.quantize(Decimal("0.01")):
            errors["fte"] = "Give the FTE to at most 2 decimal places."
    if len(note) > 200:
        errors["note"] = "The note must be 200 characters or fewer."
    if not errors:
        clash = selectors.overlapping_fte(
            agency=agency,
            period_start=period_start,
            period_end=period_end,
            exclude_pk=row.pk if row is not None else None,
        ).first()
        if clash is not None:
            errors["period_start"] = (
                f"{agency.name} already has {clash.fte} FTE recorded from "
                f"{clash.period_start:%d/%m/%Y} to {clash.period_end:%d/%m/%Y}: "
                "periods of one agency must not overlap."
            )
    return errors


def _fte_detail(row):
    return {
        "agency": row.agency_id,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "fte": str(row.fte),
        "note": row.note,
    }


def _quantized(fte):
    return Decimal(fte).quantize(Decimal("0.01"))


def _lock_agency(agency):
    """Serialises writes of one agency's FTE rows, so two overlapping periods saved at the
    same moment cannot both pass the overlap check."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()


def staff_fte_create(*, actor, membership, agency, period_start, period_end, fte, note=""):
    _require(selectors.can_manage_inputs(membership), "Only the partnership admin does this.")
    note = _text(note)
    fields = {"agency": agency, "period_start": period_start, "period_end": period_end, "fte": fte}
    _raise(_fte_errors(membership, note=note, **fields))
    with transaction.atomic():
        _lock_agency(agency)
        _raise(_fte_errors(membership, note=note, **fields))
        row = StaffFte.objects.create(
            partnership_id=_partnership_id(membership),
            agency=agency,
            period_start=period_start,
            period_end=period_end,
            fte=_quantized(fte),
            note=note,
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=row,
            detail=_fte_detail(row),
        )
    return row


def staff_fte_update(*, actor, membership, row, agency, period_start, period_end, fte, note=""):
    _require(selectors.can_manage_inputs(membership), "Only the partnership admin does this.")
    _require(
        row.partnership_id == _partnership_id(membership),
        "This row belongs to another partnership.",
    )
    note = _text(note)
    fields = {"agency": agency, "period_start": period_start, "period_end": period_end, "fte": fte}
    _raise(_fte_errors(membership, note=note, row=row, **fields))
    with transaction.atomic():
        _lock_agency(agency)
        _raise(_fte_errors(membership, note=note, row=row, **fields))
        locked = StaffFte.objects.select_for_update().get(pk=row.pk)
        before = _fte_detail(locked)
        locked.agency, locked.period_start, locked.period_end = agency, period_start, period_end
        locked.fte, locked.note = _quantized(fte), note
        locked.save(update_fields=["agency", "period_start", "period_end", "fte", "note"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail={"changed": _changes(before, _fte_detail(locked))},
        )
    return locked


def staff_fte_delete(*, actor, membership, row):
    _require(selectors.can_manage_inputs(membership), "Only the partnership admin does this.")
    _require(
        row.partnership_id == _partnership_id(membership),
        "This row belongs to another partnership.",
    )
    with transaction.atomic():
        locked = StaffFte.objects.select_for_update().get(pk=row.pk)
        record_event(
            action=Action.DELETE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail=_fte_detail(locked),
        )
        locked.delete()
