"""The programme dashboard: per programme, over a period, what the evaluators asked for
(referrals, starts, completions, drop-outs, mean sessions attended, hours delivered, mean
pre → post change), from the dated rows in three queries whatever the number of rows.

Who sees which enrolments: a member of a health agency that delivers interventions sees
their agency's; a manager or the partnership admin sees the partnership's, as aggregates
only (no names, no rows: the figures are counts and means). Everyone else is refused.

Definitions (each counts an enrolment in the period by its own date):
- referrals: referred in the period; starts: first session attended in the period;
- completions: completed (the planned sessions attended), the last one in the period;
- drop-outs: withdrawn in the period;
- mean sessions attended: over the enrolments that ended (completed or dropped out) in the
  period, so a running enrolment does not pull the mean down;
- hours delivered: the minutes of sessions attended in the period (a rescheduled session
  is never attended, so nothing is counted twice);
- mean change: per measure, over the enrolments whose post measure was taken in the
  period and that have a pre (interventions.selectors.measures.mean_changes).
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from accounts.access import interventions_agency_id
from accounts.roles import Role
from interventions.models import (
    ATTENDED,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from interventions.selectors.enrolments import with_progress
from interventions.selectors.measures import mean_changes

OVERSIGHT_ROLES = frozenset({Role.MANAGER, Role.PARTNERSHIP_ADMIN})


def can_see_dashboard(membership):
    return membership is not None and (
        interventions_agency_id(membership) is not None or membership.role in OVERSIGHT_ROLES
    )


def dashboard_enrolments(membership):
    """The enrolments whose figures the member may see (none if not allowed)."""
    if membership is None:
        return Enrolment.objects.none()
    partnership_id = membership.agency.partnership_id
    agency_id = interventions_agency_id(membership)
    if agency_id is not None:
        return Enrolment.objects.filter(partnership_id=partnership_id, provider_agency_id=agency_id)
    if membership.role in OVERSIGHT_ROLES:
        return Enrolment.objects.filter(partnership_id=partnership_id)
    return Enrolment.objects.none()


@dataclass
class ProgrammeFigures:
    programme_id: int
    name: str
    referrals: int = 0
    starts: int = 0
    completions: int = 0
    dropouts: int = 0
    mean_sessions: float | None = None
    hours: float = 0.0
    mean_changes: list = field(default_factory=list)

    @property
    def has_activity(self):
        return any(
            (self.referrals, self.starts, self.completions, self.dropouts, self.hours)
        ) or bool(self.mean_changes)


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def programme_figures(membership, *, start, end):
    """[ProgrammeFigures] for every programme with something in the period, by name."""
    enrolments = dashboard_enrolments(membership)
    since, until = _midnight(start), _midnight(end + timedelta(days=1))
    completed_in = Q(
        derived_status=EnrolmentStatus.COMPLETED,
        last_attended_at__gte=since,
        last_attended_at__lt=until,
    )
    dropped_in = Q(withdrawn_on__gte=start, withdrawn_on__lte=end)
    rows = (
        with_progress(enrolments)
        .values("programme_id", "programme__name")
        .annotate(
            referrals=Count("pk", filter=Q(referred_on__gte=start, referred_on__lte=end)),
            starts=Count("pk", filter=Q(first_attended_at__gte=since, first_attended_at__lt=until)),
            completions=Count("pk", filter=completed_in),
            dropouts=Count("pk", filter=dropped_in),
            mean_sessions=Avg("attended_n", filter=completed_in | dropped_in),
        )
        .order_by("programme__name", "programme_id")
    )
    figures = {
        row["programme_id"]: ProgrammeFigures(
            programme_id=row["programme_id"],
            name=row["programme__name"],
            referrals=row["referrals"],
            starts=row["starts"],
            completions=row["completions"],
            dropouts=row["dropouts"],
            mean_sessions=None if row["mean_sessions"] is None else round(row["mean_sessions"], 1),
        )
        for row in rows
    }
    minutes = (
        Session.objects.filter(
            enrolment__in=enrolments,
            status=SessionStatus.RECORDED,
            attendance__in=ATTENDED,
            scheduled_at__gte=since,
            scheduled_at__lt=until,
        )
        .values("enrolment__programme_id")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    for row in minutes:
        entry = figures.get(row["enrolment__programme_id"])
        if entry is not None:
            entry.hours = round((row["minutes"] or 0) / 60, 1)
    changes = mean_changes(enrolments, start=start, end=end)
    for programme_id, entries in changes.items():
        if programme_id in figures:
            figures[programme_id].mean_changes = entries
    return [
        f
        for f in figures.values()
        if f.referrals or f.starts or f.completions or f.dropouts or f.hours
    ]
