"""Every write to case data: keyword-only, one transaction, one audit row each."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.access import can, can_edit_case_core, can_work_advocacy
from accounts.models import Agency, Partnership
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.models import Case, CaseAgency, CaseParty, PartyRole, Person, Referral
from cases.selectors.core import VIEW_CASE
from cases.services.external import (
    clean_external_id,
    external_detail,
    external_id_errors,
    external_id_saved,
)


def _require(allowed, message="Your role cannot do this."):
    if not allowed:
        raise PermissionDenied(message)


def _next_case_reference(partnership, on_date):
    # The partnership row is locked so two people opening cases get different numbers.
    # The next number follows the highest taken (not the count): after a rolled-back import
    # deleted cases, a count would hand out a number that is still in use.
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    stem = f"{locked.case_reference_prefix}-{on_date:%Y}-"
    last = (
        Case.objects.filter(partnership=locked, reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(stem)) if last and last.removeprefix(stem).isdigit() else 0
    return f"{stem}{number + 1:05d}"


def _grant(case, agency, *, actor, reason):
    link, created = CaseAgency.objects.get_or_create(
        case=case, agency=agency, defaults={"shared_by": actor, "reason": reason}
    )
    assign_perm(f"cases.{VIEW_CASE}", agency.group, case)
    return link, created


def case_bring_in(*, actor, case, lead_agency, parties=()):
    """Save a case brought in by a migration (the imports app): its reference from its own
    opening date, the lead agency's access, and its parties [(role, person id)]. The caller
    checked the values and audits the batch; call inside its transaction."""
    case.reference = _next_case_reference(case.partnership, case.opened_on)
    case.lead_agency = lead_agency
    case.created_by = actor
    case.save()
    _grant(case, lead_agency, actor=actor, reason="Brought in from an earlier system")
    case_parties_ensure(case, parties)
    return case


def case_agencies_ensure(*, actor, case, agency_ids, reason):
    """Share the case with each agency (by id) it is not yet shared with; never unshares."""
    shared = set(case.case_agencies.values_list("agency_id", flat=True))
    for agency in Agency.objects.filter(pk__in=set(agency_ids) - shared):
        _grant(case, agency, actor=actor, reason=reason)


def case_parties_ensure(case, parties):
    """Add each (role, person id) the case does not already have in that role."""
    for role, person_id in parties:
        if person_id:
            CaseParty.objects.get_or_create(case=case, person_id=person_id, role=role)


def case_open(
    *,
    actor,
    membership,
    summary,
    lead_agency,
    opened_on=None,
    officer_in_charge=None,
    external_source="",
    external_id="",
):
    """Open a case, shared with the member's agency and the lead agency.
    ``external_source``/``external_id``: the case's id in the system it came from."""
    _require(can(membership, Cap.CREATE_CASE), "Your role cannot open cases.")
    partnership_id = membership.agency.partnership_id
    errors = {}
    if lead_agency.partnership_id != partnership_id:
        errors["lead_agency"] = "Choose an agency in your partnership."
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        errors["opened_on"] = "The date the case opened cannot be in the future."
    if not summary.strip():
        errors["summary"] = "Enter a summary of the case."
    external_source, external_id = clean_external_id(external_source, external_id)
    errors.update(external_id_errors(Case, partnership_id, external_source, external_id))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case(
            partnership=membership.agency.partnership,
            reference=_next_case_reference(membership.agency.partnership, opened_on),
            summary=summary.strip(),
            lead_agency=lead_agency,
            officer_in_charge=officer_in_charge,
            opened_on=opened_on,
            external_source=external_source,
            external_id=external_id,
            created_by=actor,
        )
        with external_id_saved(case):
            case.save()
        for agency in {membership.agency, lead_agency}:
            _grant(case, agency, actor=actor, reason="Opened the case")
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=case,
            detail=external_detail(case) or None,
        )
    return case


