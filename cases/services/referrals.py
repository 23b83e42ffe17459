"""Writes about referrals: record one (with its people), screen it, decide on it.

Lifecycle as dated events (status is derived, cases.models.Referral.status):
received → screened → accepted (a new case, or joins an existing one) / not stalking /
not applicable / declined. Police roles and the clinic chair screen and decide. Accepting
shares the case with the referring agency and makes the referral's people case parties.
"""

from datetime import datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import can, sees_whole_partnership
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.models import (
    DECISIONS,
    CaseAgency,
    CaseParty,
    PartyRole,
    Person,
    ReferenceCode,
    Referral,
    ReferralStatus,
    ScreeningActionKind,
    SharingBasis,
)
from cases.models.reference import in_use_on, too_early
from cases.selectors.referrals import can_decide, may_handle
from cases.selectors.screening import can_screen
from cases.services import core
from cases.services import people as people_services
from cases.services import screening as screening_services
from cases.services.external import (
    clean_external_id,
    external_detail,
    external_id_errors,
    external_id_saved,
)

NEGATIVE = {ReferralStatus.NOT_STALKING, ReferralStatus.NOT_APPLICABLE, ReferralStatus.DECLINED}


def _person_for(*, actor, membership, spec, field):
    """``spec`` is a chosen Person, the details of a new one (dict), or None."""
    if spec is None or isinstance(spec, Person):
        if spec is not None and (
            spec.partnership_id != membership.agency.partnership_id or spec.merged_into_id
        ):
            raise ValidationError({field: "Choose a person in your partnership."})
        return spec
    try:
        return people_services.person_create(actor=actor, membership=membership, **spec)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def referral_record(
    *,
    actor,
    membership,
    source,
    received_on,
    reason,
    sharing_basis="",
    consent_recorded_on=None,
    case=None,
    perpetrator=None,
    victim=None,
    crime_screen_entry=None,
    screening_action=None,
    external_source="",
    external_id="",
):
    """Record a referral with its people (a chosen Person, details of a new one, or None)
    and the id of the referral in the system it came from (``external_source``,
    ``external_id``; unique in the partnership).

    ``crime_screen_entry``: the police crime it was made from (police screeners only); the
    entry's "refer to triage clinic" ``screening_action`` then points at the referral, or
    one is recorded, and the crime is linked to the case when the referral is accepted."""
    if not can(membership, Cap.RECORD_REFERRAL):
        raise PermissionDenied("Your role cannot record referrals.")
    errors = {}
    if crime_screen_entry is not None:
        if not can_screen(membership):
            raise PermissionDenied("Only police screeners refer from the crime screen.")
        if crime_screen_entry.partnership_id != membership.agency.partnership_id:
            errors["crime_screen_entry"] = "Choose a crime in your partnership."
        if screening_action is not None and (
            screening_action.entry_id != crime_screen_entry.pk
            or screening_action.kind != ScreeningActionKind.REFER_TO_TRIAGE
            or screening_action.referral_id
        ):
            errors["screening_action"] = "Choose this crime's referral action without a referral."
    today = timezone.localdate()
    if received_on > today:
        errors["received_on"] = "The date received cannot be in the future."
    elif too_early(received_on):
        errors["received_on"] = too_early(received_on)
    elif isinstance(source, ReferenceCode) and in_use_on(
        source, membership.agency.partnership_id, received_on
    ):
        errors["source"] = in_use_on(source, membership.agency.partnership_id, received_on)
    for field, spec in (("perpetrator", perpetrator), ("victim", victim)):
        born = spec.get("date_of_birth") if isinstance(spec, dict) else None
        born = getattr(spec, "date_of_birth", None) if isinstance(spec, Person) else born
        if born and received_on and born > received_on:
            errors[field] = (
                f"The {field}'s date of birth ({born:%-d %B %Y}) is after the date the "
                f"referral was received ({received_on:%-d %B %Y})."
            )
    if not reason.strip():
        errors["reason"] = "Enter the reason for the referral."
    if sharing_basis and sharing_basis not in SharingBasis.values:
        errors["sharing_basis"] = "Choose a basis for sharing from the list."
    if sharing_basis == SharingBasis.CONSENT and not consent_recorded_on:
        errors["consent_recorded_on"] = "Enter the date consent was given."
    elif consent_recorded_on and sharing_basis != SharingBasis.CONSENT:
        errors["consent_recorded_on"] = "Give a consent date only when the basis is consent."
    elif consent_recorded_on and consent_recorded_on > today:
        errors["consent_recorded_on"] = "The consent date cannot be in the future."
    if source.partnership_id not in (None, membership.agency.partnership_id):
        errors["source"] = "Choose one of the listed sources."
    if case is not None and case.partnership_id != membership.agency.partnership_id:
        errors["case"] = "Choose a case in your partnership."
    external_source, external_id = clean_external_id(external_source, external_id)
    errors.update(
        external_id_errors(Referral, membership.agency.partnership_id, external_source, external_id)
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        people = {
            field: _person_for(actor=actor, membership=membership, spec=spec, field=field)
            for field, spec in (("perpetrator", perpetrator), ("victim", victim))
        }
        referral = Referral(
            partnership=membership.agency.partnership,
            case=case,
            source=source,
            referring_agency=membership.agency,
            received_on=received_on,
            reason=reason.strip(),
            sharing_basis=sharing_basis,
            consent_recorded_on=consent_recorded_on,
            created_by=actor,
            crime_screen_entry=crime_screen_entry,
            external_source=external_source,
            external_id=external_id,
            **people,
        )
        with external_id_saved(referral):
            referral.save()
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=referral,
            detail={
                "sharing_basis": sharing_basis,
                "perpetrator_id": getattr(people["perpetrator"], "pk", None),
                "victim_id": getattr(people["victim"], "pk", None),
                "crime_screen_entry": getattr(crime_screen_entry, "pk", None),
                **external_detail(referral),
            },
        )
        if crime_screen_entry is not None:
            screening_services.entry_referred(
                actor=actor,
                membership=membership,
                entry=crime_screen_entry,
                referral=referral,
                action=screening_action,
            )
    return referral


