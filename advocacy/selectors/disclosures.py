"""Reads of risk updates: the holding agency's own (through its episodes) and the ones
disclosed to a reader's agency on a case.

Who reads a risk update on a case: members of a recipient agency while the case is shared
with that agency (a grant, not break-glass: break-glass opens the case core only), and the
advocacy agency that holds the episode. The clinic chair and the partnership admin see the
whole partnership's case core but read an update only when their own agency received it."""

from django.db.models import Prefetch, Q

from accounts.access import advocacy_agency_id
from accounts.models import Agency, Membership
from accounts.roles import AgencyKind, Role
from advocacy.models import RiskUpdate, RiskUpdateRecipient
from cases.models import CaseAgency, CaseParty, PartyRole
from cases.selectors.core import is_shared_with_agency


def _with_recipients(updates):
    return updates.select_related(
        "episode__advocacy_agency", "submitted_by", "reoffending_event"
    ).prefetch_related(
        Prefetch(
            "recipient_links",
            queryset=RiskUpdateRecipient.objects.select_related("agency").order_by("agency__name"),
        )
    )


def episode_risk_updates(episode):
    """The updates of an episode the caller found through get_episode_or_404, newest
    first, with their recipients: two queries whatever the number."""
    return list(_with_recipients(RiskUpdate.objects.filter(episode=episode)))


def risk_update_condition(membership, case):
    """The updates of ``case`` this member reads, as a Q; None when none at all."""
    holder = advocacy_agency_id(membership)
    shared = is_shared_with_agency(membership, case)
    condition = Q()
    if shared:
        condition |= Q(recipient_links__agency_id=membership.agency_id)
    if holder is not None:
        condition |= Q(episode__advocacy_agency_id=holder)
    return condition or None


def risk_updates_on_case(membership, case):
    """The updates of a case the member has already found through the case selectors that
    were disclosed to their agency (or that their advocacy agency wrote), newest first:
    three queries whatever the number."""
    condition = risk_update_condition(membership, case)
    if condition is None:
        return []
    updates = RiskUpdate.objects.filter(condition, case=case).distinct()
    return list(_with_recipients(updates))


def recipient_choices(episode):
    """The agencies the episode's update can go to: those the case is shared with, other
    than the holding agency itself."""
    linked = CaseAgency.objects.filter(case_id=episode.case_id).values("agency_id")
    return list(
        Agency.objects.filter(pk__in=linked, active=True)
        .exclude(pk=episode.advocacy_agency_id)
        .order_by("name")
    )


def perpetrators_on_case(case):
    """The perpetrator parties of the case, for recording a new incident as re-offending."""
    return list(
        CaseParty.objects.filter(case=case, role=PartyRole.PERPETRATOR)
        .select_related("person")
        .order_by("person__family_name", "pk")
    )


def urgent_update_recipient_ids(update):
    """Who is told at once of an urgent update: the case's officer in charge (when the
    update went to police) and the police supervisors with a usable membership of each
    recipient police agency. Never anyone whose agency did not receive it."""
    police_ids = [
        link.agency_id
        for link in update.recipient_links.select_related("agency")
        if link.agency.kind == AgencyKind.POLICE
    ]
    if not police_ids:
        return []
    supervisors = Membership.objects.usable().filter(
        agency_id__in=police_ids, role=Role.POLICE_SUPERVISOR
    )
    ids = set(supervisors.values_list("user_id", flat=True))
    oic = update.case.officer_in_charge_id
    if oic and Membership.objects.usable().filter(user_id=oic, agency_id__in=police_ids).exists():
        ids.add(oic)
    return sorted(ids)


def risk_update_timeline_rows(membership, case):
    """For the case timeline: the updates this member reads on the case, as plain rows
    (when, urgency, agency, what changed, by whom); two queries whatever the number."""
    condition = risk_update_condition(membership, case)
    if condition is None:
        return []
    return list(
        RiskUpdate.objects.filter(condition, case=case)
        .distinct()
        .values(
            "pk",
            "submitted_at",
            "urgency",
            "what_changed",
            "episode__advocacy_agency__name",
            "submitted_by__full_name",
        )
        .order_by("-submitted_at", "-pk")
    )
