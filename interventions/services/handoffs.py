"""Hand-offs without re-keying: a clinic decision or the crime screen refers the perpetrator
to the partnership's programme."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency
from audit.models import Action
from cases.models import CaseParty, PartyRole
from cases.selectors.core import shared_agencies
from cases.services import core as case_services
from interventions.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
    ReferralRoute,
)

from .enrolments import _audit

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
