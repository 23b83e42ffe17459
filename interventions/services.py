"""Every write of interventions: keyword-only, one transaction each, with its audit row.

Rules enforced here (views and API only translate them):
- only members of the health agency delivering an enrolment change it
  (accounts.access.interventions_agency_id); a referral needs the case shared with that
  agency (break-glass alone is refused at the field) and a perpetrator or victim party of
  the case matching the programme;
- no session before the consent and information-sharing contract is signed, nor before
  the referral; dates that cannot be true are refused at the field (``*_errors``: the forms
  ask the same functions, so every problem shows in one pass);
- rescheduling marks the old session rescheduled and points it at the new one, so only one
  of them can ever be attended; cancelling takes a coded reason; attendance is coded;
- withdrawal (drop-out) takes a date and a coded reason and cancels the sessions still
  scheduled; a withdrawn or completed enrolment takes no more sessions;
- hand-offs without re-keying: a clinic decision "Refer to intervention" and the crime
  screen's "EASI / intervention candidate" refer the perpetrator to fACT, once (the
  decisions are written out above ``handoff_programme``).
Audit rows name the enrolment or session and the case, never a note.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import interventions_agency_id
from accounts.models import Agency, Membership
from accounts.roles import Role
from audit.models import Action
from audit.services import record_event
from cases.models import CaseParty, PartyRole
from cases.selectors.core import is_shared_with_agency, shared_agencies
from cases.services import core as case_services
from interventions.models import (
    ATTENDED,
    Attendance,
    CancellationReason,
    Component,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Pathway,
    Programme,
    Recipient,
    ReferralRoute,
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
    return locked


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


# Hand-offs without re-keying (issue 12 item 2) ---------------------------------------
#
# Decisions, written where the code keeps them (they mirror advocacy.services' referral
# queue, whose decisions are written above advocacy.services.referral_agency):
# - A Case Analysis Summary whose decision is "Refer to intervention" refers the case's
#   perpetrator to fACT in the same transaction as the CAS; the crime screen's
#   "EASI / intervention candidate" refers the crime's suspect as soon as the crime is
#   linked to a case: at once when it already is, else when it is linked later (by hand or
#   by accepting the triage referral made from it), dated by the earliest such action.
# - The programme is fACT: the partnership's own active "fact" programme if it has one,
#   else the national one. Route (clinic, screening) and source (the CAS version, the
#   crime) are kept on the enrolment; status "referred" (no practitioner, no pathway: the
#   provider allocates, and agrees the pathway at consent; nothing is guessed here).
# - The person: the case's only perpetrator party for the clinic; for the crime screen the
#   perpetrator party matching the crime's suspect person, else the case's only
#   perpetrator. No perpetrator, or several with none matched: the recorder is told.
# - The agency delivering it: the active health agency the case is shared with; when it
#   is shared with none, the partnership's only active health agency, and the case is
#   shared with it at the same time (an audited disclosure, reason given): a clinician
#   cannot take on a referral on a case they cannot open. Several health agencies and
#   none (or more than one) on the case: nothing is guessed, the recorder is told.
# - Refused rather than lost: the clinic decision is refused at its "decision" field and
#   the screening action at "kinds" (linking later: at "case"), nothing saved. Refusing a
#   CAS never blocks a chair from closing a meeting (triage.services.clinics.meeting_close
#   carries undiscussed items over, and the chair can record the case with another
#   decision); accepting a triage referral is never refused for it (as for advocacy):
#   the crime's audit row says "intervention_referrals": None and the screener refers from
#   the crime once the case is put right.
# - Idempotent: a source (a CAS version, a crime) refers a person once, whatever happens
#   to that enrolment; and nothing is added while the person has an open enrolment
#   (not withdrawn, not completed) on the programme in the partnership, on any case.
# - The compartment is unchanged: the enrolment is the delivering agency's; the recorder's
#   agency and every other reader of the case see its status-level facts only
#   (interventions.selectors.interventions_on_case), and the audit row names no note.

HANDOFF_PROGRAMME = "fact"


def handoff_programme(partnership_id):
    """The programme a hand-off refers to (see the decisions above), or None."""
    return (
        Programme.objects.filter(code=HANDOFF_PROGRAMME, active=True)
        .filter(Q(partnership_id=partnership_id) | Q(partnership__isnull=True))
        .order_by("partnership_id")  # the partnership's own first (NULLs last)
        .first()
    )


def handoff_agency(case, programme):
    """(agency, None) for the agency a hand-off referral from ``case`` goes to, or
    (None, why not)."""
    kind = programme.provider_kind
    shared = [
        link.agency
        for link in shared_agencies(case)
        if link.agency.kind == kind and link.agency.active
    ]
    if len(shared) == 1:
        return shared[0], None
    if shared:
        return None, (
            f"The case is shared with more than one agency that delivers {programme.name}, "
            "so the referral cannot choose between them: ask the one that will deliver it "
            "to refer from the case page."
        )
    agencies = list(
        Agency.objects.filter(partnership_id=case.partnership_id, kind=kind, active=True)[:2]
    )
    if len(agencies) == 1:
        return agencies[0], None
    if not agencies:
        return None, f"The partnership has no agency that delivers {programme.name}."
    return None, (
        f"Share the case with the agency that will deliver {programme.name} first: the "
        "partnership has more than one."
    )


def _perpetrators(case):
    return list(CaseParty.objects.filter(case=case, role=PartyRole.PERPETRATOR).order_by("pk"))


def handoff_perpetrator(case, *, suspect_person_id=None):
    """(perpetrator party, None) for a hand-off on ``case``, or (None, why not)."""
    perpetrators = _perpetrators(case)
    if suspect_person_id is not None:
        matched = [p for p in perpetrators if p.person_id == suspect_person_id]
        if matched:
            return matched[0], None
    if len(perpetrators) == 1:
        return perpetrators[0], None
    if not perpetrators:
        return None, f"Case {case.reference} has no perpetrator recorded to refer."
    if suspect_person_id is not None:
        return None, (
            f"Case {case.reference} has more than one perpetrator and this crime's suspect "
            "is not matched to one of them: match the crime's suspect first."
        )
    return None, (
        f"Case {case.reference} has more than one perpetrator, so the referral cannot "
        "choose between them: refer from the case page."
    )


def handoff_plan(case, *, suspect_person_id=None):
    """((party, programme, agency), None) for a hand-off on ``case``, or (None, why not)."""
    programme = handoff_programme(case.partnership_id)
    if programme is None:
        return None, "The partnership has no fACT programme to refer to."
    party, problem = handoff_perpetrator(case, suspect_person_id=suspect_person_id)
    if problem:
        return None, problem
    agency, problem = handoff_agency(case, programme)
    if problem:
        return None, problem
    return (party, programme, agency), None


def handoff_problem(case, *, suspect_person_id=None):
    """Why a hand-off referral cannot be made on ``case`` (None: it can)."""
    return handoff_plan(case, suspect_person_id=suspect_person_id)[1]


def _open_enrolment_exists(party, programme):
    running = Enrolment.objects.filter(
        partnership_id=party.case.partnership_id,
        party__person_id=party.person_id,
        programme=programme,
        withdrawn_on__isnull=True,
    ).prefetch_related("sessions")
    return any(e.status != EnrolmentStatus.COMPLETED for e in running)


def _handoff(*, actor, membership, case, route, referred_on, source, error_field, suspect=None):
    """Refer the perpetrator (in the caller's transaction). Returns the enrolment made, or
    None when an earlier one stands; raises ValidationError keyed ``error_field`` when no
    person or agency can be chosen (``error_field=None``: returns False instead)."""
    plan, problem = handoff_plan(case, suspect_person_id=suspect)
    if problem:
        if error_field:
            raise ValidationError({error_field: [problem]})
        return False
    party, programme, agency = plan
    ((source_field, source_obj),) = source.items()
    earlier = Enrolment.objects.filter(party__person_id=party.person_id, programme=programme)
    if earlier.filter(**{source_field: source_obj}).exists() or _open_enrolment_exists(
        party, programme
    ):
        return None
    if not any(link.agency_id == agency.pk for link in shared_agencies(case)):
        case_services.case_share(
            actor=actor,
            membership=membership,
            case=case,
            agency=agency,
            reason=f"Perpetrator referred to {agency} for {programme.name}.",
        )
    enrolment = Enrolment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        party=party,
        programme=programme,
        provider_agency=agency,
        referred_on=referred_on,
        route=route,
        pathway="",
        planned_sessions=programme.sessions_max,
        created_by=actor,
        **source,
    )
    _audit(
        actor=actor,
        membership=membership,
        obj=enrolment,
        case=case,
        action=Action.CREATE,
        intervention_referral=route,
        programme=programme.pk,
        agency_id=agency.pk,
        party=party.pk,
    )
    return enrolment


def referral_from_discussion(*, actor, membership, discussion, error_field="decision"):
    """A CAS whose decision is "Refer to intervention": the case's perpetrator referred to
    fACT (in the caller's transaction). The enrolment made, or None."""
    from triage.models import Decision  # triage's services call this module

    if discussion.decision != Decision.REFER_INTERVENTION:
        return None
    return _handoff(
        actor=actor,
        membership=membership,
        case=discussion.case,
        route=ReferralRoute.CLINIC,
        referred_on=timezone.localtime(discussion.recorded_at).date(),
        source={"discussion": discussion},
        error_field=error_field,
    )


def referral_from_screening(*, actor, membership, entry, case, referred_on, error_field="kinds"):
    """The crime's "EASI / intervention candidate" now that it is on ``case``: its suspect
    referred to fACT (in the caller's transaction). The enrolment made, None when an
    earlier one stands, or with ``error_field=None`` False when it cannot be made (the
    caller's audit row says so)."""
    return _handoff(
        actor=actor,
        membership=membership,
        case=case,
        route=ReferralRoute.SCREENING,
        referred_on=referred_on,
        source={"screening_entry": entry},
        error_field=error_field,
        suspect=entry.suspect_person_id,
    )
