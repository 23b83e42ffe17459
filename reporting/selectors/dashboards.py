"""The manager dashboard: six aggregate figures over a period (London dates) for one
partnership, optionally one local area. Counts only: no names, no case references.

Each figure is a small, fixed number of grouped queries (GROUP BY month, truncated in
Europe/London, or GROUP BY agency), whatever the number of rows, so the page stays fast on
a partnership with 100,000 cases (benchmarks/dashboards.py). "In the period" and "in the
area" are reporting.selectors.scope.Scope's rules, as in the return and the pack.

Counting rules (each figure is shown with its rule on the page):
- referrals: Referral.received_on in the month, by referral source (the code, whatever
  version of its label the referral was recorded with). In an area: the referral's case
  is in the area, or, not yet linked to a case, its referring agency is one of the area's.
- misclassification: crime-screen entries recorded in the month (duplicates of one course
  of conduct counted once: the first report), how many were screened, and for how many a
  reclassification was requested (a screening action "misclassified") and accepted. The
  shares are of the entries screened. In an area: the entry's case is in the area, or it
  was recorded in one of the area's police areas.
- actions: triage actions open today, by the agency that owns them, and of those the ones
  overdue (due before today); on cases in the scope.
- interventions: per month, enrolments started (first session attended), completed (the
  planned sessions attended, the last one that month), and withdrawn that month, split
  into dropped out (a drop-out reason: declined, stopped attending, breach) and ended for
  another reason (moved, unwell, custody, unsuitable, deceased): interventions'
  derived progress (interventions.selectors.enrolments) and WithdrawalGroup.
- victims supported: per month, the victims (people) of support episodes with a contact
  made that month, each victim once per month however many advocates or episodes; the
  period's total counts each victim once.
- caseload per FTE: per agency, the cases shared with it (CaseAgency) that were open on
  the period's last day, divided by the agency's staff FTE recorded for a period covering
  that day (the latest starting record if several); "not recorded" without one.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Agency
from advocacy.models import Contact
from cases.models import (
    CaseAgency,
    CodeList,
    CrimeScreenEntry,
    ReclassificationOutcome,
    ReferenceCode,
    Referral,
    ScreeningActionKind,
)
from interventions.models import DROP_OUT_REASONS, Enrolment, EnrolmentStatus
from interventions.selectors.enrolments import derived_progress
from reporting.models import LocalArea, StaffFte
from reporting.periods import LONDON
from reporting.selectors.scope import Scope
from triage.models import Action, ActionStatus

DEFAULT_MONTHS = 12


def default_period(today):
    """The last twelve full months before ``today``'s month: (first day, last day)."""
    end = today.replace(day=1) - timedelta(days=1)
    start = month_shift(end.replace(day=1), -(DEFAULT_MONTHS - 1))
    return start, end


def month_shift(first_of_month, months):
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_of(scope):
    """The first day of every month the period touches, in order."""
    month, last = scope.start.replace(day=1), scope.end.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = month_shift(month, 1)
    return months


def dashboard_scope(membership, *, start, end, local_area=None):
    return Scope(
        partnership_id=membership.agency.partnership_id,
        start=start,
        end=end,
        local_area=local_area,
    )


