"""Reads of support episodes, their contacts, needs and allocations, scoped to the member."""

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.access import advocacy_agency_id
from accounts.models import Membership, User
from accounts.roles import Role
from advocacy.models import (
    AdvocacyReferral,
    Contact,
    EpisodeAllocation,
    EpisodeStatus,
    ReferralStatus,
    SupportEpisode,
)
from audit.services import as_id, visible_or_404
from cases.models import VICTIM_ROLES, CaseParty, external_id_filter
from cases.selectors.core import cases_visible_to


def episodes_visible_to(membership):
    """The episodes the member may read: those held by their advocacy agency."""
    agency_id = advocacy_agency_id(membership) if membership is not None else None
    if agency_id is None:
        return SupportEpisode.objects.none()
    return SupportEpisode.objects.filter(
        partnership_id=membership.agency.partnership_id, advocacy_agency_id=agency_id
    )


def status_expression():
    """EpisodeStatus.of as SQL, for filtering and counting the caseload by status."""
    return CaseWhen(
        When(closed_on__isnull=False, then=Value(EpisodeStatus.CLOSED)),
        When(first_contact_made_at__isnull=True, then=Value(EpisodeStatus.REFERRED)),
        When(
            support_consent_on__isnull=False,
            support_consent_withdrawn_on__isnull=True,
            then=Value(EpisodeStatus.ENGAGED),
        ),
        default=Value(EpisodeStatus.CONTACTED),
        output_field=CharField(),
    )


def latest_contact_of(episode_field="pk"):
    """The latest contact (by time, then id) of the episode at ``episode_field``."""
    return Contact.objects.filter(episode_id=OuterRef(episode_field)).order_by("-at", "-id")


def _latest_contact():
    return latest_contact_of("pk")


def caseload(membership, *, status="", mine=False, external_source="", external_id=""):
    """The agency's episodes for the caseload list, with the derived status, the latest
    contact's time and its next-contact date: one query whatever the number of rows."""
    episodes = (
        episodes_visible_to(membership)
        .annotate(
            derived_status=status_expression(),
            last_contact_at=Subquery(_latest_contact().values("at")[:1]),
        )
        .select_related("case", "victim__person", "advocate")
        .order_by("closed_on", "referred_on", "pk")
    )
    if mine:
        episodes = episodes.filter(advocate_id=membership.user_id)
    if status in EpisodeStatus.values:
        episodes = episodes.filter(derived_status=status)
    return external_id_filter(episodes, source=external_source, external_id=external_id)


