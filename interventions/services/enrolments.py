"""Writes of enrolments: refer, consent, allocate, withdraw."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import interventions_agency_id
from accounts.models import Membership
from accounts.roles import Role
from audit.models import Action
from audit.services import record_event
from cases.models import PartyRole
from cases.selectors.core import is_shared_with_agency
from interventions.models import (
    CancellationReason,
    Enrolment,
    EnrolmentStatus,
    Pathway,
    Recipient,
    Session,
    SessionStatus,
    WithdrawalReason,
)

EARLIEST = date(2000, 1, 1)


# A device clock a few minutes ahead of the server's is not a session in the future.
CLOCK_SKEW = timedelta(minutes=5)


MAX_MINUTES = 600


# How far ahead a session may be booked.
MAX_AHEAD = timedelta(days=366)


def _require_provider(membership, enrolment=None):
    agency_id = interventions_agency_id(membership) if membership is not None else None
    if agency_id is None:
        raise PermissionDenied("Only clinicians of a health agency do this.")
    if enrolment is not None and enrolment.provider_agency_id != agency_id:
        raise PermissionDenied("Only the agency delivering this intervention changes it.")


def _raise(errors):
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def _local_date(value):
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _audit(*, actor, membership, obj, case, action=Action.UPDATE, **detail):
    record_event(
        action=action, actor=actor, membership=membership, obj=obj, case=case, detail=detail
    )


def practitioner_errors(agency_id, practitioner):
    if practitioner is None:
        return None
    holds = (
        Membership.objects.usable()
        .filter(user=practitioner, agency_id=agency_id, role=Role.CLINICIAN)
        .exists()
    )
    return None if holds else "Choose a clinician in your agency."


def referral_errors(values, *, today=None):
    """Every problem with a referral's own fields at once, {field: message}."""
    today = today or timezone.localdate()
    errors = {}
    programme = values.get("programme")
    if programme is None:
        errors["programme"] = "Choose a programme."
    if values.get("pathway") not in Pathway.values:
        errors["pathway"] = "Choose the pathway."
    referred = values.get("referred_on")
    if referred is None:
        errors["referred_on"] = "Enter the date of the referral."
    elif referred > today:
        errors["referred_on"] = "The referral date must be today or in the past."
    elif referred < EARLIEST:
        errors["referred_on"] = "The referral date must be in 2000 or later."
    planned = values.get("planned_sessions")
    if programme is not None:
        if planned is None:
            errors["planned_sessions"] = "Enter the number of sessions planned."
        elif not programme.sessions_min <= planned <= programme.sessions_max:
            errors["planned_sessions"] = (
                f"{programme.name} plans between {programme.sessions_min} and "
                f"{programme.sessions_max} sessions."
            )
    party = values.get("party")
    if party is not None and programme is not None:
        wanted = PartyRole.PERPETRATOR if programme.recipient == Recipient.PERPETRATOR else None
        if wanted and party.role != wanted:
            errors["party"] = f"{programme.name} is for perpetrators: choose the perpetrator."
        elif not wanted and party.role != PartyRole.VICTIM:
            errors["party"] = f"{programme.name} is for victims: choose the victim."
    return errors


def _fresh(enrolment):
    """The enrolment as saved, with its sessions: the derived status from the rows."""
    return Enrolment.objects.prefetch_related("sessions").get(pk=enrolment.pk)


def _still_enrolled(party, programme):
    running = Enrolment.objects.filter(
        party=party, programme=programme, withdrawn_on__isnull=True
    ).prefetch_related("sessions")
    return any(e.status != EnrolmentStatus.COMPLETED for e in running)


def enrolment_refer(
    *,
    actor,
    membership,
    party,
    programme,
    pathway,
    referred_on,
    planned_sessions=None,
    practitioner=None,
):
    """Refer a perpetrator or victim party of a case to a programme the member's health
    agency delivers: creates the enrolment."""
    _require_provider(membership)
    agency_id = interventions_agency_id(membership)
    if programme is not None and planned_sessions is None:
        planned_sessions = programme.sessions_max
    values = {
        "programme": programme,
        "pathway": pathway,
        "referred_on": referred_on,
        "planned_sessions": planned_sessions,
        "party": party,
    }
    errors = referral_errors(values)
    partnership_id = membership.agency.partnership_id
    case = party.case if party is not None else None
    if (
        party is None
        or party.role not in (PartyRole.PERPETRATOR, PartyRole.VICTIM)
        or case.partnership_id != partnership_id
        # Shared with the agency: break-glass opens a case's core record only.
        or not is_shared_with_agency(membership, case)
    ):
        errors["party"] = "Choose a perpetrator or victim on a case shared with your agency."
    if programme is not None and programme.partnership_id not in (None, partnership_id):
        errors["programme"] = "Choose a programme."
    elif programme is not None and programme.provider_kind != membership.agency.kind:
        errors["programme"] = "Your agency does not deliver this programme."
    elif "party" not in errors and programme is not None and _still_enrolled(party, programme):
        errors["party"] = "This person is already enrolled on this programme for this case."
    problem = practitioner_errors(agency_id, practitioner)
    if problem:
        errors["practitioner"] = problem
    _raise(errors)
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            partnership_id=partnership_id,
            case=case,
            party=party,
            programme=programme,
            provider_agency_id=agency_id,
            practitioner=practitioner,
            referred_on=referred_on,
            pathway=pathway,
            planned_sessions=planned_sessions,
            created_by=actor,
        )
        _audit(
            actor=actor,
            membership=membership,
            obj=enrolment,
            case=case,
            action=Action.CREATE,
            programme=programme.pk,
            pathway=pathway,
        )
    return enrolment


