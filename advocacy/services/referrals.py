"""The referral queue: referrals from the crime screen and the clinic, accept and decline."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import advocacy_agency_id
from accounts.models import Agency
from accounts.roles import AgencyKind
from advocacy.models import (
    DIRECT_ROUTES,
    AdvocacyReferral,
    DeclineReason,
    ReferralRoute,
    ReferralStatus,
    SupportEpisode,
)
from advocacy.selectors import episodes as episode_selectors
from audit.models import Action
from audit.services import record_event
from cases.selectors.core import shared_agencies
from cases.services import core as case_services

from .episodes import _raise, _require_holder, advocate_errors, episode_errors, episode_start

MAX_NOTE = 2000


def referral_agency(case):
    """(agency, None) for the advocacy agency a referral from ``case`` goes to, or
    (None, why not)."""
    shared = [
        link.agency
        for link in shared_agencies(case)
        if link.agency.kind == AgencyKind.ADVOCACY and link.agency.active
    ]
    if len(shared) == 1:
        return shared[0], None
    if shared:
        return None, (
            "The case is shared with more than one victim advocacy service, so the referral "
            "cannot choose between them: ask the service that will support the victim to "
            "start support from the case page."
        )
    agencies = list(
        Agency.objects.filter(
            partnership_id=case.partnership_id, kind=AgencyKind.ADVOCACY, active=True
        )[:2]
    )
    if len(agencies) == 1:
        return agencies[0], None
    if not agencies:
        return None, "The partnership has no victim advocacy service to refer to."
    return None, (
        "Share the case with the victim advocacy service the victim is referred to first: "
        "the partnership has more than one."
    )


def screening_victims(entry, case):
    """([victim party], None), or ([], why not): the party of the crime's victim on the
    case, else the case's only victim."""
    victims = episode_selectors.victims_on_case(case)
    if entry.victim_person_id is not None:
        matched = [v for v in victims if v.person_id == entry.victim_person_id]
        if matched:
            return matched[:1], None
    if len(victims) == 1:
        return victims, None
    if not victims:
        return [], f"Case {case.reference} has no victim recorded to refer to advocacy."
    return [], (
        f"Case {case.reference} has more than one victim and this crime's victim is not "
        "matched to one of them: match the crime's victim first."
    )


def screening_referral_problem(entry, case):
    """Why the crime's advocacy referral cannot be made on ``case`` (None: it can)."""
    _, problem = screening_victims(entry, case)
    if problem is None:
        _, problem = referral_agency(case)
    return problem


def discussion_referral_problem(case):
    """Why the clinic cannot refer the case's victims to advocacy (None: it can)."""
    if not episode_selectors.victims_on_case(case):
        return f"Case {case.reference} has no victim recorded to refer to advocacy."
    _, problem = referral_agency(case)
    return problem


def _refer(*, actor, membership, case, victims, route, referred_on, source):
    """Put each victim in the agency's queue (in the caller's transaction); returns the
    referrals made. ``source``: {"screening_entry": entry} or {"discussion": discussion}."""
    agency, problem = referral_agency(case)
    if problem:
        raise ValidationError({"victim": [problem]})
    if not _case_shared_with(case, agency):
        case_services.case_share(
            actor=actor,
            membership=membership,
            case=case,
            agency=agency,
            reason=f"Victim referred to {agency} for advocacy support.",
        )
    made = []
    for victim in victims:
        earlier = AdvocacyReferral.objects.filter(victim=victim, advocacy_agency=agency)
        if (
            earlier.filter(**source).exists()
            or earlier.filter(accepted_at__isnull=True, declined_at__isnull=True).exists()
            or SupportEpisode.objects.filter(
                victim=victim, advocacy_agency=agency, closed_on__isnull=True
            ).exists()
        ):
            continue
        try:
            with transaction.atomic():
                referral = AdvocacyReferral.objects.create(
                    partnership_id=case.partnership_id,
                    case=case,
                    victim=victim,
                    advocacy_agency=agency,
                    route=route,
                    referred_on=referred_on,
                    referred_by=actor,
                    referring_agency=membership.agency,
                    **source,
                )
        except IntegrityError:
            continue  # another request queued this victim a moment ago
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=referral,
            case=case,
            detail={"advocacy_referral": route, "agency_id": agency.pk, "victim": victim.pk},
        )
        made.append(referral)
    return made


def _case_shared_with(case, agency):
    """Whether the case is shared with ``agency`` (a CaseAgency link)."""
    return any(link.agency_id == agency.pk for link in shared_agencies(case))


def referrals_from_screening(*, actor, membership, entry, case, referred_on, error_field="kinds"):
    """The crime's "Victim advocacy (ISAC) referral" now that it is on ``case``: the
    victim in the advocacy agency's queue (in the caller's transaction). A referral that
    cannot be made (no victim or agency to choose) raises a ValidationError keyed
    ``error_field``; with ``error_field=None`` it is left out (returns None) and the
    caller's audit row says so."""
    victims, problem = screening_victims(entry, case)
    if problem is None:
        _, problem = referral_agency(case)
    if problem:
        if error_field:
            raise ValidationError({error_field: [problem]})
        return None
    return _refer(
        actor=actor,
        membership=membership,
        case=case,
        victims=victims,
        route=ReferralRoute.POLICE_SCREENING,
        referred_on=referred_on,
        source={"screening_entry": entry},
    )


