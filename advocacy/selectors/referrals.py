"""Reads of the advocacy referral queue."""

from accounts.access import advocacy_agency_id
from advocacy.models import (
    AdvocacyReferral,
)
from audit.services import visible_or_404


def referrals_visible_to(membership):
    """The referrals the member may read: those in their advocacy agency's queue (the
    compartment's one rule), nothing for anyone else."""
    agency_id = advocacy_agency_id(membership) if membership is not None else None
    if agency_id is None:
        return AdvocacyReferral.objects.none()
    return AdvocacyReferral.objects.filter(
        partnership_id=membership.agency.partnership_id, advocacy_agency_id=agency_id
    )


def _waiting(membership):
    return referrals_visible_to(membership).filter(
        accepted_at__isnull=True, declined_at__isnull=True
    )


def referral_queue(membership):
    """The referrals waiting for the agency's decision, oldest first: one query."""
    return (
        _waiting(membership)
        .select_related("case", "victim__person", "referring_agency", "referred_by")
        .order_by("referred_on", "pk")
    )


def waiting_count(membership):
    return _waiting(membership).count()


def get_referral_or_404(membership, pk):
    """A referral in the member's agency's queue (any status); otherwise a 404 and one
    denial row."""
    return visible_or_404(
        membership,
        referrals_visible_to(membership).select_related(
            "case", "victim__person", "referring_agency", "referred_by", "episode"
        ),
        pk,
        kind=AdvocacyReferral._meta.label,
    )
