"""Reads of enrolments, their derived progress and the caseload, scoped to the member."""

from datetime import UTC, datetime, time

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.access import interventions_agency_id
from accounts.models import Membership, User
from accounts.roles import Role
from audit.services import as_id, visible_or_404
from cases.models import CaseParty, PartyRole
from cases.selectors.core import cases_visible_to
from interventions.models import (
    ATTENDED,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Session,
    SessionStatus,
    WithdrawalGroup,
    WithdrawalReason,
)


def enrolments_visible_to(membership):
    """The enrolments the member may read: those their health agency delivers."""
    agency_id = interventions_agency_id(membership) if membership is not None else None
    if agency_id is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(
        partnership_id=membership.agency.partnership_id, provider_agency_id=agency_id
    )


def _attended_sessions():
    return Session.objects.filter(
        enrolment_id=OuterRef("pk"), status=SessionStatus.RECORDED, attendance__in=ATTENDED
    ).order_by()


def _aggregate(queryset, expression, output_field):
    return Subquery(
        queryset.values("enrolment_id").annotate(value=expression).values("value")[:1],
        output_field=output_field,
    )


def status_expression():
    """EnrolmentStatus.of as SQL over the ``attended_n`` annotation."""
    return CaseWhen(
        When(withdrawn_on__isnull=False, then=Value(EnrolmentStatus.DROPPED_OUT)),
        When(attended_n__gte=F("planned_sessions"), then=Value(EnrolmentStatus.COMPLETED)),
        When(consent_signed_on__isnull=False, then=Value(EnrolmentStatus.ACTIVE)),
        When(practitioner__isnull=True, then=Value(EnrolmentStatus.REFERRED)),
        default=Value(EnrolmentStatus.AWAITING_CONSENT),
        output_field=CharField(),
    )


def _scheduled_sessions():
    return Session.objects.filter(
        enrolment_id=OuterRef("pk"), status=SessionStatus.SCHEDULED
    ).order_by()


def start_of_today():
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def with_progress(enrolments):
    """Annotate what the model's properties derive, in SQL (one query for any number of
    rows): attended_n, first_attended_at, last_attended_at, minutes_n, next_session_at (the
    first still scheduled from today on: an earlier one still scheduled is overdue
    feedback, not the next session) and derived_status."""
    attended = _attended_sessions()
    scheduled = _scheduled_sessions().filter(scheduled_at__gte=start_of_today())
    return enrolments.annotate(
        attended_n=Coalesce(_aggregate(attended, Count("pk"), IntegerField()), 0),
        first_attended_at=_aggregate(attended, Min("scheduled_at"), DateTimeField()),
        last_attended_at=_aggregate(attended, Max("scheduled_at"), DateTimeField()),
        minutes_n=Coalesce(_aggregate(attended, Sum("minutes"), IntegerField()), 0),
        next_session_at=_aggregate(scheduled, Min("scheduled_at"), DateTimeField()),
    ).annotate(derived_status=status_expression())


# Each enrolment's attended sessions grouped in one pass, joined to the enrolments: the same
# facts as with_progress (whose per-row subqueries cost about a second over 10,000
# enrolments; benchmarks/interventions.py), for reads over every enrolment at once. The
# status is EnrolmentStatus.of / status_expression. Constant SQL: the scope is the
# queryset's own SQL and every value a parameter; scope.id is qualified so that a wrong
# column name fails instead of silently reading the outer table's id.
_PROGRESS_SQL = """
WITH scope AS ({scope}),
attended AS (
    SELECT s.enrolment_id, COUNT(*) AS attended_n,
           MIN(s.scheduled_at) AS first_at, MAX(s.scheduled_at) AS last_at
    FROM interventions_session s
    WHERE s.enrolment_id IN (SELECT scope.id FROM scope)
      AND s.status = %s AND s.attendance IN ({attended})
    GROUP BY s.enrolment_id
),
progress AS (
    SELECT e.id, COALESCE(a.attended_n, 0) AS attended_n,
           {first_on} AS first_on,
           {last_on} AS last_on,
           CASE WHEN e.withdrawn_on IS NOT NULL THEN %s
                WHEN COALESCE(a.attended_n, 0) >= e.planned_sessions THEN %s
                WHEN e.consent_signed_on IS NOT NULL THEN %s
                WHEN e.practitioner_id IS NULL THEN %s
                ELSE %s END AS status
    FROM interventions_enrolment e
    LEFT JOIN attended a ON a.enrolment_id = e.id
    WHERE e.id IN (SELECT scope.id FROM scope)
)
{select}
"""
_STATUS_ORDER = (
    EnrolmentStatus.DROPPED_OUT,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.REFERRED,
    EnrolmentStatus.AWAITING_CONSENT,
)


