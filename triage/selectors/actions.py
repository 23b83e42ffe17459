"""Every read of clinic actions, scoped to the acting membership, and the one place that
says who may change an action.

A member sees the actions of the cases visible to them (cases.selectors.core
.cases_visible_to); partnership-wide roles see every action of their partnership. Overdue
is derived: open and due before today (Europe/London).
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.access import can, can_edit_case_core, sees_whole_partnership
from accounts.models import Agency, Membership, User
from accounts.roles import Cap
from audit.services import visible_or_404
from cases.models import CaseAgency
from cases.selectors.core import cases_visible_to
from triage.models import Action, ActionStatus

SHOW_CHOICES = (
    ("open", "Open"),
    ("overdue", "Overdue"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("all", "All"),
)
SORT_CHOICES = (("due", "Due date, soonest first"), ("-due", "Due date, latest first"))


@dataclass(frozen=True)
class ActionFilters:
    show: str = "open"
    sort: str = "due"
    agency_id: int | None = None
    case_id: int | None = None
    owner_id: int | None = None

    @classmethod
    def from_params(cls, params, *, default_show="open"):
        """Filters from a query string; unknown values fall back to the defaults."""
        show = params.get("show") or params.get("status") or default_show
        if show not in dict(SHOW_CHOICES):
            show = default_show
        if params.get("overdue") in ("1", "true", "yes"):
            show = "overdue"
        sort = params.get("sort", "due")
        if sort not in dict(SORT_CHOICES):
            sort = "due"
        return cls(show=show, sort=sort, agency_id=_int(params.get("agency")))


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def actions_visible_to(membership):
    actions = Action.objects.filter(partnership_id=membership.agency.partnership_id)
    if sees_whole_partnership(membership):
        return actions
    return actions.filter(case_id__in=cases_visible_to(membership).values("pk"))


def _filtered(actions, filters: ActionFilters, today):
    if filters.show == "overdue":
        actions = actions.filter(status=ActionStatus.OPEN, due_on__lt=today)
    elif filters.show in ActionStatus.values:
        actions = actions.filter(status=filters.show)
    if filters.agency_id:
        actions = actions.filter(owner_agency_id=filters.agency_id)
    if filters.case_id:
        actions = actions.filter(case_id=filters.case_id)
    if filters.owner_id:
        actions = actions.filter(owner_id=filters.owner_id)
    return actions


def action_list(membership, filters: ActionFilters, *, by_agency=False):
    """The visible actions matching the filters, ready for a table (no query per row)."""
    today = timezone.localdate()
    actions = _filtered(actions_visible_to(membership), filters, today)
    order = ["due_on", "id"] if filters.sort == "due" else ["-due_on", "-id"]
    if by_agency:
        order = ["owner_agency__name", "owner_agency_id", *order]
    return actions.select_related(
        "case", "owner_agency", "owner", "completed_by", "created_by"
    ).order_by(*order)


def agency_counts(membership, filters: ActionFilters):
    """Open, overdue, done and cancelled per owner agency (one query), for the oversight
    meeting. The agency filter applies; the status filter does not."""
    today = timezone.localdate()
    actions = actions_visible_to(membership)
    if filters.agency_id:
        actions = actions.filter(owner_agency_id=filters.agency_id)
    rows = (
        actions.values("owner_agency_id", "owner_agency__name")
        .annotate(
            open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            cancelled=Count("pk", filter=Q(status=ActionStatus.CANCELLED)),
        )
        .order_by("owner_agency__name")
    )
    return list(rows)


def get_action_or_404(membership, pk):
    action = visible_or_404(
        membership,
        actions_visible_to(membership).select_related(
            "case", "owner_agency", "owner", "completed_by", "created_by", "discussion"
        ),
        pk,
    )
    return action


# ---------------------------------------------------------------- who may do what


def may_create(membership):
    """The clinic chair and the case-core writers (police) add actions to a visible case."""
    return can(membership, Cap.RUN_CLINIC) or can_edit_case_core(membership)


def may_work(membership, action):
    """Complete, cancel, reassign or re-date: the chair any action; a member with
    WORK_ACTIONS the actions owned by their own agency."""
    if can(membership, Cap.RUN_CLINIC):
        return True
    return can(membership, Cap.WORK_ACTIONS) and membership.agency_id == action.owner_agency_id


def owner_agencies_for(case):
    """Agencies an action on this case may be given to: those the case is shared with, so
    the owner can see it."""
    return Agency.objects.filter(
        pk__in=CaseAgency.objects.filter(case=case).values("agency_id"), active=True
    ).order_by("name")


def possible_owners(agency):
    """Usable members of the agency who work actions."""
    return (
        User.objects.filter(
            pk__in=Membership.objects.usable()
            .filter(agency=agency, role__in=worker_roles())
            .values("user_id")
        )
        .order_by("full_name", "email")
        .distinct()
    )


def possible_owners_queryset_for(agencies):
    """Usable action workers in any of these agencies (the chair's choice of owner)."""
    return (
        User.objects.filter(
            pk__in=Membership.objects.usable()
            .filter(agency__in=agencies, role__in=worker_roles())
            .values("user_id")
        )
        .order_by("full_name", "email")
        .distinct()
    )


def worker_roles():
    """The roles that work actions (may own one)."""
    from accounts.roles import CAPABILITIES

    return [role for role, caps in CAPABILITIES.items() if Cap.WORK_ACTIONS in caps]


def partnership_agencies(membership):
    return Agency.objects.filter(partnership_id=membership.agency.partnership_id).order_by("name")


def my_work_counts(membership):
    """Open and overdue actions owned by the member and by their agency (one query), for
    the home page."""
    today = timezone.localdate()
    mine = Q(owner_id=membership.user_id)
    agency = Q(owner_agency_id=membership.agency_id)
    overdue = Q(due_on__lt=today)
    return (
        actions_visible_to(membership)
        .filter(status=ActionStatus.OPEN)
        .aggregate(
            mine=Count("pk", filter=mine),
            mine_overdue=Count("pk", filter=mine & overdue),
            agency=Count("pk", filter=agency),
            agency_overdue=Count("pk", filter=agency & overdue),
        )
    )
