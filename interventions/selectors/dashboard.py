"""The programme dashboard: per programme, over a period, what the evaluators asked for
(referrals, starts, completions, drop-outs, mean sessions attended, hours delivered, mean
pre → post change), from the dated rows in two queries whatever the number of rows.

Who sees which enrolments: a member of a health agency that delivers interventions sees
their agency's; a manager or the partnership admin sees the partnership's, as aggregates
only (no names, no rows: the figures are counts and means). Everyone else is refused.

Definitions (each counts an enrolment in the period by its own date):
- referrals: referred in the period; starts: first session attended in the period;
- completions: completed (the planned sessions attended), the last one in the period;
- drop-outs: withdrawn in the period for a drop-out reason (WithdrawalGroup: declined,
  stopped attending, breach); moving away, illness or custody end it but are not drop-outs;
- mean sessions attended: over the enrolments that ended (completed or withdrawn for any
  reason) in the period, so a running enrolment does not pull the mean down;
- hours delivered: the minutes of sessions attended in the period (a rescheduled session
  is never attended, so nothing is counted twice);
- mean change: per measure, over the enrolments whose post measure was taken in the
  period and that have a pre (interventions.selectors.measures.mean_changes).
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from accounts.access import interventions_agency_id
from accounts.roles import Role
from interventions.models import ATTENDED, DROP_OUT_REASONS, Enrolment, SessionStatus
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


# One pass over the attended sessions of the member's enrolments (grouped per enrolment),
# joined to the enrolments and grouped per programme. Written in SQL because the ORM can
# only express the per-enrolment figures as correlated subqueries (with_progress), which
# took about a second for 10,000 enrolments here; this takes tens of milliseconds
# (benchmarks/interventions.py). "Completed" is EnrolmentStatus.of / status_expression:
# not withdrawn and the planned sessions attended. Constant SQL: the scope is the
# queryset's own SQL and every value is a parameter; scope.id is qualified so that a
# wrong column name fails instead of silently reading the outer table's id.
_FIGURES_SQL = """
WITH scope AS ({scope}),
attended AS (
    SELECT s.enrolment_id,
           COUNT(*) AS attended_n,
           MIN(s.scheduled_at) AS first_at,
           MAX(s.scheduled_at) AS last_at,
           SUM(s.minutes) FILTER (WHERE s.scheduled_at >= %s AND s.scheduled_at < %s)
               AS minutes_in_period
    FROM interventions_session s
    WHERE s.enrolment_id IN (SELECT scope.id FROM scope)
      AND s.status = %s AND s.attendance IN ({attended})
    GROUP BY s.enrolment_id
),
progress AS (
    SELECT e.programme_id, e.referred_on, e.withdrawn_on,
           COALESCE(a.attended_n, 0) AS attended_n, a.first_at, a.minutes_in_period,
           (e.withdrawn_on IS NULL AND COALESCE(a.attended_n, 0) >= e.planned_sessions
            AND a.last_at >= %s AND a.last_at < %s) AS completed_in,
           (e.withdrawn_on >= %s AND e.withdrawn_on <= %s) AS withdrawn_in,
           (e.withdrawal_reason IN ({dropout})) AS dropout_reason
    FROM interventions_enrolment e
    LEFT JOIN attended a ON a.enrolment_id = e.id
    WHERE e.id IN (SELECT scope.id FROM scope)
)
SELECT g.programme_id, p.name,
       COUNT(*) FILTER (WHERE g.referred_on >= %s AND g.referred_on <= %s),
       COUNT(*) FILTER (WHERE g.first_at >= %s AND g.first_at < %s),
       COUNT(*) FILTER (WHERE g.completed_in),
       COUNT(*) FILTER (WHERE g.withdrawn_in AND g.dropout_reason),
       AVG(g.attended_n) FILTER (WHERE g.completed_in OR g.withdrawn_in),
       COALESCE(SUM(g.minutes_in_period), 0)
FROM progress g
JOIN interventions_programme p ON p.id = g.programme_id
GROUP BY g.programme_id, p.name
ORDER BY p.name, g.programme_id
"""


def programme_figures(membership, *, start, end):
    """[ProgrammeFigures] for every programme with something in the period, by name: two
    queries whatever the number of rows."""
    enrolments = dashboard_enrolments(membership)
    since, until = _midnight(start), _midnight(end + timedelta(days=1))
    try:
        scope_sql, scope_params = enrolments.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # a member who may see no figures
        return []
    sql = _FIGURES_SQL.format(
        scope=scope_sql,
        attended=", ".join(["%s"] * len(ATTENDED)),
        dropout=", ".join(["%s"] * len(DROP_OUT_REASONS)),
    )
    params = [
        *scope_params,
        since,
        until,
        # Plain strings: the database driver would send an enum member's name.
        str(SessionStatus.RECORDED),
        *[str(code) for code in ATTENDED],
        since,
        until,
        start,
        end,
        *sorted(str(reason) for reason in DROP_OUT_REASONS),
        start,
        end,
        since,
        until,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures = {}
    for programme_id, name, referrals, starts, completions, dropouts, mean, minutes in rows:
        figures[programme_id] = ProgrammeFigures(
            programme_id=programme_id,
            name=name,
            referrals=referrals,
            starts=starts,
            completions=completions,
            dropouts=dropouts,
            mean_sessions=None if mean is None else round(float(mean), 1),
            hours=round(float(minutes or 0) / 60, 1),
        )
    changes = mean_changes(enrolments, start=start, end=end)
    for programme_id, entries in changes.items():
        if programme_id in figures:
            figures[programme_id].mean_changes = entries
    return [
        f
        for f in figures.values()
        if f.referrals or f.starts or f.completions or f.dropouts or f.hours
    ]
