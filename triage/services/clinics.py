"""Clinic set-up, meeting scheduling from a clinic's cadence, starting and closing a
meeting, and attendance.

Times: a clinic's start time is a Europe/London wall-clock time; each meeting stores its
start as an aware datetime (UTC in the database), so 10:00 is 10:00 UTC in January and
09:00 UTC in July.
"""

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from triage.models import (
    Attendance,
    AttendanceStatus,
    Cadence,
    Clinic,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesFile,
)
from triage.selectors import clinics as clinic_selectors
from triage.services.agenda import SCHEDULER, build_agenda

LONDON = ZoneInfo("Europe/London")
HORIZON_DAYS = 14
# Sent (after commit) when the chair closes a meeting; the minutes work connects to it.
# Arguments: meeting, actor, membership.
meeting_closed = Signal()


def _require(allowed, message="Your role cannot do this."):
    if not allowed:
        raise PermissionDenied(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- cadence


def _nth_weekday(year, month, weekday, n):
    """The nth given weekday of a month; n == 5 means the last one."""
    days = [
        day
        for day in calendar.Calendar().itermonthdates(year, month)
        if day.month == month and day.weekday() == weekday
    ]
    return days[min(n, len(days)) - 1]


def occurrences(clinic, start, end):
    """The clinic's meeting days from ``start`` to ``end`` inclusive, in order.

    Weekdays: every Monday to Friday. Weekly and fortnightly: every 7 or 14 days from the
    first meeting. Monthly: the same weekday of the month as the first meeting (its first,
    second … or, for a fifth, the last one).
    """
    first = clinic.first_meeting_on
    start = max(start, first)
    if start > end:
        return []
    if clinic.cadence == Cadence.WEEKDAYS:
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return [day for day in days if day.weekday() < 5]
    if clinic.cadence in (Cadence.WEEKLY, Cadence.FORTNIGHTLY):
        step = 7 if clinic.cadence == Cadence.WEEKLY else 14
        offset = (start - first).days
        day = first + timedelta(days=-(-offset // step) * step)
        found = []
        while day <= end:
            found.append(day)
            day += timedelta(days=step)
        return found
    # Monthly.
    n = (first.day - 1) // 7 + 1
    found = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        day = _nth_weekday(year, month, first.weekday(), n)
        if start <= day <= end:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def meeting_start(clinic, day):
    """The aware start of a clinic's meeting on a day, from its London wall-clock time."""
    return datetime.combine(day, clinic.starts_at, tzinfo=LONDON)


# ---------------------------------------------------------------- clinic set-up

CLINIC_FIELDS = (
    "name",
    "kind",
    "cadence",
    "first_meeting_on",
    "starts_at",
    "duration_minutes",
    "location",
    "chair",
    "active",
)


def _check_clinic(errors, membership, values, agencies, clinic=None):
    partnership_id = membership.agency.partnership_id
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter the clinic's name."
    elif (
        Clinic.objects.filter(partnership_id=partnership_id, name__iexact=name)
        .exclude(pk=getattr(clinic, "pk", None))
        .exists()
    ):
        errors["name"] = "Your partnership already has a clinic with that name."
    if values.get("kind") not in MeetingKind.values:
        errors["kind"] = "Choose the kind of meeting."
    if values.get("cadence") not in Cadence.values:
        errors["cadence"] = "Choose how often it meets."
    if values.get("first_meeting_on") is None:
        errors["first_meeting_on"] = "Enter the date of the first meeting."
    if values.get("starts_at") is None:
        errors["starts_at"] = "Enter the start time."
    duration = values.get("duration_minutes")
    if duration is None or not 5 <= duration <= 600:
        errors["duration_minutes"] = "Enter a length between 5 and 600 minutes."
    if not agencies:
        errors["agencies"] = "Choose at least one attending agency."
    elif any(agency.partnership_id != partnership_id for agency in agencies):
        errors["agencies"] = "Choose agencies in your partnership."
    chair = values.get("chair")
    if (
        chair is not None
        and not chair.memberships.filter(
            agency__partnership_id=partnership_id, role="clinic_chair", active=True
        ).exists()
    ):
        errors["chair"] = "Choose a clinic chair in your partnership."
    values["name"] = name
    values["location"] = (values.get("location") or "").strip()


def clinic_create(*, actor, membership, agencies, **values):
    _require(can(membership, Cap.MANAGE_CLINICS), "Your role cannot set up clinics.")
    values = {key: values.get(key) for key in CLINIC_FIELDS if key in values}
    values.setdefault("active", True)
    agencies = list(agencies or ())
    errors = {}
    _check_clinic(errors, membership, values, agencies)
    _raise(errors)
    with transaction.atomic():
        clinic = Clinic.objects.create(partnership_id=membership.agency.partnership_id, **values)
        clinic.agencies.set(agencies)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=clinic,
            detail={"agencies": sorted(agency.name for agency in agencies)},
        )
    return clinic


def clinic_update(*, actor, membership, clinic, agencies=None, **values):
    """Change a clinic's set-up. Meetings already scheduled keep their day and time."""
    _require(can(membership, Cap.MANAGE_CLINICS), "Your role cannot set up clinics.")
    if clinic.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's clinic.")
    merged = {key: getattr(clinic, key) for key in CLINIC_FIELDS}
    merged.update({key: value for key, value in values.items() if key in CLINIC_FIELDS})
    new_agencies = list(agencies) if agencies is not None else list(clinic.agencies.all())
    errors = {}
    _check_clinic(errors, membership, merged, new_agencies, clinic=clinic)
    _raise(errors)
    with transaction.atomic():
        changed = {}
        for key, value in merged.items():
            if getattr(clinic, key) != value:
                changed[key] = [str(getattr(clinic, key) or ""), str(value or "")]
                setattr(clinic, key, value)
        clinic.save()
        old_ids = set(clinic.agencies.values_list("pk", flat=True))
        if {agency.pk for agency in new_agencies} != old_ids:
            clinic.agencies.set(new_agencies)
            changed["agencies"] = sorted(agency.name for agency in new_agencies)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=clinic,
            detail={"changed": changed},
        )
    return clinic


# ---------------------------------------------------------------- scheduling


def schedule_meetings(today=None, *, horizon_days=HORIZON_DAYS):
    """For each active clinic, create its next meeting on or after ``today`` if it falls
    within the horizon, and (re)build the draft agenda of every planned meeting from today
    to the horizon. Safe to run twice: a meeting is unique per clinic per day and a rebuilt
    agenda only adds what is new. Returns the meetings created."""
    today = today or timezone.localdate()
    end = today + timedelta(days=horizon_days)
    created = []
    for clinic in Clinic.objects.filter(active=True).select_related("partnership"):
        days = occurrences(clinic, today, end)
        if not days:
            continue
        day = days[0]
        if Meeting.objects.filter(clinic=clinic, held_on=day).exists():
            continue
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    clinic=clinic,
                    partnership_id=clinic.partnership_id,
                    held_on=day,
                    starts_at=meeting_start(clinic, day),
                    chair_id=clinic.chair_id,
                )
                record_event(
                    action=Action.CREATE,
                    obj=meeting,
                    actor_email=SCHEDULER,
                    detail={"clinic_id": clinic.pk, "scheduled": True},
                )
        except IntegrityError:  # another run made it first
            continue
        created.append(meeting)
    planned = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, held_on__gte=today, held_on__lte=end, clinic__active=True
    ).select_related("clinic")
    for meeting in planned:
        build_agenda(meeting)
    return created