def caseload_counts(membership, *, mine=False):
    """{status: number of episodes}, one query."""
    episodes = episodes_visible_to(membership)
    if mine:
        episodes = episodes.filter(advocate_id=membership.user_id)
    rows = (
        episodes.annotate(derived_status=status_expression())
        .values("derived_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(EpisodeStatus.values, 0)
    counts.update({row["derived_status"]: row["n"] for row in rows})
    return counts


# How many of the contacts due the advocate's home lists (the counts cover them all).
CONTACTS_DUE_SHOWN = 20


def _open_with_next_contact_due(membership, *, mine):
    episodes = episodes_visible_to(membership).filter(
        closed_on__isnull=True, next_contact_due__isnull=False
    )
    if mine:
        episodes = episodes.filter(advocate_id=membership.user_id)
    return episodes


def contacts_due(membership, *, mine=False, today=None, limit=CONTACTS_DUE_SHOWN):
    """Open episodes whose next contact (the latest contact's next-contact date) is due
    today or overdue, most overdue first (at most ``limit``), and how many are due today
    and overdue in all: two queries whatever the number of rows."""
    today = today or timezone.localdate()
    due = _open_with_next_contact_due(membership, mine=mine).filter(next_contact_due__lte=today)
    counts = due.aggregate(
        today=Count("pk", filter=Q(next_contact_due=today)),
        overdue=Count("pk", filter=Q(next_contact_due__lt=today)),
    )
    shown = list(
        due.select_related("case", "victim__person", "advocate").order_by("next_contact_due", "pk")[
            :limit
        ]
    )
    return {"episodes": shown, "today": counts["today"], "overdue": counts["overdue"]}


def caseload_per_advocate(membership, *, today=None):
    """The manager's view of the agency's caseload: per allocated advocate (and "not
    allocated"), the episodes by derived status, first contacts overdue (not made by the
    target) and next contacts overdue. Counts only, nothing of any victim or contact: one
    query whatever the number of episodes."""
    today = today or timezone.localdate()
    open_ = Q(closed_on__isnull=True)
    by_status = {
        value: Count("pk", filter=Q(derived_status=value)) for value in EpisodeStatus.values
    }
    rows = (
        episodes_visible_to(membership)
        .annotate(
            derived_status=status_expression(),
        )
        .values("advocate_id", "advocate__full_name")
        .annotate(
            **by_status,
            first_overdue=Count(
                "pk",
                filter=open_
                & Q(first_contact_made_at__isnull=True, first_contact_due_on__lt=today),
            ),
            next_overdue=Count("pk", filter=open_ & Q(next_contact_due__lt=today)),
        )
        .order_by("advocate__full_name", "advocate_id")
    )
    return [
        {
            "advocate": row["advocate__full_name"] or "",
            "allocated": row["advocate_id"] is not None,
            "statuses": [row[value] for value in EpisodeStatus.values],
            "first_overdue": row["first_overdue"],
            "next_overdue": row["next_overdue"],
        }
        for row in rows
    ]


def get_episode_or_404(membership, pk):
    """The episode if the member's agency holds it; otherwise a 404 and one denial row."""
    return visible_or_404(
        membership,
        episodes_visible_to(membership).select_related(
            "case", "victim__person", "advocate", "advocacy_agency", "created_by"
        ),
        pk,
        kind=SupportEpisode._meta.label,
    )


def _contacts(episode):
    return (
        Contact.objects.filter(episode=episode).select_related("recorded_by").order_by("-at", "-id")
    )


def episode_contacts(episode):
    """The contacts of an episode the caller found through get_episode_or_404."""
    return list(_contacts(episode))


def contacts_page_of(episode):
    """The episode's contacts, newest first, for a paginator."""
    return _contacts(episode)


# How many contacts the episode page shows; the rest are on the Contacts page.
CONTACTS_ON_EPISODE_PAGE = 10


def latest_contacts(episode, limit=CONTACTS_ON_EPISODE_PAGE):
    """(the latest ``limit`` contacts, whether there are more): one query, so the episode
    page stays the same size however long the support has run."""
    rows = list(_contacts(episode)[: limit + 1])
    return rows[:limit], len(rows) > limit


def contact_dates(episode):
    """(date of the earliest contact, date of the latest), local dates; None when none."""
    span = Contact.objects.filter(episode=episode).aggregate(first=Min("at"), last=Max("at"))
    return tuple(
        timezone.localtime(value).date() if value else None
        for value in (span["first"], span["last"])
    )


def episode_needs(episode):
    return list(episode.needs.order_by("need"))


def episode_allocations(episode):
    return list(
        EpisodeAllocation.objects.filter(episode=episode)
        .select_related("advocate", "allocated_by")
        .order_by("-allocated_at", "-id")
    )


def advocates_of_agency(membership):
    """Advocates with a usable membership of the member's advocacy agency."""
    agency_id = advocacy_agency_id(membership)
    usable = Membership.objects.usable().filter(agency_id=agency_id, role=Role.ADVOCATE)
    return User.objects.filter(pk__in=usable.values("user_id")).order_by("full_name", "pk")


def victims_on_case(case):
    """Victim parties of a case the caller has already found through the case selectors."""
    return list(
        CaseParty.objects.filter(case=case, role__in=VICTIM_ROLES)
        .select_related("person")
        .order_by("person__family_name", "pk")
    )


def victim_on_case_or_404(membership, case, party_pk):
    """A victim party of a visible case (404 and a denial row otherwise)."""
    parties = CaseParty.objects.filter(case=case, role__in=VICTIM_ROLES).select_related("person")
    return visible_or_404(membership, parties, party_pk, kind=CaseParty._meta.label)


def victim_in_partnership(membership, party_pk):
    """A victim party, by id, on a case of the member's partnership that their agency can
    see (for the API, which names the victim by id), or None."""
    key = as_id(party_pk)
    if key is None:
        return None
    return (
        CaseParty.objects.filter(
            pk=key, role__in=VICTIM_ROLES, case__in=cases_visible_to(membership)
        )
        .select_related("case", "person")
        .first()
    )


def support_on_case(case):
    """What any reader of the case may know of advocacy support: per victim party id, the
    agencies supporting them and each episode's status, and the referrals made to an
    agency (waiting, accepted or declined, with the date of the decision). Nothing else of
    the compartment: no advocate, no reason for a decline. Two queries."""
    episodes = (
        SupportEpisode.objects.filter(case=case)
        .annotate(derived_status=status_expression())
        .values("victim_id", "advocacy_agency__name", "derived_status", "referred_on")
        .order_by("victim_id", "-referred_on")
    )
    support = {}
    for row in episodes:
        support.setdefault(row["victim_id"], []).append(
            {
                "agency": row["advocacy_agency__name"],
                "status": EpisodeStatus(row["derived_status"]).label,
            }
        )
    referrals = (
        AdvocacyReferral.objects.filter(case=case)
        .values(
            "victim_id",
            "advocacy_agency__name",
            "referred_on",
            "accepted_at",
            "declined_at",
        )
        .order_by("victim_id", "-referred_on", "-pk")
    )
    for row in referrals:
        if row["accepted_at"]:
            status, since = ReferralStatus.ACCEPTED, row["accepted_at"]
        elif row["declined_at"]:
            status, since = ReferralStatus.DECLINED, row["declined_at"]
        else:
            status, since = ReferralStatus.WAITING, None
        support.setdefault(row["victim_id"], []).append(
            {
                "agency": row["advocacy_agency__name"],
                "status": status.label,
                "since": timezone.localtime(since).date() if since else row["referred_on"],
                "referral": True,
                "waiting": status == ReferralStatus.WAITING,
            }
        )
    return support
