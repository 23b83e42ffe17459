"""Reads of clinics, meetings, agendas, attendance and discussions, scoped to the member.

A member sees the clinics their agency attends and those clinics' meetings; the clinic
chair and the partnership admin (partnership-wide roles) see every clinic of their
partnership. Inside a meeting, a member sees only the agenda items for cases visible to
them (``cases_visible_to``). Anything outside scope is a 404.
"""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.access import sees_whole_partnership
from accounts.models import Membership, User
from audit.services import visible_or_404
from cases.selectors.core import cases_visible_to
from triage.models import (
    AgendaItem,
    Attendance,
    CaseDiscussion,
    Clinic,
    Meeting,
    MeetingStatus,
)


def clinics_visible_to(membership):
    clinics = Clinic.objects.filter(partnership_id=membership.agency.partnership_id)
    if sees_whole_partnership(membership):
        return clinics
    return clinics.filter(agencies=membership.agency_id)


def clinic_list(membership):
    return (
        clinics_visible_to(membership)
        .select_related("chair")
        .prefetch_related("agencies")
        .order_by("-active", "name")
    )


def get_clinic_or_404(membership, pk):
    clinic = visible_or_404(membership, clinics_visible_to(membership).select_related("chair"), pk)
    return clinic


def meetings_visible_to(membership):
    return Meeting.objects.filter(
        partnership_id=membership.agency.partnership_id,
        clinic__in=clinics_visible_to(membership),
    )


def _with_counts(meetings, membership):
    visible = cases_visible_to(membership).values("pk")
    return meetings.select_related("clinic", "chair").annotate(
        item_count=Count(
            "items",
            filter=Q(items__removed_at__isnull=True, items__case_id__in=visible),
        )
    )


def upcoming_meetings(membership, today, *, limit=20):
    meetings = meetings_visible_to(membership).filter(
        held_on__gte=today, status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS]
    )
    return _with_counts(meetings, membership).order_by("starts_at")[:limit]


def meetings_of_clinic(membership, clinic):
    meetings = meetings_visible_to(membership).filter(clinic=clinic)
    return _with_counts(meetings, membership).order_by("-held_on")


def get_meeting_or_404(membership, pk):
    meeting = visible_or_404(
        membership,
        meetings_visible_to(membership).select_related(
            "clinic", "chair", "closed_by", "partnership"
        ),
        pk,
    )
    return meeting


def agenda_for(membership, meeting, *, include_removed=False):
    """The meeting's items for cases visible to the member, in order: one query."""
    items = (
        AgendaItem.objects.filter(
            meeting=meeting, case_id__in=cases_visible_to(membership).values("pk")
        )
        .select_related("case", "case__lead_agency", "added_by", "removed_by")
        .order_by("position", "id")
    )
    if not include_removed:
        items = items.filter(removed_at__isnull=True)
    return items


def undiscussed_items(meeting):
    """The meeting's items still on the agenda with no discussion recorded at it."""
    return (
        AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        .exclude(case_id__in=CaseDiscussion.objects.filter(meeting=meeting).values("case_id"))
        .select_related("case")
        .order_by("position", "pk")
    )


def next_meeting(meeting):
    """The clinic's next meeting after this one (any status), or None."""
    return (
        Meeting.objects.filter(clinic_id=meeting.clinic_id, held_on__gt=meeting.held_on)
        .order_by("held_on")
        .first()
    )


def get_agenda_item_or_404(membership, pk):
    """An item whose meeting and case the member can see."""
    item = visible_or_404(
        membership,
        AgendaItem.objects.filter(
            meeting__in=meetings_visible_to(membership),
            case_id__in=cases_visible_to(membership).values("pk"),
        ).select_related("meeting", "meeting__clinic", "case"),
        pk,
    )
    return item


def latest_discussions(case_ids):
    """{case id: its latest discussion (typologies prefetched)}: two queries."""
    latest = {}
    discussions = (
        CaseDiscussion.objects.filter(case_id__in=list(case_ids))
        .select_related("meeting__clinic", "recorded_by")
        .prefetch_related("typologies")
        .order_by("case_id", "-version")
    )
    for discussion in discussions:
        latest.setdefault(discussion.case_id, discussion)
    return latest


