"""Reads of criminal-justice events and "tell the victim" tasks.

Who sees which task (issue 11 item 5): the members of the task's responsible agency who do
its case work (advocates and managers of the advocacy agency holding the victim's support
episode; investigators and supervisors of the officer in charge's police agency), on cases
they can see. Police therefore see the tasks the officer in charge owns and not those an
advocate owns (an advocate's contact with the victim is the charity's casework); other
linked agencies, the clinic chair and the partnership admin see the events on the case
record and its timeline, never the tasks. The task holds no contact details or casework:
only the trigger, the dates, and who told the victim and how.
"""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.roles import Role
from audit.services import visible_or_404
from cases.models import (
    VICTIM_ROLES,
    CaseEvent,
    CaseParty,
    NotificationOutcome,
    VictimNotification,
)
from cases.selectors.core import cases_visible_to, on_visible_case

TASK_ROLES = frozenset({Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.ADVOCATE, Role.MANAGER})


def can_work_victim_notifications(membership) -> bool:
    """Whether the member's role does "tell the victim" work at all (403 otherwise)."""
    return membership is not None and membership.role in TASK_ROLES


def can_work_victim_notification(membership, notification) -> bool:
    """Whether the member may record this task: a task worker of its responsible agency."""
    return (
        can_work_victim_notifications(membership)
        and membership.agency_id == notification.responsible_agency_id
    )


def events_for(case):
    """The case's criminal-justice events, newest first (case core: every reader)."""
    return CaseEvent.objects.filter(case=case).select_related("perpetrator", "recorded_by")


def get_case_event_or_404(membership, case, pk):
    return visible_or_404(membership, events_for(case), pk)


def victim_notifications_visible_to(membership):
    """Tasks of the member's agency on cases the member can see (empty for other roles)."""
    if not can_work_victim_notifications(membership):
        return VictimNotification.objects.none()
    return (
        VictimNotification.objects.filter(
            on_visible_case(membership),
            partnership_id=membership.agency.partnership_id,
            responsible_agency_id=membership.agency_id,
        )
        .select_related("case", "victim__person", "responsible", "resolved_by")
        .order_by("due_on", "pk")
    )


def pending_victim_notifications(membership, *, case=None, mine=False):
    tasks = victim_notifications_visible_to(membership).filter(outcome=NotificationOutcome.PENDING)
    if case is not None:
        tasks = tasks.filter(case=case)
    if mine:
        tasks = tasks.filter(responsible_id=membership.user_id)
    return tasks


def victim_notification_counts(membership, *, mine=False, today=None):
    """{"pending": n, "overdue": n} of the member's agency (or their own) pending tasks:
    one aggregate query."""
    today = today or timezone.localdate()
    return pending_victim_notifications(membership, mine=mine).aggregate(
        pending=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )


def victim_notification_counts_on_case(membership, case, *, today=None):
    """{"pending", "overdue"} of the member's agency's tasks on the case; None for a role
    that does no such work (the case page then says nothing about them)."""
    if not can_work_victim_notifications(membership):
        return None
    today = today or timezone.localdate()
    return pending_victim_notifications(membership, case=case).aggregate(
        pending=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )


def victim_notifications_on_case(membership, case):
    return victim_notifications_visible_to(membership).filter(case=case)


def get_victim_party_or_404(membership, pk):
    """A victim party on a case the member can see; otherwise 404."""
    parties = CaseParty.objects.filter(
        role__in=VICTIM_ROLES, case__in=cases_visible_to(membership)
    ).select_related("person", "case")
    return visible_or_404(membership, parties, pk)


def get_victim_notification_or_404(membership, pk):
    return visible_or_404(membership, victim_notifications_visible_to(membership), pk)