def advocacy_case_open(*, actor, membership, summary, opened_on, victim):
    """Opens a case for a victim who came to an advocacy agency directly (self-referral,
    the helpline, MARAC) and has not agreed to police involvement: the case is linked to
    that advocacy agency alone, so police, health and probation cannot open it or find it
    in search. It joins the partnership's work only when the victim agrees: the advocate
    records a referral on it (referral_record) and the clinic or police share it.

    Decided: clinic chairs and partnership admins see its core as they see every case of
    the partnership (DESIGN.md §4), so that a perpetrator referred later is linked to the
    victim already known instead of a second person record; they never see the advocacy
    compartment. ``victim`` holds Person fields (names, date of birth, contact details:
    the contact details are read only by the victim's advocate and the OIC)."""
    _require(can_work_advocacy(membership), "Only advocacy agencies open advocacy-only cases.")
    summary = (summary or "").strip()
    errors = {}
    if not summary:
        errors["summary"] = "Enter a short summary of why the victim came to you."
    if opened_on is None:
        errors["opened_on"] = "Enter the date of the referral."
    elif opened_on > timezone.localdate():
        errors["opened_on"] = "The date of the referral cannot be in the future."
    victim = {k: v.strip() if isinstance(v, str) else v for k, v in victim.items()}
    for field, label in (("given_names", "given name"), ("family_name", "family name")):
        if not victim.get(field):
            errors[field] = f"Enter the victim's {label}."
    person = Person(partnership=membership.agency.partnership, **victim)
    try:
        person.full_clean(exclude=["partnership"])
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            errors.setdefault(field, problems[0])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case.objects.create(
            partnership=membership.agency.partnership,
            reference=_next_case_reference(membership.agency.partnership, opened_on),
            summary=summary,
            lead_agency=membership.agency,
            opened_on=opened_on,
            created_by=actor,
        )
        _grant(case, membership.agency, actor=actor, reason="Advocacy-only case")
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=case,
            detail={"advocacy_only": True},
        )
        person.save()
        record_event(action=Action.CREATE, actor=actor, membership=membership, obj=person)
        party = CaseParty.objects.create(case=case, person=person, role=PartyRole.VICTIM)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=party,
            case=case,
            detail={"role": PartyRole.VICTIM},
        )
    return party


def case_share(*, actor, membership, case, agency, reason):
    """Share a case with another agency of the partnership: a disclosure, so audited."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair share cases.")
    if agency.partnership_id != case.partnership_id:
        raise ValidationError({"agency": "Choose an agency in this case's partnership."})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is being shared."})
    with transaction.atomic():
        link, created = _grant(case, agency, actor=actor, reason=reason.strip())
        if not created:
            raise ValidationError({"agency": f"The case is already shared with {agency}."})
        record_event(
            action=Action.DISCLOSE,
            actor=actor,
            membership=membership,
            obj=case,
            reason=reason.strip(),
            detail={"recipient_agency": agency.name, "recipient_agency_id": agency.pk},
        )
    return link


def case_unshare(*, actor, membership, case, agency, reason):
    _require(can_edit_case_core(membership), "Only police and the clinic chair unshare cases.")
    if agency.pk == case.lead_agency_id:
        raise ValidationError({"agency": "A case cannot be unshared from its lead agency."})
    with transaction.atomic():
        deleted, _ = CaseAgency.objects.filter(case=case, agency=agency).delete()
        if not deleted:
            raise ValidationError({"agency": f"The case is not shared with {agency}."})
        remove_perm(f"cases.{VIEW_CASE}", agency.group, case)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=case,
            reason=reason,
            detail={"unshared_agency": agency.name, "unshared_agency_id": agency.pk},
        )


def party_add(*, actor, membership, case, role, person, advocate=None):
    """Add a person already recorded as a party to the case (a new person is recorded and
    added by cases.services.people.party_add)."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair add parties.")
    with transaction.atomic():
        if person.partnership_id != case.partnership_id:
            raise ValidationError({"person": "Choose a person in this case's partnership."})
        if CaseParty.objects.filter(case=case, person=person, role=role).exists():
            raise ValidationError({"role": f"{person} is already a party in that role."})
        party = CaseParty.objects.create(case=case, person=person, role=role, advocate=advocate)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=party,
            case=case,
            detail={"role": role},
        )
    return party


def party_set_advocate(*, actor, membership, party, advocate):
    """Name a victim's advocate (who, with the officer in charge, reads their contact
    details). Called by advocacy.services when support starts or is reallocated; the caller
    has checked that the advocate works in the agency that holds the victim's support."""
    if not party.is_victim:
        raise ValidationError({"victim": "Only a victim has an advocate."})
    if party.advocate_id == getattr(advocate, "pk", None):
        return party
    with transaction.atomic():
        party.advocate = advocate
        party.save(update_fields=["advocate"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=party,
            case=party.case,
            detail={"advocate": advocate.full_name if advocate else ""},
        )
    return party


def referral_record(*, actor, membership, source, received_on, reason, case=None):
    _require(can(membership, Cap.RECORD_REFERRAL), "Your role cannot record referrals.")
    errors = {}
    if received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    if not reason.strip():
        errors["reason"] = "Enter the reason for the referral."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            partnership=membership.agency.partnership,
            case=case,
            source=source,
            referring_agency=membership.agency,
            received_on=received_on,
            reason=reason.strip(),
            created_by=actor,
        )
        record_event(action=Action.CREATE, actor=actor, membership=membership, obj=referral)
    return referral