def _month(value):
    """A TruncMonth value (a date, or an aware datetime for a DateTimeField; text from a
    raw SQLite cursor) as a date."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# 1. Referrals per month by source ---------------------------------------------------------


@dataclass
class MonthlySeries:
    """Values per month for several series: ``series`` is [(key, label, [value per month])]."""

    months: list
    series: list = field(default_factory=list)

    @property
    def totals(self):
        return [sum(values) for _key, _label, values in self.series]

    @property
    def month_totals(self):
        return [sum(values[i] for *_rest, values in self.series) for i in range(len(self.months))]

    @property
    def grand_total(self):
        return sum(self.totals)

    @property
    def rows(self):
        """[(month, [value per series], month total)] for the data table."""
        return [
            (month, [values[i] for *_rest, values in self.series], self.month_totals[i])
            for i, month in enumerate(self.months)
        ]


def referrals_by_source(scope):
    """Referrals received per month by source: two queries (the codes, the counts)."""
    months = months_of(scope)
    position = {month: i for i, month in enumerate(months)}
    counts = (
        Referral.objects.filter(scope.referrals(), scope.dates("received_on"))
        .annotate(month=TruncMonth("received_on"))
        .values_list("month", "source__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_source = {}
    for month, code, n in counts:
        values = by_source.setdefault(code, [0] * len(months))
        values[position[_month(month)]] += n
    labels = {}
    codes = (
        ReferenceCode.objects.for_partnership(scope.partnership_id)
        .of(CodeList.REFERRAL_SOURCE)
        .filter(
            Q(code__in=list(by_source))
            | Q(pk__in=ReferenceCode.objects.in_use_during(scope.start, scope.end))
        )
        .order_by("sort_order", "code", "-version")
        .values_list("code", "label")
    )
    for code, label in codes:
        labels.setdefault(code, label)  # the latest version's label
    series = [
        (code, label, by_source.get(code, [0] * len(months))) for code, label in labels.items()
    ]
    series += [(code, code, values) for code, values in by_source.items() if code not in labels]
    return MonthlySeries(months=months, series=series)


# 2. Misclassification trend ---------------------------------------------------------------


@dataclass
class ScreeningMonth:
    month: date
    recorded: int = 0
    screened: int = 0
    requested: int = 0
    accepted: int = 0

    @property
    def requested_share(self):
        return share(self.requested, self.screened)

    @property
    def accepted_share(self):
        return share(self.accepted, self.screened)


def share(part, whole):
    """A percentage to one decimal place (half up), None when there is no whole."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def screen_entries_in(scope, prefix=""):
    """Q for the crime-screen entries of the scope (``prefix``: the path to the entry)."""
    condition = Q(
        **{f"{prefix}partnership_id": scope.partnership_id, f"{prefix}same_course_as": None}
    )
    if scope.whole_partnership:
        return condition
    in_area = scope.cases(f"{prefix}case")
    if scope.local_area is not None:
        police_areas = [area for area in scope.local_area.police_areas if area]
        if police_areas:
            in_area |= Q(**{f"{prefix}location_area__in": police_areas})
    return condition & in_area


# The entries of the scope joined to their reclassification requests (one row per entry:
# asked at all, and whether any request was accepted), grouped by month: one pass over the
# entries. Constant SQL around the queryset's own SQL; every value is a parameter. Portable
# SQL (no BOOL_OR): the demo runs on SQLite.
_SCREENING_SQL = """
SELECT e.month, COUNT(*), COUNT(*) FILTER (WHERE e.screened_at IS NOT NULL),
       COUNT(r.entry_id), COUNT(r.entry_id) FILTER (WHERE r.accepted = 1)
FROM ({entries}) AS e
LEFT JOIN (
    SELECT a.entry_id,
           MAX(CASE WHEN a.reclassification_outcome = %s THEN 1 ELSE 0 END) AS accepted
    FROM cases_screeningaction a WHERE a.kind = %s GROUP BY a.entry_id
) AS r ON r.entry_id = e.id
GROUP BY e.month
"""


def misclassification(scope):
    """[ScreeningMonth] for every month, by the month the crime was recorded: one query."""
    months = {month: ScreeningMonth(month) for month in months_of(scope)}
    entries = (
        CrimeScreenEntry.objects.filter(screen_entries_in(scope), scope.dates("recorded_on"))
        .annotate(month=TruncMonth("recorded_on"))
        .values("month", "id", "screened_at")
        .order_by()
    )
    try:
        sql, params = entries.query.sql_with_params()
    except EmptyResultSet:
        return list(months.values())
    with connection.cursor() as cursor:
        cursor.execute(
            _SCREENING_SQL.format(entries=sql),
            # Plain strings: the database driver would send an enum member's name.
            [
                *params,
                str(ReclassificationOutcome.ACCEPTED),
                str(ScreeningActionKind.RECLASSIFICATION),
            ],
        )
        for month, recorded, screened, requested, accepted in cursor.fetchall():
            row = months[_month(month)]
            row.recorded, row.screened = recorded, screened
            row.requested, row.accepted = requested, accepted
    return list(months.values())


# 3. Open and overdue actions by agency ----------------------------------------------------


@dataclass
class AgencyActions:
    agency: str
    open: int
    overdue: int

    @property
    def not_yet_due(self):
        return self.open - self.overdue