def _first_session_on(enrolment):
    """The local date of the enrolment's earliest session still standing (not rescheduled
    or cancelled), or None."""
    first = (
        Session.objects.filter(enrolment=enrolment)
        .exclude(status__in=(SessionStatus.RESCHEDULED, SessionStatus.CANCELLED))
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
        .first()
    )
    return _local_date(first) if first else None


def consent_errors(enrolment, *, consent_signed_on, today=None):
    today = today or timezone.localdate()
    errors = {}
    first = _first_session_on(enrolment)
    if consent_signed_on is None:
        errors["consent_signed_on"] = "Enter the date the consent and contract were signed."
    elif consent_signed_on > today:
        errors["consent_signed_on"] = "The date signed must be today or in the past."
    elif consent_signed_on < enrolment.referred_on:
        errors["consent_signed_on"] = "Consent cannot be signed before the referral date."
    elif first is not None and consent_signed_on > first:
        errors["consent_signed_on"] = (
            f"A session is booked for {first:%d/%m/%Y}: consent must be signed before it."
        )
    if enrolment.withdrawn_on:
        errors["consent_signed_on"] = "This enrolment has ended: it can no longer change."
    return errors


def consent_record(
    *,
    actor,
    membership,
    enrolment,
    consent_signed_on,
    shares_progress=False,
    shares_compliance=False,
    shares_risk_indicators=False,
):
    """Record the consent and information-sharing contract: the date signed and what it
    lets the provider share with the criminal-justice agencies."""
    _require_provider(membership, enrolment)
    _raise(consent_errors(enrolment, consent_signed_on=consent_signed_on))
    with transaction.atomic():
        enrolment.consent_signed_on = consent_signed_on
        enrolment.shares_progress = bool(shares_progress)
        enrolment.shares_compliance = bool(shares_compliance)
        enrolment.shares_risk_indicators = bool(shares_risk_indicators)
        enrolment.save(
            update_fields=[
                "consent_signed_on",
                "shares_progress",
                "shares_compliance",
                "shares_risk_indicators",
            ]
        )
        _audit(actor=actor, membership=membership, obj=enrolment, case=enrolment.case, consent=True)
    return enrolment


def allocate(*, actor, membership, enrolment, practitioner):
    """Allocate the enrolment to a clinician of the delivering agency."""
    _require_provider(membership, enrolment)
    problem = practitioner_errors(enrolment.provider_agency_id, practitioner)
    if practitioner is None or problem:
        _raise({"practitioner": problem or "Choose a clinician in your agency."})
    with transaction.atomic():
        enrolment.practitioner = practitioner
        enrolment.save(update_fields=["practitioner"])
        _audit(
            actor=actor,
            membership=membership,
            obj=enrolment,
            case=enrolment.case,
            practitioner=practitioner.pk,
        )
    return enrolment


def withdraw_errors(enrolment, *, withdrawn_on, reason, today=None):
    today = today or timezone.localdate()
    errors = {}
    enrolment = _fresh(enrolment)
    status = enrolment.status
    if status == EnrolmentStatus.DROPPED_OUT:
        ended = enrolment.withdrawn_on
        errors["withdrawn_on"] = f"This enrolment already ended on {ended:%d/%m/%Y}."
        return errors
    if status == EnrolmentStatus.COMPLETED:
        errors["withdrawn_on"] = "This enrolment is complete: there is nothing to withdraw from."
        return errors
    last = enrolment.last_attended_on
    if withdrawn_on is None:
        errors["withdrawn_on"] = "Enter the date of the withdrawal."
    elif withdrawn_on > today:
        errors["withdrawn_on"] = "The withdrawal date must be today or in the past."
    elif withdrawn_on < enrolment.referred_on:
        errors["withdrawn_on"] = "The withdrawal cannot be before the referral date."
    elif last is not None and withdrawn_on < last:
        errors["withdrawn_on"] = f"A session was attended on {last:%d/%m/%Y}, after this date."
    if reason not in WithdrawalReason.values:
        errors["reason"] = "Choose why the person left the programme."
    return errors


def enrolment_withdraw(*, actor, membership, enrolment, withdrawn_on, reason):
    """Record a drop-out: the date and a coded reason; sessions still scheduled are
    cancelled (reason: withdrew)."""
    _require_provider(membership, enrolment)
    _raise(withdraw_errors(enrolment, withdrawn_on=withdrawn_on, reason=reason))
    with transaction.atomic():
        enrolment.withdrawn_on = withdrawn_on
        enrolment.withdrawal_reason = reason
        enrolment.save(update_fields=["withdrawn_on", "withdrawal_reason"])
        cancelled = Session.objects.filter(
            enrolment=enrolment, status=SessionStatus.SCHEDULED
        ).update(status=SessionStatus.CANCELLED, cancellation_reason=CancellationReason.WITHDRAWN)
        _audit(
            actor=actor,
            membership=membership,
            obj=enrolment,
            case=enrolment.case,
            withdrawn=reason,
            sessions_cancelled=cancelled,
        )
    return enrolment