def discussions_at(meeting, item_ids):
    """{agenda item id: discussions recorded for it at this meeting, newest first}."""
    found = {}
    rows = (
        CaseDiscussion.objects.filter(meeting=meeting, agenda_item_id__in=list(item_ids))
        .select_related("recorded_by", "meeting__clinic")
        .prefetch_related("typologies", "actions__owner_agency", "actions__owner")
        .order_by("-version")
    )
    for discussion in rows:
        found.setdefault(discussion.agenda_item_id, []).append(discussion)
    return found


def discussions_for_case(membership, case):
    """Every CAS version of a visible case, newest first (none for a case out of scope: the
    caller found the case with get_case_or_404; the scope is a subquery, not a query)."""
    return (
        CaseDiscussion.objects.filter(
            case_id__in=cases_visible_to(membership).filter(pk=case.pk).values("pk")
        )
        .select_related("meeting__clinic", "recorded_by")
        .prefetch_related(
            "typologies",
            Prefetch("actions", queryset=_actions()),
        )
        .order_by("-version")
    )


def _actions():
    from triage.models import Action

    return Action.objects.select_related("owner_agency", "owner")


def attendance_for(meeting):
    return Attendance.objects.filter(meeting=meeting).select_related("user", "agency")


def attendees_for(meeting):
    """Usable memberships in the clinic's attending agencies (or the whole partnership when
    none are listed), for the attendance form."""
    memberships = Membership.objects.usable().filter(agency__partnership_id=meeting.partnership_id)
    agency_ids = list(meeting.clinic.agencies.values_list("pk", flat=True))
    if agency_ids:
        memberships = memberships.filter(agency_id__in=agency_ids)
    return memberships.select_related("user", "agency").order_by("agency__name", "user__full_name")


def discussion_choices(partnership_id, case=None):
    """What a CAS form offers: current typology codes, active agencies, active members;
    for a ``case``, the agencies an action may go to (those the case is shared with) and,
    for each, its usable members who work actions (``workers``: agency id -> users)."""
    from accounts.models import Agency
    from cases.models import CodeList, code_choices
    from triage.selectors import actions as action_selectors

    choices = {
        "typologies": list(code_choices(CodeList.TYPOLOGY, partnership_id)),
        "agencies": list(Agency.objects.filter(partnership_id=partnership_id, active=True)),
        "owners": list(partnership_users(partnership_id).order_by("full_name")),
    }
    if case is not None:
        shared = list(action_selectors.owner_agencies_for(case))
        workers = {agency.pk: [] for agency in shared}
        memberships = (
            Membership.objects.usable()
            .filter(agency__in=shared, role__in=action_selectors.worker_roles())
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        for membership in memberships:
            users = workers[membership.agency_id]
            if membership.user not in users:
                users.append(membership.user)
        choices.update(shared=shared, workers=workers)
    return choices


def partnership_users(partnership_id):
    """Users with a usable membership in the partnership: the choices an owner or
    attendee field accepts (the services check the finer rules)."""
    return User.objects.filter(
        pk__in=Membership.objects.usable()
        .filter(agency__partnership_id=partnership_id)
        .values("user_id")
    )


def chairs_of_partnership(partnership_id):
    return User.objects.filter(
        pk__in=Membership.objects.usable()
        .filter(agency__partnership_id=partnership_id, role="clinic_chair")
        .values("user_id")
    ).order_by("full_name")


def case_by_reference(membership, reference):
    """A visible case by its reference, for adding it to an agenda."""
    return cases_visible_to(membership).filter(reference__iexact=(reference or "").strip()).first()


def visible_case_ids(membership, case_ids):
    return set(
        cases_visible_to(membership).filter(pk__in=list(case_ids)).values_list("pk", flat=True)
    )


def meetings_to_link(membership):
    """Recent and coming meetings of the partnership, to link a record (an assessment) to."""
    today = timezone.localdate()
    return (
        Meeting.objects.filter(
            partnership_id=membership.agency.partnership_id,
            held_on__gte=today - timedelta(days=31),
            held_on__lte=today + timedelta(days=31),
        )
        .select_related("clinic")
        .order_by("held_on")
    )


def meeting_in_partnership(membership, pk):
    return Meeting.objects.filter(pk=pk, partnership_id=membership.agency.partnership_id).first()
