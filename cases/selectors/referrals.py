"""Reads about referrals: scoped lists with status filters, one referral, its history."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.access import can_edit_case_core, sees_whole_partnership
from audit.services import deny, visible_or_404
from cases.models import Referral, ReferralStatus
from cases.models.external import external_id_filter
from cases.selectors.core import cases_visible_to, referrals_visible_to

STATUS_FILTERS = {
    ReferralStatus.RECEIVED: Q(screened_at__isnull=True, decision=""),
    ReferralStatus.SCREENED: Q(screened_at__isnull=False, decision=""),
    **{status: Q(decision=status) for status in ReferralStatus.values[2:]},
}


def can_decide(membership):
    """Police roles and the clinic chair screen referrals and decide on them."""
    return can_edit_case_core(membership)


def may_handle(membership, referral):
    """A decider may screen and decide only a referral they can see (referrals_visible_to):
    police never an advocacy self-referral, which the clinic chair handles."""
    return referrals_visible_to(membership).filter(pk=referral.pk).exists()


def referral_list(membership, *, status="", external_source="", external_id=""):
    referrals = referrals_visible_to(membership).select_related(
        "referring_agency", "case", "created_by", "source", "perpetrator", "victim"
    )
    if status in STATUS_FILTERS:
        referrals = referrals.filter(STATUS_FILTERS[status])
    return external_id_filter(referrals, source=external_source, external_id=external_id)


def get_referral_or_404(membership, pk):
    """A referral the member may see (referrals_visible_to); otherwise 404 and a denial row
    naming the id asked for."""
    return visible_or_404(
        membership,
        referrals_visible_to(membership).select_related(
            "referring_agency",
            "case",
            "source",
            "created_by",
            "screened_by",
            "decided_by",
            "perpetrator",
            "victim",
        ),
        pk,
        reason="referral not visible",
    )


def get_withdrawable_referral_or_404(membership, pk):
    """A visible referral made by the member's agency (any, for the clinic chair): the
    ones they may withdraw. Others, even visible ones, are 404 here."""
    referral = get_referral_or_404(membership, pk)
    if not (
        sees_whole_partnership(membership) or referral.referring_agency_id == membership.agency_id
    ):
        deny(membership, kind=Referral._meta.label, pk=pk, reason="not the referring agency")
    return referral


@dataclass(frozen=True)
class PeopleMatches:
    role: str
    person: object
    result: object  # cases.selectors.people.MatchResult


def referral_people_matches(membership, referral):
    """Likely duplicates of the referral's people, for whoever screens and decides: a
    referral recorded through the API makes new people rather than guess, so the people
    who can resolve duplicates see the suggestions here. Never merged automatically."""
    from cases.selectors.people import match_query_for_person, person_match

    found = []
    for role, person in (("Perpetrator", referral.perpetrator), ("Victim", referral.victim)):
        if person is None or person.merged_into_id:
            continue
        result = person_match(membership, match_query_for_person(person), exclude=(person.pk,))
        if result.suggestions or result.hidden_match:
            found.append(PeopleMatches(role, person, result))
    return found


def case_for_reference(membership, reference):
    """A case the member can see, by reference, or None: to join a referral to it."""
    reference = (reference or "").strip()
    if not reference:
        return None
    return cases_visible_to(membership).filter(reference__iexact=reference).first()


@dataclass(frozen=True)
class HistoryItem:
    label: str
    at: datetime
    by: str
    detail: str = ""


def referral_history(referral):
    """The dated events of a referral, oldest first (status is derived from these)."""
    items = [
        HistoryItem(
            "Received",
            referral.created_at,
            f"{referral.created_by.full_name} ({referral.referring_agency.name})",
            f"Received on {referral.received_on:%-d %B %Y}",
        )
    ]
    if referral.screened_at:
        items.append(
            HistoryItem(
                "Screened",
                referral.screened_at,
                referral.screened_by.full_name,
                referral.screening_note,
            )
        )
    if referral.decided_at:
        items.append(
            HistoryItem(
                ReferralStatus(referral.decision).label,
                referral.decided_at,
                referral.decided_by.full_name,
                referral.decision_reason,
            )
        )
    return items
