"""Writes of sessions: schedule, reschedule (supersedes), cancel, record attendance."""

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from interventions.models import (
    ATTENDED,
    Attendance,
    CancellationReason,
    Component,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Session,
    SessionStatus,
)
from interventions.selectors.eligibility import is_eligible

from . import compliance as compliance_services
from .enrolments import (
    CLOCK_SKEW,
    MAX_AHEAD,
    MAX_MINUTES,
    _audit,
    _fresh,
    _local_date,
    _raise,
    _require_provider,
)


def schedule_errors(enrolment, *, scheduled_at, modality, now=None):
    """Every problem with booking a session at ``scheduled_at``, {field: message}."""
    now = now or timezone.now()
    errors = {}
    enrolment = _fresh(enrolment)
    status = enrolment.status
    if status == EnrolmentStatus.DROPPED_OUT:
        errors["scheduled_at"] = (
            f"This enrolment ended on {enrolment.withdrawn_on:%d/%m/%Y}: no more sessions."
        )
    elif status == EnrolmentStatus.COMPLETED:
        errors["scheduled_at"] = "The planned sessions have all been attended: it is complete."
    elif enrolment.consent_signed_on is None:
        errors["scheduled_at"] = (
            "Record the signed consent and information-sharing contract before the first session."
        )
    elif not is_eligible(enrolment):
        errors["scheduled_at"] = "Record the person eligible before the first session."
    elif scheduled_at is None:
        errors["scheduled_at"] = "Enter the date and time of the session."
    elif _local_date(scheduled_at) < enrolment.consent_signed_on:
        errors["scheduled_at"] = (
            "A session cannot be before the consent was signed "
            f"({enrolment.consent_signed_on:%d/%m/%Y})."
        )
    elif scheduled_at > now + MAX_AHEAD:
        errors["scheduled_at"] = "Book sessions up to a year ahead."
    if modality not in Modality.values:
        errors["modality"] = "Choose how the session is held."
    return errors


def session_schedule(*, actor, membership, enrolment, scheduled_at, modality):
    """Book a session of an enrolment whose consent is signed."""
    _require_provider(membership, enrolment)
    _raise(schedule_errors(enrolment, scheduled_at=scheduled_at, modality=modality))
    with transaction.atomic():
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
        session = Session.objects.create(
            enrolment=enrolment, scheduled_at=scheduled_at, modality=modality, created_by=actor
        )
        _audit(
            actor=actor,
            membership=membership,
            obj=session,
            case=enrolment.case,
            action=Action.CREATE,
            enrolment=enrolment.pk,
        )
    return session


def _require_scheduled(session, field):
    if session.status != SessionStatus.SCHEDULED:
        label = SessionStatus(session.status).label.lower()
        return {field: f"This session is already {label}: only a scheduled one can change."}
    return {}


def _locked(session):
    """The session row, locked, still scheduled (two people acting at once: one wins)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    _raise(_require_scheduled(locked, "status"))
    return locked


def session_reschedule(*, actor, membership, session, scheduled_at, modality=None):
    """Move a scheduled session: a new session replaces it, and the old one is marked
    rescheduled and points at the new one (never attended, never counted)."""
    enrolment = session.enrolment
    _require_provider(membership, enrolment)
    modality = modality or session.modality
    errors = _require_scheduled(session, "scheduled_at")
    errors = errors or schedule_errors(enrolment, scheduled_at=scheduled_at, modality=modality)
    if not errors and scheduled_at == session.scheduled_at:
        errors["scheduled_at"] = "Choose a different date or time from the current one."
    _raise(errors)
    with transaction.atomic():
        old = _locked(session)
        new = Session.objects.create(
            enrolment=enrolment, scheduled_at=scheduled_at, modality=modality, created_by=actor
        )
        old.status = SessionStatus.RESCHEDULED
        old.superseded_by = new
        old.save(update_fields=["status", "superseded_by"])
        session.status, session.superseded_by = old.status, new
        _audit(
            actor=actor,
            membership=membership,
            obj=old,
            case=enrolment.case,
            rescheduled_to=new.pk,
        )
    return new


def session_cancel(*, actor, membership, session, reason):
    """Cancel a scheduled session with a coded reason."""
    _require_provider(membership, session.enrolment)
    errors = _require_scheduled(session, "reason")
    if reason not in CancellationReason.values:
        errors.setdefault("reason", "Choose why the session is cancelled.")
    _raise(errors)
    with transaction.atomic():
        locked = _locked(session)
        locked.status = SessionStatus.CANCELLED
        locked.cancellation_reason = reason
        locked.save(update_fields=["status", "cancellation_reason"])
        session.status, session.cancellation_reason = locked.status, reason
        _audit(
            actor=actor,
            membership=membership,
            obj=locked,
            case=session.enrolment.case,
            cancelled=reason,
        )
    return session


def attendance_errors(session, values, *, now=None):
    """Every problem with recording a session's attendance at once, {field: message}."""
    now = now or timezone.now()
    errors = _require_scheduled(session, "attendance")
    if not errors and session.scheduled_at > now + CLOCK_SKEW:
        errors["attendance"] = "This session has not happened yet: record it afterwards."
    if not errors and not is_eligible(session.enrolment):
        # Booked while eligible, then re-assessed not eligible: nothing is attended.
        errors["attendance"] = "The person is not recorded eligible: no session is attended."
    attendance = values.get("attendance")
    if attendance not in Attendance.values:
        errors.setdefault("attendance", "Choose the attendance code.")
    attended = attendance in ATTENDED
    minutes = values.get("minutes")
    if attended and minutes is None:
        errors["minutes"] = "Enter the minutes the session took."
    elif minutes is not None and not (1 if attended else 0) <= minutes <= MAX_MINUTES:
        errors["minutes"] = f"Enter minutes between 1 and {MAX_MINUTES}."
    elif minutes and attendance in Attendance.values and not attended:
        errors["minutes"] = "Minutes are recorded only for a session attended."
    components = values.get("components") or []
    if any(code not in Component.values for code in components):
        errors["components"] = "Choose components from the list."
    elif components and attendance in Attendance.values and not attended:
        errors["components"] = "Components are recorded only for a session attended."
    return errors


def attendance_record(
    *, actor, membership, session, attendance, minutes=None, components=(), notes=""
):
    """Record what happened at a scheduled session: the attendance code, and for a session
    attended the minutes and components covered; clinical notes for the provider only."""
    enrolment = session.enrolment
    _require_provider(membership, enrolment)
    values = {"attendance": attendance, "minutes": minutes, "components": list(components)}
    _raise(attendance_errors(session, values))
    with transaction.atomic():
        locked = _locked(session)
        locked.status = SessionStatus.RECORDED
        locked.attendance = attendance
        locked.minutes = minutes
        locked.components = sorted(set(components))
        locked.notes = (notes or "").strip()
        locked.recorded_at = timezone.now()
        locked.recorded_by = actor
        locked.save()
        _audit(
            actor=actor,
            membership=membership,
            obj=locked,
            case=enrolment.case,
            attendance=attendance,
        )
        compliance_services.absence_alert_if_due(actor=actor, membership=membership, session=locked)
    return locked
