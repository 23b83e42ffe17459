"""What the daily reminder job reads: due events not yet in the ledger, and who receives them.

These are system reads (no acting membership): the job works across every partnership and
each notification is addressed to a person who can act on it. Every function is one query
(or a handful) whatever the number of rows; rows come back as dicts of plain values.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Cap, Role, is_partnership_wide, role_can
from advocacy.models import SafetyPlan, SupportEpisode
from advocacy.selectors import episodes as episode_selectors
from cases.models import CaseGroupObjectPermission, NotificationOutcome, VictimNotification
from cases.selectors.events import TASK_ROLES
from interventions.models import (
    EndReport,
    Enrolment,
    EnrolmentStatus,
    Measure,
    MeasureTiming,
    Programme,
    Session,
    SessionStatus,
)
from interventions.selectors.enrolments import with_progress
from reporting.models import NotificationKind, ReminderSent
from risk import selectors as risk_selectors
from triage.models import (
    Action,
    ActionStatus,
    AgendaItem,
    CaseDiscussion,
    Clinic,
    Meeting,
    MeetingStatus,
)

VIEW_CASE = "view_case"
SUPERVISOR_ROLES = frozenset({Role.POLICE_SUPERVISOR, Role.MANAGER})


def _not_yet_sent(kind, *, object_field="pk", date_field):
    """True for source rows whose (kind, object, date) event has no ledger row."""
    return ~Exists(
        ReminderSent.objects.filter(
            kind=kind, object_id=OuterRef(object_field), due_on=OuterRef(date_field)
        )
    )


ACTION_FIELDS = (
    "pk",
    "partnership_id",
    "case_id",
    "case__reference",
    "owner_id",
    "owner_agency_id",
    "owner_agency__name",
    "due_on",
)


def _open_actions():
    return Action.objects.filter(status=ActionStatus.OPEN)


def actions_due_on(day):
    """Open actions due on the day, not yet reminded about for that due date."""
    kind = NotificationKind.ACTION_DUE
    return (
        _open_actions()
        .filter(due_on=day)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .values(*ACTION_FIELDS)
    )


def actions_overdue(today, window_days):
    """Open actions that have become overdue (due in the last ``window_days`` days, so a
    missed run is caught up), not yet reminded about as overdue for that due date. Older
    ones are past the escalation delay: the escalation goes to supervisors instead, and the
    owner sees them as overdue in their actions list (no notice for each of a backlog)."""
    kind = NotificationKind.ACTION_OVERDUE
    return (
        _open_actions()
        .filter(due_on__lt=today, due_on__gte=today - timedelta(days=max(window_days, 1)))
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .values(*ACTION_FIELDS)
    )


def actions_to_escalate(today, days):
    """Open actions still open ``days`` days after their due date, not yet escalated."""
    kind = NotificationKind.ACTION_ESCALATED
    return (
        _open_actions()
        .filter(due_on__lte=today - timedelta(days=days))
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .values(*ACTION_FIELDS)
    )


def risk_reviews_due(today):
    """The latest complete assessment per case and instrument whose review date has come
    (risk.selectors.reviews_due), not yet reminded about for that date."""
    kind = NotificationKind.RISK_REVIEW_DUE
    return (
        risk_selectors.reviews_due(today)
        .filter(_not_yet_sent(kind, date_field="review_due_on"))
        .order_by()
        .values(
            "pk",
            "case_id",
            "case__partnership_id",
            "case__reference",
            "assessor_id",
            "agency_id",
            "review_due_on",
            "instrument_version__instrument__name",
        )
    )


def case_reviews_due(today):
    """Open cases whose latest Case Analysis Summary set a clinic review date that has come,
    not yet reminded about for that date."""
    kind = NotificationKind.CASE_REVIEW_DUE
    later_version = CaseDiscussion.objects.filter(
        case_id=OuterRef("case_id"), version__gt=OuterRef("version")
    )
    return (
        CaseDiscussion.objects.filter(next_review_on__isnull=False, next_review_on__lte=today)
        .filter(~Exists(later_version))
        .filter(Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=today))
        .filter(_not_yet_sent(kind, object_field="case_id", date_field="next_review_on"))
        .values(
            "pk",
            "case_id",
            "case__partnership_id",
            "case__reference",
            "case__officer_in_charge_id",
            "next_review_on",
        )
    )


# Advocacy (issue 11 item 9): the episode is the object of each event, and only the ids,
# the case reference and the dates are read (nothing of the compartment).
EPISODE_FIELDS = (
    "pk",
    "partnership_id",
    "case_id",
    "case__reference",
    "advocacy_agency_id",
    "advocate_id",
)


def _open_episodes():
    return SupportEpisode.objects.filter(closed_on__isnull=True)


def first_contacts_overdue(today):
    """Open episodes with no first contact made whose first-contact target date
    (SupportEpisode.first_contact_due_on) has passed, not yet reminded about for
    that date (a new referral date or target is a new event)."""
    kind = NotificationKind.FIRST_CONTACT_OVERDUE
    return (
        _open_episodes()
        .filter(first_contact_made_at__isnull=True)
        .annotate(due_on=F("first_contact_due_on"))
        .filter(due_on__lt=today)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .order_by()
        .values(*EPISODE_FIELDS, "due_on")
    )


def next_contacts_overdue(today):
    """Open episodes whose latest contact set a next contact date that has passed (so no
    contact has been logged since), not yet reminded about for that date."""
    kind = NotificationKind.NEXT_CONTACT_OVERDUE
    latest = episode_selectors.latest_contact_of("pk")
    return (
        _open_episodes()
        .annotate(due_on=Subquery(latest.values("next_contact_due")[:1]))
        .filter(due_on__isnull=False, due_on__lt=today)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .order_by()
        .values(*EPISODE_FIELDS, "due_on")
    )


def safety_plan_reviews_due(today):
    """The current (not superseded) safety plan of each open episode whose review date is
    today or has passed, not yet reminded about for that episode and date."""
    kind = NotificationKind.SAFETY_PLAN_REVIEW_DUE
    return (
        SafetyPlan.objects.filter(
            superseded_at__isnull=True, episode__closed_on__isnull=True, review_on__lte=today
        )
        .filter(_not_yet_sent(kind, object_field="episode_id", date_field="review_on"))
        .order_by()
        .values(
            "pk",
            "episode_id",
            "episode__partnership_id",
            "episode__case_id",
            "episode__case__reference",
            "episode__advocacy_agency_id",
            "episode__advocate_id",
            "review_on",
        )
    )


# Interventions (issue 12 item 9): the session is the object of each event; ids, the case
# reference and dates only (nothing of the clinical compartment).
SESSION_FIELDS = (
    "pk",
    "enrolment_id",
    "enrolment__partnership_id",
    "enrolment__case_id",
    "enrolment__case__reference",
    "enrolment__provider_agency_id",
    "enrolment__practitioner_id",
    "due_on",
)
# How far back "attendance not recorded" looks, so a missed run is caught up; older
# unrecorded sessions show as overdue feedback on the caseload instead of a burst of notices.
ATTENDANCE_WINDOW_DAYS = 14


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _scheduled_sessions(first_day, last_day):
    """Sessions still scheduled (not recorded, rescheduled or cancelled) on an enrolment not
    withdrawn, dated first_day..last_day in local time, with ``due_on`` the local date."""
    return (
        Session.objects.filter(
            status=SessionStatus.SCHEDULED,
            enrolment__withdrawn_on__isnull=True,
            scheduled_at__gte=_local_midnight(first_day),
            scheduled_at__lt=_local_midnight(last_day + timedelta(days=1)),
        )
        .annotate(due_on=TruncDate("scheduled_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
    )


def sessions_on(day):
    """Sessions scheduled on the day (tomorrow, for the job), not yet reminded about."""
    kind = NotificationKind.SESSION_TOMORROW
    return (
        _scheduled_sessions(day, day)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .values(*SESSION_FIELDS)
    )


def attendance_not_recorded(today):
    """Sessions dated before today (within the window) still without attendance, not yet
    reminded about: the reminder comes the day after the session."""
    kind = NotificationKind.ATTENDANCE_NOT_RECORDED
    return (
        _scheduled_sessions(today - timedelta(days=ATTENDANCE_WINDOW_DAYS), today - timedelta(1))
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .values(*SESSION_FIELDS)
    )


# How far back "post measure due" looks: a missed run is caught up, and the first run does
# not remind about every enrolment that ever completed without one.
POST_MEASURE_WINDOW_DAYS = 30
# What an enrolment reminder needs: ids, the case reference and the due date.
_ENROLMENT_ROW = (
    "pk",
    "partnership_id",
    "case_id",
    "case__reference",
    "provider_agency_id",
    "practitioner_id",
    "due_on",
)


def post_measures_due(today):
    """Enrolments completed (the planned sessions attended, not withdrawn) in the window up
    to today whose programme takes a measure they have no post of, not yet reminded about:
    ``due_on`` is the completion date (the last session attended)."""
    kind = NotificationKind.POST_MEASURE_DUE
    post_taken = Measure.objects.filter(
        enrolment_id=OuterRef(OuterRef("pk")), timing=MeasureTiming.POST
    ).values("instrument_id")
    missing_post = Programme.measures.through.objects.filter(
        programme_id=OuterRef("programme_id")
    ).exclude(instrument_id__in=post_taken)
    return (
        with_progress(Enrolment.objects.filter(withdrawn_on__isnull=True))
        .filter(Exists(missing_post), derived_status=EnrolmentStatus.COMPLETED)
        .annotate(due_on=TruncDate("last_attended_at", tzinfo=timezone.get_current_timezone()))
        .filter(due_on__gte=today - timedelta(days=POST_MEASURE_WINDOW_DAYS), due_on__lte=today)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .order_by()
        .values(*_ENROLMENT_ROW)
    )


def victim_notifications_overdue(today):
    """ "Tell the victim" tasks still pending after their Victims' Code deadline, not yet
    reminded about for that deadline: one reminder per overdue task (ids, the case
    reference and dates only; nothing of the victim)."""
    kind = NotificationKind.VICTIM_NOTIFICATION_OVERDUE
    return (
        VictimNotification.objects.filter(outcome=NotificationOutcome.PENDING, due_on__lt=today)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .order_by()
        .values(
            "pk",
            "partnership_id",
            "case_id",
            "case__reference",
            "responsible_id",
            "responsible_agency_id",
            "due_on",
        )
    )


def end_reports_due(today):
    """Enrolments that ended in the window up to today (completed, or withdrawn after at
    least one session attended: one never started has nothing to report) without an end
    report sent, not yet reminded about: ``due_on`` is the end date (the withdrawal, else
    the last session attended). Decided: a referral withdrawn before any session needs no
    end report, so it is not reminded about."""
    kind = NotificationKind.END_REPORT_DUE
    sent = EndReport.objects.filter(enrolment_id=OuterRef("pk"), sent_at__isnull=False)
    ended_on = Coalesce(
        "withdrawn_on", TruncDate("last_attended_at", tzinfo=timezone.get_current_timezone())
    )
    return (
        with_progress(Enrolment.objects.all())
        .filter(
            derived_status__in=(EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT),
            last_attended_at__isnull=False,
        )
        .exclude(Exists(sent))
        .annotate(due_on=ended_on)
        .filter(due_on__gte=today - timedelta(days=POST_MEASURE_WINDOW_DAYS), due_on__lte=today)
        .filter(_not_yet_sent(kind, date_field="due_on"))
        .order_by()
        .values(*_ENROLMENT_ROW)
    )


@dataclass
class MeetingDue:
    pk: int
    partnership_id: int
    held_on: object
    starts_at: object
    clinic_name: str
    chair_id: int | None
    case_ids: list = field(default_factory=list)
    agency_ids: set = field(default_factory=set)
    # Attending agencies with a grant to at least one agenda case.
    seeing_agency_ids: set = field(default_factory=set)


def meetings_on(day):
    """Planned meetings held on the day, not yet reminded about, with their agenda case ids,
    attending agencies and which of those agencies can see at least one agenda case.
    Four queries whatever the number of meetings."""
    kind = NotificationKind.MEETING_TOMORROW
    rows = (
        Meeting.objects.filter(held_on=day, status=MeetingStatus.PLANNED)
        .filter(_not_yet_sent(kind, date_field="held_on"))
        .values(
            "pk",
            "partnership_id",
            "held_on",
            "starts_at",
            "clinic_id",
            "clinic__name",
            "chair_id",
            "clinic__chair_id",
        )
    )
    meetings, by_clinic = {}, defaultdict(list)
    for row in rows:
        meeting = MeetingDue(
            pk=row["pk"],
            partnership_id=row["partnership_id"],
            held_on=row["held_on"],
            starts_at=row["starts_at"],
            clinic_name=row["clinic__name"],
            chair_id=row["chair_id"] or row["clinic__chair_id"],
        )
        meetings[meeting.pk] = meeting
        by_clinic[row["clinic_id"]].append(meeting)
    if not meetings:
        return []
    items = AgendaItem.objects.filter(meeting_id__in=meetings, removed_at__isnull=True)
    for meeting_id, case_id in items.values_list("meeting_id", "case_id"):
        meetings[meeting_id].case_ids.append(case_id)
    Attending = Clinic.agencies.through
    group_of_agency = {}
    for clinic_id, agency_id, group_id in Attending.objects.filter(
        clinic_id__in=by_clinic
    ).values_list("clinic_id", "agency_id", "agency__group_id"):
        group_of_agency[agency_id] = group_id
        for meeting in by_clinic[clinic_id]:
            meeting.agency_ids.add(agency_id)
    all_case_ids = {case_id for m in meetings.values() for case_id in m.case_ids}
    grants = defaultdict(set)  # group id -> case ids it can see
    if all_case_ids and group_of_agency:
        for group_id, case_id in CaseGroupObjectPermission.objects.filter(
            group_id__in=set(group_of_agency.values()),
            permission__codename=VIEW_CASE,
            content_object_id__in=all_case_ids,
        ).values_list("group_id", "content_object_id"):
            grants[group_id].add(case_id)
    for meeting in meetings.values():
        agenda = set(meeting.case_ids)
        meeting.seeing_agency_ids = {
            agency_id
            for agency_id in meeting.agency_ids
            if grants[group_of_agency[agency_id]] & agenda
        }
    return list(meetings.values())


@dataclass
class Recipients:
    """Who may receive reminders on a day: usable memberships, loaded once per run."""

    # (user id, agency id) of every usable membership.
    memberships: set = field(default_factory=set)
    users_by_partnership: dict = field(default_factory=lambda: defaultdict(set))
    action_workers: dict = field(default_factory=lambda: defaultdict(list))
    assessors: dict = field(default_factory=lambda: defaultdict(list))
    supervisors: dict = field(default_factory=lambda: defaultdict(list))
    chairs: dict = field(default_factory=lambda: defaultdict(list))
    # agency id -> [(user id, role)] of members who take part in clinics.
    clinic_members: dict = field(default_factory=lambda: defaultdict(list))
    # agency id -> user ids of members who may work advocacy (Cap.WORK_ADVOCACY).
    advocacy_workers: dict = field(default_factory=lambda: defaultdict(list))
    # agency id -> user ids of members who may work interventions (Cap.WORK_INTERVENTIONS).
    intervention_workers: dict = field(default_factory=lambda: defaultdict(list))
    # agency id -> user ids of members who tell victims (cases.selectors.events.TASK_ROLES).
    victim_notification_workers: dict = field(default_factory=lambda: defaultdict(list))

    def usable_in_partnership(self, user_id, partnership_id):
        return user_id is not None and user_id in self.users_by_partnership[partnership_id]


def recipients_on(day):
    """Usable memberships on the day, grouped by what they receive: one query."""
    recipients = Recipients()
    rows = (
        Membership.objects.usable(on=day)
        .order_by("user_id")
        .values_list("user_id", "agency_id", "agency__partnership_id", "role")
    )
    for user_id, agency_id, partnership_id, role in rows:
        recipients.memberships.add((user_id, agency_id))
        recipients.users_by_partnership[partnership_id].add(user_id)
        if role_can(role, Cap.WORK_ACTIONS):
            recipients.action_workers[agency_id].append(user_id)
        if role_can(role, Cap.ASSESS_RISK):
            recipients.assessors[agency_id].append(user_id)
        if role in SUPERVISOR_ROLES:
            recipients.supervisors[agency_id].append(user_id)
        if role == Role.CLINIC_CHAIR:
            recipients.chairs[partnership_id].append(user_id)
        if role_can(role, Cap.ADD_AGENDA_ITEM) or role_can(role, Cap.RUN_CLINIC):
            recipients.clinic_members[agency_id].append((user_id, is_partnership_wide(role)))
        if role_can(role, Cap.WORK_ADVOCACY):
            recipients.advocacy_workers[agency_id].append(user_id)
        if role_can(role, Cap.WORK_INTERVENTIONS):
            recipients.intervention_workers[agency_id].append(user_id)
        if role in TASK_ROLES:
            recipients.victim_notification_workers[agency_id].append(user_id)
    return recipients


def unemailed_notifications():
    """Notifications not emailed yet, for the digest (partial index on emailed_at)."""
    from reporting.models import Notification

    return (
        Notification.objects.filter(emailed_at__isnull=True, recipient__is_active=True)
        .order_by("recipient_id", "created_at", "pk")
        .values_list("pk", "recipient_id", "title", "body", "link")
    )