def referrals_from_discussion(*, actor, membership, discussion):
    """A CAS that refers to advocacy: every victim on the case in the agency's queue."""
    if not discussion.refer_to_advocacy:
        return []
    case = discussion.case
    problem = discussion_referral_problem(case)
    if problem:
        raise ValidationError({"refer_to_advocacy": [problem]})
    return _refer(
        actor=actor,
        membership=membership,
        case=case,
        victims=episode_selectors.victims_on_case(case),
        route=ReferralRoute.CLINIC,
        referred_on=timezone.localtime(discussion.recorded_at).date(),
        source={"discussion": discussion},
    )


def decided_message(referral):
    status = referral.status
    if status == ReferralStatus.WAITING:
        return None
    day = timezone.localtime(referral.accepted_at or referral.declined_at)
    verb = "accepted" if status == ReferralStatus.ACCEPTED else "declined"
    return f"This referral was already {verb} on {day:%d/%m/%Y}."


def referral_accept(*, actor, membership, referral, advocate):
    """Accept a waiting referral: its support episode starts, allocated to ``advocate``,
    with the referral's route and date. One transaction; audited."""
    _require_holder(membership, referral)
    errors = {}
    decided = decided_message(referral)
    if decided:
        errors["referral"] = decided
    if advocate is None:
        errors["advocate"] = "Choose the advocate who will support the victim."
    else:
        problem = advocate_errors(referral.advocacy_agency_id, advocate)
        if problem:
            errors["advocate"] = problem
    _raise(errors)
    with transaction.atomic():
        locked = AdvocacyReferral.objects.select_for_update().get(pk=referral.pk)
        decided = decided_message(locked)
        if decided:
            _raise({"referral": decided})
        episode = episode_start(
            actor=actor,
            membership=membership,
            victim=locked.victim,
            referral_route=locked.route,
            referred_on=locked.referred_on,
            advocate=advocate,
        )
        locked.accepted_at = timezone.now()
        locked.episode = episode
        locked.decided_by = actor
        locked.save(update_fields=["accepted_at", "episode", "decided_by"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            case=locked.case,
            detail={"accepted": True, "episode": episode.pk},
        )
    for name in ("accepted_at", "episode", "decided_by"):
        setattr(referral, name, getattr(locked, name))
    return episode


def decline_errors(referral, *, reason, note):
    errors = {}
    decided = decided_message(referral)
    if decided:
        errors["referral"] = decided
    if reason not in DeclineReason.values:
        errors["reason"] = "Choose why the referral is declined."
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"Explain in {MAX_NOTE} characters or fewer."
    elif reason == DeclineReason.OTHER and not note:
        errors["note"] = "Explain why the referral is declined."
    return errors


def referral_decline(*, actor, membership, referral, reason, note=""):
    """Decline a waiting referral with a coded reason (and a written one for "other").
    Nothing starts; the referring side sees that it was declined. One transaction;
    audited (the code, never the note)."""
    _require_holder(membership, referral)
    _raise(decline_errors(referral, reason=reason, note=note))
    with transaction.atomic():
        locked = AdvocacyReferral.objects.select_for_update().get(pk=referral.pk)
        decided = decided_message(locked)
        if decided:
            _raise({"referral": decided})
        locked.declined_at = timezone.now()
        locked.decline_reason = reason
        locked.decline_note = (note or "").strip()
        locked.decided_by = actor
        locked.save(update_fields=["declined_at", "decline_reason", "decline_note", "decided_by"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            case=locked.case,
            detail={"declined": True, "reason": reason},
        )
    for name in ("declined_at", "decline_reason", "decline_note", "decided_by"):
        setattr(referral, name, getattr(locked, name))
    return referral


def self_referral_start(
    *,
    actor,
    membership,
    victim,
    summary,
    referral_route,
    referred_on,
    advocate=None,
    needs=(),
    contact_frequency="",
):
    """Support for a victim who came to the agency directly: an advocacy-only case (police,
    health and probation cannot see it; cases.services.core.advocacy_case_open) with the
    victim as its one party, and the support episode on it, in one transaction. Every
    problem is reported in one pass: the case's and the episode's."""
    _require_holder(membership)
    errors = {}
    if referral_route not in DIRECT_ROUTES:
        errors["referral_route"] = "Choose how the victim came to you."
    errors.update(
        {
            field: problem
            for field, problem in episode_errors(
                {
                    "referral_route": referral_route,
                    "referred_on": referred_on,
                    "contact_frequency": contact_frequency,
                    "needs": needs,
                }
            ).items()
            if field not in errors
        }
    )
    advocate_problem = advocate_errors(advocacy_agency_id(membership), advocate)
    if advocate_problem:
        errors["advocate"] = advocate_problem
    # A referral date the episode refuses is reported once, at its own field.
    opened_on = timezone.localdate() if "referred_on" in errors else referred_on
    with transaction.atomic():
        try:
            party = case_services.advocacy_case_open(
                actor=actor,
                membership=membership,
                summary=summary,
                opened_on=opened_on,
                victim=victim,
            )
        except ValidationError as error:
            case_errors = {field: problems[0] for field, problems in error.message_dict.items()}
            _raise({**case_errors, **errors})
        # Raised inside the transaction: the case opened above is rolled back with it.
        _raise(errors)
        return episode_start(
            actor=actor,
            membership=membership,
            victim=party,
            referral_route=referral_route,
            referred_on=referred_on,
            advocate=advocate,
            needs=needs,
            contact_frequency=contact_frequency,
        )