def actions_by_agency(scope, *, today, agencies):
    """[AgencyActions] for the scope's agencies (``agencies``: {id: name}) and any other
    agency owning an open action on a case in the scope: one query."""
    counts = {
        agency_id: (name, open_n, overdue_n)
        for agency_id, name, open_n, overdue_n in Action.objects.filter(
            scope.cases("case", partnership_field="partnership_id"), status=ActionStatus.OPEN
        )
        .values_list("owner_agency_id", "owner_agency__name")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    }
    rows = [
        AgencyActions(name, *counts.get(agency_id, (name, 0, 0))[1:])
        for agency_id, name in agencies.items()
    ]
    rows += [
        AgencyActions(name, open_n, overdue_n)
        for agency_id, (name, open_n, overdue_n) in counts.items()
        if agency_id not in agencies
    ]
    return sorted(rows, key=lambda row: (-row.open, row.agency))


# 4. Interventions started / completed / dropped out / ended ------------------------------


@dataclass
class InterventionMonth:
    month: date
    started: int = 0
    completed: int = 0
    dropped_out: int = 0
    ended_other: int = 0


def interventions_by_month(scope):
    """[InterventionMonth] for every month: two queries (interventions' derived progress of
    the enrolments referred by the period's end, and the withdrawals grouped by month)."""
    months = {month: InterventionMonth(month) for month in months_of(scope)}

    def bucket(day):
        if day is None or not scope.start <= day <= scope.end:
            return None
        return months[day.replace(day=1)]

    enrolments = Enrolment.objects.filter(
        scope.cases("case", partnership_field="partnership_id"), referred_on__lte=scope.end
    )
    for _pk, _attended, started_on, ended_on, status in derived_progress(enrolments):
        if (row := bucket(started_on)) is not None:
            row.started += 1
        if status == EnrolmentStatus.COMPLETED and (row := bucket(ended_on)) is not None:
            row.completed += 1
    withdrawals = (
        Enrolment.objects.filter(
            scope.cases("case", partnership_field="partnership_id"), scope.dates("withdrawn_on")
        )
        .annotate(month=TruncMonth("withdrawn_on"))
        .values_list("month", "withdrawal_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for month, reason, n in withdrawals:
        row = months[_month(month)]
        if reason in DROP_OUT_REASONS:
            row.dropped_out += n
        else:
            row.ended_other += n
    return list(months.values())


# 5. Victims supported per month -----------------------------------------------------------


# Each victim once per month and once over the period, in one pass over the contacts:
# GROUPING SETS gives both distinct counts (the row with a null month is the period's).
# Constant SQL around the queryset's own SQL; every value is a parameter.
_VICTIMS_SQL = """
SELECT month, COUNT(DISTINCT person_id) FROM ({contacts}) AS contacts
GROUP BY GROUPING SETS ((month), ())
"""
# SQLite (the demo) has no GROUPING SETS: the same two counts as two passes.
_VICTIMS_SQL_PORTABLE = """
SELECT month, COUNT(DISTINCT person_id) FROM ({contacts}) AS contacts GROUP BY month
UNION ALL
SELECT NULL, COUNT(DISTINCT person_id) FROM ({contacts}) AS contacts
"""


def victims_supported(scope):
    """([(month, victims)], victims in the whole period): one query."""
    contacts = (
        Contact.objects.filter(
            scope.cases("episode__case", partnership_field="episode__partnership_id"),
            scope.instants("at"),
            made=True,
        )
        .annotate(month=TruncMonth("at", tzinfo=LONDON), person_id=F("episode__victim__person_id"))
        .values("month", "person_id")
        .order_by()
    )
    try:
        sql, params = contacts.query.sql_with_params()
    except EmptyResultSet:
        return [(month, 0) for month in months_of(scope)], 0
    if connection.vendor != "postgresql":
        query, params = _VICTIMS_SQL_PORTABLE.format(contacts=sql), [*params, *params]
    else:
        query = _VICTIMS_SQL.format(contacts=sql)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    total = 0
    counts = {}
    for month, n in rows:
        if month is None:
            total = n
        else:
            counts[_month(month)] = n
    return [(month, counts.get(month, 0)) for month in months_of(scope)], total


# 6. Caseload per FTE ----------------------------------------------------------------------


@dataclass
class AgencyCaseload:
    agency: str
    open_cases: int
    fte: Decimal | None

    @property
    def per_fte(self):
        if self.fte is None:
            return None
        return (Decimal(self.open_cases) / self.fte).quantize(Decimal("0.1"), ROUND_HALF_UP)


def caseload_per_fte(scope, *, agencies):
    """[AgencyCaseload] for the scope's agencies (``agencies``: {id: name}), by name: two
    queries (open cases per agency, the FTE records covering the period's last day)."""
    day = scope.end
    open_then = Q(case__opened_on__lte=day) & (
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=day)
    )
    cases = dict(
        CaseAgency.objects.filter(
            scope.cases("case"),
            open_then,
            shared_at__lt=scope.utc_end,
            agency_id__in=list(agencies),
        )
        .values_list("agency_id")
        .annotate(n=Count("case_id"))  # (case, agency) is unique: no DISTINCT needed
        .order_by()
        .values_list("agency_id", "n")
    )
    fte = {}
    for agency_id, value in (
        StaffFte.objects.filter(
            partnership_id=scope.partnership_id,
            agency_id__in=list(agencies),
            period_start__lte=day,
            period_end__gte=day,
        )
        .order_by("agency_id", "-period_start", "-created_at", "-pk")
        .values_list("agency_id", "fte")
    ):
        fte.setdefault(agency_id, value)  # the latest starting record
    return [
        AgencyCaseload(name, cases.get(agency_id, 0), fte.get(agency_id))
        for agency_id, name in agencies.items()
    ]


# The page -------------------------------------------------------------------------------


def scope_agencies(scope):
    """{id: name} of the partnership's active agencies in the scope, by name: one query."""
    return dict(
        Agency.objects.filter(scope.agencies("pk"), partnership_id=scope.partnership_id)
        .filter(active=True)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


@dataclass
class Dashboard:
    scope: Scope
    today: date
    months: list
    referrals: MonthlySeries
    screening: list
    actions: list
    interventions: list
    victims: list
    victims_total: int
    caseload: list
    computed_at: datetime | None = None


def dashboard(scope, *, today):
    """Every figure of the dashboard: a fixed number of queries whatever the rows."""
    agencies = scope_agencies(scope)
    victims, victims_total = victims_supported(scope)
    return Dashboard(
        scope=scope,
        today=today,
        months=months_of(scope),
        referrals=referrals_by_source(scope),
        screening=misclassification(scope),
        actions=actions_by_agency(scope, today=today, agencies=agencies),
        interventions=interventions_by_month(scope),
        victims=victims,
        victims_total=victims_total,
        caseload=caseload_per_fte(scope, agencies=agencies),
        computed_at=timezone.now(),
    )


# Figures are kept this long, so a manager moving between periods and back, or several
# managers opening the same page, do not recount 100,000 cases each time; the page says
# when they were worked out. The key holds every input: the figures are the partnership's
# aggregates, the same for every member allowed to see them.
CACHE_SECONDS = 300
# The default view (the last twelve full months, the whole partnership and each local
# area) is counted ahead by a beat job every WARM_EVERY_SECONDS and kept a little longer,
# so the page a manager opens first is always ready: counted fresh it takes about half a
# second at 100,000 cases (benchmarks/dashboards.py).
WARM_EVERY_SECONDS = 600
WARM_KEEP_SECONDS = WARM_EVERY_SECONDS + 300


def _cache_key(scope, today):
    area_id = scope.local_area.pk if scope.local_area is not None else ""
    return (
        f"reporting:dashboard:v1:{scope.partnership_id}:{scope.start}:{scope.end}"
        f":{area_id}:{scope.agency_id or ''}:{today}"
    )


def dashboard_cached(scope, *, today):
    """dashboard(), kept for CACHE_SECONDS per partnership, period, area and day (longer
    when the beat job counted it ahead: warm_default_dashboards)."""
    key = _cache_key(scope, today)
    board = cache.get(key)
    if board is None:
        board = dashboard(scope, today=today)
        cache.set(key, board, CACHE_SECONDS)
    return board


def default_scopes(*, today):
    """The scopes the page opens on, for every partnership: the whole partnership and each
    active local area, over the default period."""
    from accounts.models import Partnership

    start, end = default_period(today)
    areas = {}
    for area in LocalArea.objects.filter(active=True):
        areas.setdefault(area.partnership_id, []).append(area)
    for partnership_id in Partnership.objects.values_list("pk", flat=True):
        for area in [None, *areas.get(partnership_id, [])]:
            yield Scope(partnership_id=partnership_id, start=start, end=end, local_area=area)


def warm_default_dashboards(*, today):
    """Count every default dashboard ahead and keep it WARM_KEEP_SECONDS. Returns how many."""
    count = 0
    for scope in default_scopes(today=today):
        cache.set(_cache_key(scope, today), dashboard(scope, today=today), WARM_KEEP_SECONDS)
        count += 1
    return count