def meeting_create(*, actor, membership, clinic, held_on):
    """An extra meeting of a clinic on a given day (outside its cadence), with its draft
    agenda built in the same transaction."""
    _require(can(membership, Cap.RUN_CLINIC), "Only a clinic chair schedules meetings.")
    if clinic.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's clinic.")
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the meeting."})
    if held_on < timezone.localdate():
        raise ValidationError({"held_on": "The meeting date cannot be in the past."})
    if Meeting.objects.filter(clinic=clinic, held_on=held_on).exists():
        raise ValidationError({"held_on": "This clinic already meets that day."})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            clinic=clinic,
            partnership_id=clinic.partnership_id,
            held_on=held_on,
            starts_at=meeting_start(clinic, held_on),
            chair_id=clinic.chair_id or actor.pk,
        )
        record_event(action=Action.CREATE, actor=actor, membership=membership, obj=meeting)
        build_agenda(meeting, actor=actor, membership=membership)
    return meeting


# ---------------------------------------------------------------- running


def _require_chair(membership, meeting):
    _require(can(membership, Cap.RUN_CLINIC), "Only a clinic chair runs meetings.")
    if meeting.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's meeting.")


def starts_early(meeting, now=None):
    """Starting now would be more than a day before the meeting's start."""
    return (now or timezone.now()) < meeting.starts_at - timedelta(days=1)


def meeting_start_run(*, actor, membership, meeting, confirm_early=False):
    """Start the meeting: its agenda is final unless the chair adds or removes items.
    Starting more than a day before the meeting's start needs ``confirm_early``."""
    _require_chair(membership, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"status": "This meeting has already started."})
    early = starts_early(meeting)
    if early and not confirm_early:
        raise ValidationError(
            {
                "confirm_early": (
                    f"This meeting is on {meeting.held_on:%-d %B %Y}, more than a day away. "
                    "Confirm that you want to start it now."
                )
            }
        )
    with transaction.atomic():
        meeting.status = MeetingStatus.IN_PROGRESS
        if meeting.chair_id is None:
            meeting.chair = actor
        meeting.save(update_fields=["status", "chair"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            detail={"status": MeetingStatus.IN_PROGRESS, "started_early": early},
        )
    return meeting


def meeting_close(*, actor, membership, meeting):
    """Close the meeting. Items still on the agenda and not discussed carry to the clinic's
    next meeting with the reason "carried over": added now if that meeting exists and is
    not closed, else when it is scheduled (triage.services.agenda.carried_over_case_ids)."""
    _require_chair(membership, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"status": "Only a meeting in progress can be closed."})
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise ValidationError({"status": "Only a meeting in progress can be closed."})
        carried = sorted(
            clinic_selectors.undiscussed_items(meeting).values_list("case_id", flat=True)
        )
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = timezone.now()
        meeting.closed_by = actor
        meeting.save(update_fields=["status", "closed_at", "closed_by"])
        following = clinic_selectors.next_meeting(meeting)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            detail={
                "status": MeetingStatus.CLOSED,
                "carried_over_case_ids": carried,
                "next_meeting_id": following.pk if following else None,
            },
        )
        if carried and following is not None and following.status != MeetingStatus.CLOSED:
            build_agenda(following, actor=actor, membership=membership)
        transaction.on_commit(
            lambda: meeting_closed.send(
                sender=Meeting, meeting=meeting, actor=actor, membership=membership
            )
        )
    return meeting