def _progress_rows(enrolments, select, select_params=()):
    try:
        scope_sql, scope_params = enrolments.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # nothing in scope
        return []
    postgres = connection.vendor == "postgresql"
    # SQLite (the demo) has no time zones: it returns the timestamps and _local_dates turns
    # them into London dates.
    sql = _PROGRESS_SQL.format(
        scope=scope_sql,
        attended=", ".join(["%s"] * len(ATTENDED)),
        select=select,
        first_on="(a.first_at AT TIME ZONE %s)::date" if postgres else "a.first_at",
        last_on="(a.last_at AT TIME ZONE %s)::date" if postgres else "a.last_at",
    )
    # Plain strings: the database driver would send an enum member's name.
    params = [
        *scope_params,
        str(SessionStatus.RECORDED),
        *[str(code) for code in ATTENDED],
        *([settings.TIME_ZONE, settings.TIME_ZONE] if postgres else []),
        *[str(status) for status in _STATUS_ORDER],
        *select_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def derived_progress(enrolments):
    """[(enrolment id, sessions attended, started on, ended on, derived status)] for every
    enrolment of the queryset, in one query: as the model's attended_count, started_on,
    ended_on and status (local dates: the start is the first session attended, the end
    the last once completed or dropped out; dates, not times, also because decoding
    20,000 timestamps cost more than the query)."""
    ended = (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
    rows = _progress_rows(
        enrolments,
        "SELECT id, attended_n, first_on,"
        " CASE WHEN status IN (%s, %s) THEN last_on END, status FROM progress ORDER BY id",
        [str(status) for status in ended],
    )
    if connection.vendor == "postgresql":
        return rows
    return [(pk, n, _local_date(first), _local_date(last), st) for pk, n, first, last, st in rows]


def _local_date(value):
    """A timestamp SQLite returned (text, UTC) as its Europe/London date."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return timezone.localdate(moment)


def status_counts(enrolments):
    """{status: number of enrolments} of the queryset, in one query."""
    counts = dict.fromkeys(EnrolmentStatus.values, 0)
    for status, n in _progress_rows(
        enrolments, "SELECT status, COUNT(*) FROM progress GROUP BY status"
    ):
        counts[status] += n
    return counts


def caseload(membership, *, status="", mine=False):
    """The agency's enrolments for the caseload, with the derived status, the next session
    and ``unrecorded_n``, the sessions before today still without attendance (overdue
    feedback, as the daily reminder counts it): one query whatever the number of rows."""
    overdue = _scheduled_sessions().filter(scheduled_at__lt=start_of_today())
    enrolments = (
        with_progress(enrolments_visible_to(membership))
        .annotate(unrecorded_n=Coalesce(_aggregate(overdue, Count("pk"), IntegerField()), 0))
        .select_related("case", "party__person", "programme", "practitioner")
        .order_by("withdrawn_on", "referred_on", "pk")
    )
    if mine:
        enrolments = enrolments.filter(practitioner_id=membership.user_id)
    if status in EnrolmentStatus.values:
        enrolments = enrolments.filter(derived_status=status)
    return enrolments


def caseload_counts(membership, *, mine=False):
    """{status: number of enrolments}, one query (grouped SQL: status_counts)."""
    enrolments = enrolments_visible_to(membership)
    if mine:
        enrolments = enrolments.filter(practitioner_id=membership.user_id)
    return status_counts(enrolments)


def my_work_counts(membership):
    """For the home page, one query: enrolments referred and waiting for a clinician in the
    member's agency, and the member's own awaiting consent and active."""
    mine = Q(practitioner_id=membership.user_id)
    return with_progress(enrolments_visible_to(membership)).aggregate(
        referred=Count("pk", filter=Q(derived_status=EnrolmentStatus.REFERRED)),
        awaiting_consent=Count(
            "pk", filter=mine & Q(derived_status=EnrolmentStatus.AWAITING_CONSENT)
        ),
        active=Count("pk", filter=mine & Q(derived_status=EnrolmentStatus.ACTIVE)),
    )


def get_enrolment_or_404(membership, pk):
    """The enrolment if the member's agency delivers it; otherwise a 404 and one denial row."""
    return visible_or_404(
        membership,
        enrolments_visible_to(membership)
        .select_related(
            "case", "party__person", "programme", "practitioner", "provider_agency", "created_by"
        )
        .prefetch_related("sessions"),
        pk,
        kind=Enrolment._meta.label,
    )


def clinicians_of_agency(membership):
    """Clinicians with a usable membership of the member's health agency."""
    agency_id = interventions_agency_id(membership)
    usable = Membership.objects.usable().filter(agency_id=agency_id, role=Role.CLINICIAN)
    return User.objects.filter(pk__in=usable.values("user_id")).order_by("full_name", "pk")


def parties_for_programmes(case):
    """Perpetrator and victim parties of a case the caller found through the case
    selectors."""
    return list(
        CaseParty.objects.filter(case=case, role__in=(PartyRole.PERPETRATOR, PartyRole.VICTIM))
        .select_related("person")
        .order_by("role", "person__family_name", "pk")
    )


def party_in_partnership(membership, party_pk):
    """A party, by id, on a case the member can see (for the API), or None."""
    key = as_id(party_pk)
    if key is None:
        return None
    return (
        CaseParty.objects.filter(pk=key, case__in=cases_visible_to(membership))
        .select_related("case", "person")
        .first()
    )


# The status-level facts every reader of the case may know. Never a note or a component.
CASE_FIELDS = (
    "pk",
    "party__person__given_names",
    "party__person__family_name",
    "party__role",
    "programme__name",
    "provider_agency_id",
    "provider_agency__name",
    "referred_on",
    "pathway",
    "planned_sessions",
    "withdrawn_on",
    "withdrawal_reason",
    "attended_n",
    "first_attended_at",
    "last_attended_at",
    "next_session_at",
    "derived_status",
)


CASE_SESSION_FIELDS = ("enrolment_id", "scheduled_at", "modality", "status", "attendance")


def _session_label(row):
    if row["status"] == SessionStatus.RECORDED:
        return Attendance(row["attendance"]).label
    return SessionStatus(row["status"]).label


def interventions_on_case(case):
    """What any reader of the case may know of its interventions: per enrolment, who, which
    programme and provider, the dates, the derived status, and the sessions' dates and
    attendance codes. Nothing of the clinical compartment. Two queries."""
    enrolments = list(
        with_progress(Enrolment.objects.filter(case=case))
        .values(*CASE_FIELDS)
        .order_by("-referred_on", "-pk")
    )
    sessions = Session.objects.filter(enrolment__case=case).values(*CASE_SESSION_FIELDS)
    by_enrolment = {}
    for row in sessions.order_by("scheduled_at", "pk"):
        row["modality_label"] = Modality(row["modality"]).label
        row["label"] = _session_label(row)
        by_enrolment.setdefault(row["enrolment_id"], []).append(row)
    for row in enrolments:
        row["sessions"] = by_enrolment.get(row["pk"], [])
        row["status_label"] = EnrolmentStatus(row["derived_status"]).label
        reason = row["withdrawal_reason"]
        row["withdrawal_label"] = WithdrawalReason(reason).label if reason else ""
        group = WithdrawalGroup.of(reason)
        row["withdrawal_group_label"] = WithdrawalGroup(group).label if group else ""
    return enrolments