def _locked(referral):
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _dated(day):
    """The moment stored for an action dated ``day``: now when it is today, else midday of
    that day. The audit row keeps when it was actually entered."""
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _check_date(day, *, field, label, not_before=None, before_label=""):
    """Field-keyed errors for a date of screening or decision; ``{}`` when it is fine."""
    if day > timezone.localdate():
        return {field: f"The date of the {label} must be today or in the past."}
    if not_before is not None and day < not_before:
        return {field: f"The date of the {label} cannot be before {before_label}."}
    return {}


def referral_screen(*, actor, membership, referral, note="", screened_on=None):
    """Record that the referral was screened on ``screened_on`` (default today): not in
    the future, not before the referral was received."""
    if not can_decide(membership):
        raise PermissionDenied("Only police and the clinic chair screen referrals.")
    if not may_handle(membership, referral):
        raise PermissionDenied("Not a referral you screen.")
    screened_on = screened_on or timezone.localdate()
    errors = _check_date(
        screened_on,
        field="screened_on",
        label="screening",
        not_before=referral.received_on,
        before_label=f"the referral was received ({referral.received_on:%-d %B %Y})",
    )
    if len(note) > 1000:
        errors["note"] = "The note must be 1,000 characters or fewer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = _locked(referral)
        if referral.decision:
            raise ValidationError({"note": "This referral has already been decided."})
        if referral.screened_at:
            raise ValidationError({"note": "This referral has already been screened."})
        referral.screened_at = _dated(screened_on)
        referral.screened_by = actor
        referral.screening_note = note.strip()
        referral.save(update_fields=["screened_at", "screened_by", "screening_note"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=referral,
            reason=note.strip(),
            detail={"lifecycle": "screened", "screened_on": screened_on.isoformat()},
        )
    return referral


def _join_people(*, actor, membership, referral, case):
    for person, role in ((referral.perpetrator, PartyRole.PERPETRATOR), (referral.victim, None)):
        if person is None:
            continue
        role = role or PartyRole.VICTIM
        if not CaseParty.objects.filter(case=case, person=person, role=role).exists():
            core.party_add(actor=actor, membership=membership, case=case, role=role, person=person)


def decision_errors(*, referral, decision, reason="", case=None, decided_on=None):
    """Every problem with a decision on the referral, keyed by field (``{}``: none). The
    decision form asks for these too, so the page reports them all in one pass; the
    service checks the screening again under its lock."""
    reason = (reason or "").strip()
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = "Choose a decision."
    elif decision in NEGATIVE and not reason:
        errors["reason"] = "Enter the reason for this decision."
    if decision != ReferralStatus.ACCEPTED and case is not None:
        errors["case"] = "Only an accepted referral joins a case."
    if case is not None and case.partnership_id != referral.partnership_id:
        errors["case"] = "Choose a case in this partnership."
    if decided_on is not None:
        errors.update(
            _check_date(
                decided_on,
                field="decided_on",
                label="decision",
                not_before=referral.received_on,
                before_label=f"the referral was received ({referral.received_on:%-d %B %Y})",
            )
        )
    if referral.decision:
        errors["decision"] = f"This referral was already decided: {referral.get_status_display()}."
    elif not referral.screened_at:
        errors["decision"] = "Screen the referral before deciding on it."
    elif decided_on is not None and "decided_on" not in errors:
        screened_on = timezone.localtime(referral.screened_at).date()
        errors.update(
            _check_date(
                decided_on,
                field="decided_on",
                label="decision",
                not_before=screened_on,
                before_label=f"the referral was screened ({screened_on:%-d %B %Y})",
            )
        )
    return errors


def referral_decide(
    *,
    actor,
    membership,
    referral,
    decision,
    reason="",
    case=None,
    summary="",
    lead_agency=None,
    decided_on=None,
):
    """One decision per referral, dated ``decided_on`` (default today; not in the future,
    not before the referral was screened). Accepting joins ``case`` or opens a new one
    (``summary``, ``lead_agency``, opened on the decision date), shares it with the
    referring agency and adds the people as parties."""
    if not can_decide(membership):
        raise PermissionDenied("Only police and the clinic chair decide on referrals.")
    if not may_handle(membership, referral):
        raise PermissionDenied("Not a referral you decide on.")
    reason = (reason or "").strip()
    decided_on = decided_on or timezone.localdate()
    errors = decision_errors(
        referral=referral, decision=decision, reason=reason, case=case, decided_on=decided_on
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = _locked(referral)
        if referral.decision:
            raise ValidationError(
                {"decision": f"This referral was already decided: {referral.get_status_display()}."}
            )
        if not referral.screened_at:
            raise ValidationError({"decision": "Screen the referral before deciding on it."})
        screened_on = timezone.localtime(referral.screened_at).date()
        date_errors = _check_date(
            decided_on,
            field="decided_on",
            label="decision",
            not_before=screened_on,
            before_label=f"the referral was screened ({screened_on:%-d %B %Y})",
        )
        if date_errors:
            raise ValidationError(date_errors)
        opened = False
        if decision == ReferralStatus.ACCEPTED:
            if case is None:
                case = core.case_open(
                    actor=actor,
                    membership=membership,
                    summary=summary.strip() or referral.reason,
                    lead_agency=lead_agency or membership.agency,
                    opened_on=decided_on,
                )
                opened = True
            if not CaseAgency.objects.filter(case=case, agency=referral.referring_agency).exists():
                core.case_share(
                    actor=actor,
                    membership=membership,
                    case=case,
                    agency=referral.referring_agency,
                    reason=f"Referral {referral.pk} accepted",
                )
            _join_people(actor=actor, membership=membership, referral=referral, case=case)
            referral.case = case
            if referral.crime_screen_entry_id:
                screening_services.entry_link_accepted_case(
                    actor=actor,
                    membership=membership,
                    entry=referral.crime_screen_entry,
                    case=case,
                    referral=referral,
                )
        referral.decision = decision
        referral.decision_reason = reason
        referral.decided_at = _dated(decided_on)
        referral.decided_by = actor
        referral.save(
            update_fields=["decision", "decision_reason", "decided_at", "decided_by", "case"]
        )
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=referral,
            case=referral.case,
            reason=reason,
            detail={
                "lifecycle": "decided",
                "decision": decision,
                "decided_on": decided_on.isoformat(),
                "case_id": referral.case_id,
                "case_opened": opened,
            },
        )
    return referral


def can_withdraw(membership, referral):
    """The referring agency's members who record referrals (and the clinic chair, on the
    referrer's behalf) withdraw a referral while it is undecided."""
    return (
        can(membership, Cap.RECORD_REFERRAL)
        and referral.partnership_id == membership.agency.partnership_id
        and (
            referral.referring_agency_id == membership.agency_id
            or sees_whole_partnership(membership)
        )
    )


def referral_withdraw(*, actor, membership, referral, reason):
    """The referrer withdraws an undecided referral, with a reason. Like a decision, it
    ends the referral (decision "withdrawn", dated, with who and why); it cannot be
    undone: a new referral is recorded if the concern returns."""
    if not can_withdraw(membership, referral):
        raise PermissionDenied("Only the referring agency withdraws a referral.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the referral is being withdrawn."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "The reason must be 2,000 characters or fewer."})
    with transaction.atomic():
        referral = _locked(referral)
        if referral.decision:
            raise ValidationError(
                {"reason": f"This referral was already decided: {referral.get_status_display()}."}
            )
        referral.decision = ReferralStatus.WITHDRAWN
        referral.decision_reason = reason
        referral.decided_at = timezone.now()
        referral.decided_by = actor
        referral.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=referral,
            case=referral.case,
            reason=reason,
            detail={"lifecycle": "withdrawn"},
        )
    return referral