REOPEN_DAYS = 7


def can_reopen(meeting, now=None):
    """A closed meeting may be reopened by the chair within REOPEN_DAYS of closing."""
    return (
        meeting.status == MeetingStatus.CLOSED
        and meeting.closed_at is not None
        and (now or timezone.now()) - meeting.closed_at <= timedelta(days=REOPEN_DAYS)
    )


def meeting_reopen(*, actor, membership, meeting, reason):
    """The chair reopens a closed meeting, within 7 days of closing, with a reason. The
    meeting is in progress again; its minutes files are kept but marked superseded, and
    closing it again makes the next version (Meeting.minutes_version)."""
    _require_chair(membership, meeting)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter why the meeting is being reopened."
    if meeting.status != MeetingStatus.CLOSED:
        errors["status"] = "Only a closed meeting can be reopened."
    elif not can_reopen(meeting):
        errors["status"] = f"A meeting can be reopened only within {REOPEN_DAYS} days of closing."
    _raise(errors)
    now = timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not can_reopen(meeting, now):
            raise ValidationError({"status": "Only a closed meeting can be reopened."})
        superseded = MinutesFile.objects.filter(meeting=meeting, superseded_at__isnull=True).update(
            superseded_at=now
        )
        closed_at = meeting.closed_at
        meeting.status = MeetingStatus.IN_PROGRESS
        meeting.reopened_at = now
        meeting.reopened_by = actor
        meeting.reopen_reason = reason
        meeting.minutes_version += 1
        meeting.closed_at = None
        meeting.closed_by = None
        meeting.save(
            update_fields=[
                "status",
                "reopened_at",
                "reopened_by",
                "reopen_reason",
                "minutes_version",
                "closed_at",
                "closed_by",
            ]
        )
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            reason=reason,
            detail={
                "status": "reopened",
                "closed_at": closed_at.isoformat() if closed_at else None,
                "minutes_version": meeting.minutes_version,
                "superseded_files": superseded,
            },
        )
    return meeting


def attendance_record(*, actor, membership, meeting, rows):
    """Replace the meeting's attendance. ``rows``: dicts with status and either a user in
    an agency of the meeting's partnership (``agency``), or a guest's ``name`` with one of
    the partnership's agencies or, from any other organisation, its name
    (``organisation``)."""
    _require_chair(membership, meeting)
    errors = {}
    seen_users = set()
    clean = []
    for index, row in enumerate(rows):
        agency, user = row.get("agency"), row.get("user")
        name = (row.get("name") or "").strip()
        organisation = (row.get("organisation") or "").strip() if user is None else ""
        status = row.get("status")
        if (
            agency is not None
            and agency.partnership_id != meeting.partnership_id
            or agency is None
            and user is not None
        ):
            errors[f"rows-{index}-agency"] = "Choose an agency in this partnership."
        elif agency is None and not organisation:
            errors[f"rows-{index}-agency"] = (
                "Choose the guest's agency, or enter the organisation they come from."
            )
        elif agency is not None and organisation:
            errors[f"rows-{index}-organisation"] = (
                "Give the guest's agency or another organisation, not both."
            )
        if status not in AttendanceStatus.values:
            errors[f"rows-{index}-status"] = "Choose present, apologies or absent."
        if user is None and not name:
            errors[f"rows-{index}-name"] = "Enter the guest's name."
        if user is not None:
            if user.pk in seen_users:
                errors[f"rows-{index}-user"] = f"{user} is listed twice."
            seen_users.add(user.pk)
            if agency is not None and not user.memberships.filter(agency=agency).exists():
                errors[f"rows-{index}-user"] = f"{user} is not a member of {agency}."
        clean.append(
            Attendance(
                meeting=meeting,
                user=user,
                name=name,
                agency=agency,
                organisation=organisation[:200],
                status=status,
            )
        )
    _raise(errors)
    with transaction.atomic():
        Attendance.objects.filter(meeting=meeting).delete()
        Attendance.objects.bulk_create(clean)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            detail={
                "attendance": {
                    status: sum(1 for row in clean if row.status == status)
                    for status in AttendanceStatus.values
                }
            },
        )
    return clean
