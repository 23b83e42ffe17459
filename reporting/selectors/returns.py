"""The Home Office quarterly return: every figure defined once, with its counting rule.

A metric is a function from a Scope to the records it counts: rows of
``(group, record id, case id or None, weight)``. The figure for a group is the sum of the
weights of its distinct records (weight 1 except where a record stands for several people,
as a training session does), and the metric's total counts each record once across its
groups. The same rows are stored with the run (ReportFigure.units) and are what the
drill-down lists, so a figure always equals its rows.

``rule`` is the counting rule in plain words: it is printed beside the figure and in the
return's Definitions sheet, and is the specification the tests in
tests/reporting/test_return_metrics.py hold each metric to."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef, Q

from advocacy.models import Contact
from cases.models import (
    DECISIONS,
    Case,
    CodeList,
    OrderDecision,
    OrderKind,
    ProtectiveOrder,
    ReferenceCode,
    Referral,
    ReferralStatus,
)
from interventions.models import (
    ATTENDED,
    Delivery,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Recipient,
    Session,
    SessionStatus,
)
from interventions.selectors.enrolments import with_progress
from reporting.models import TrainingAudience, TrainingEvent
from risk.models import Assessment, AssessmentStatus, Instrument, InstrumentPurpose, RiskLevel
from triage.models import CaseDiscussion, Decision, MeetingKind

CHUNK = 5000


def no_groups(scope):
    return []


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    table: str  # a key of RETURN_TABLES
    unit: str  # what one drill-down row is: "referral", "enrolment", "victim" …
    rule: str
    units: Callable  # (scope) -> iterable of (group, record id, case id | None, weight)
    # The groups always listed (key, label), in order, so a zero is shown as a zero.
    groups: Callable = no_groups


# The tables of the return, in order: (key, title). The first holds the headline figures.
RETURN_TABLES = [
    ("headline", "Headline figures"),
    ("referrals", "Referral decisions"),
    ("clinic", "Clinic discussions"),
    ("risk", "Risk assessments"),
    ("orders", "Stalking protection orders"),
    ("closures", "Cases closed"),
]


def _stream(queryset, *fields):
    return queryset.order_by().values_list(*fields).iterator(chunk_size=CHUNK)


def _counted(rows):
    """(group, record, case) rows as units of weight 1."""
    return ((str(group), record, case, 1) for group, record, case in rows)


def _codes(scope, code_list):
    """(code, label) of a code list as the partnership used it during the period: its own
    codes and the national ones in use on at least one day of the period, each code once
    (the partnership's own version before a national one, then the latest version), in the
    list's order."""
    rows = (
        ReferenceCode.objects.of(code_list)
        .for_partnership(scope.partnership_id)
        .in_use_during(scope.start, scope.end)
        .values_list("code", "label", "sort_order", "partnership_id", "version")
    )
    chosen = {}
    for code, label, order, _partnership, _version in sorted(
        rows, key=lambda row: (row[3] is None, -row[4])
    ):
        chosen.setdefault(code, (order, label))
    return [(code, label) for code, (order, label) in sorted(chosen.items(), key=_by_order)]


def _by_order(item):
    code, (order, _label) = item
    return (order, code)


# --- Referrals -------------------------------------------------------------------------


def _referrals(scope):
    """The partnership's referrals in the scope: the referral's case is in scope; a
    referral not (yet) linked to a case is in scope when its referring agency is."""
    return Referral.objects.filter(scope.referrals())


def _referrals_received(scope):
    rows = _referrals(scope).filter(scope.dates("received_on"))
    return _counted(_stream(rows, "source__code", "pk", "case_id"))


def _referral_sources(scope):
    return _codes(scope, CodeList.REFERRAL_SOURCE)


def _referrals_decided(scope):
    rows = _referrals(scope).filter(scope.instants("decided_at"), decision__in=DECISIONS)
    return _counted(_stream(rows, "decision", "pk", "case_id"))


def _referral_decisions(scope):
    return [(str(decision), ReferralStatus(decision).label) for decision in DECISIONS]


REFERRAL_SCOPE_RULE = (
    " A referral is in a local area or an agency's figures when its case is; a referral not "
    "linked to a case counts where its referring agency belongs."
)


# --- Direct interventions with perpetrators ----------------------------------------------


def _direct_perpetrator_programmes():
    return Q(delivery=Delivery.DIRECT, recipient=Recipient.PERPETRATOR)


def _enrolments(scope):
    """The scope's enrolments on direct perpetrator programmes that have at least one
    session attended in the period (so the derived progress is computed on few rows)."""
    attended_in_period = Session.objects.filter(
        scope.instants("scheduled_at"),
        enrolment_id=OuterRef("pk"),
        status=SessionStatus.RECORDED,
        attendance__in=ATTENDED,
    )
    return Enrolment.objects.filter(
        scope.cases("case"),
        Exists(attended_in_period),
        partnership_id=scope.partnership_id,
        programme__delivery=Delivery.DIRECT,
        programme__recipient=Recipient.PERPETRATOR,
    )


def _interventions_started(scope):
    rows = with_progress(_enrolments(scope)).filter(scope.instants("first_attended_at"))
    return _counted(_stream(rows, "programme_id", "pk", "case_id"))


def _interventions_completed(scope):
    rows = (
        with_progress(_enrolments(scope))
        .filter(derived_status=EnrolmentStatus.COMPLETED)
        .filter(scope.instants("last_attended_at"))
    )
    return _counted(_stream(rows, "programme_id", "pk", "case_id"))


def _programmes(scope):
    """Direct perpetrator programmes open to the partnership (national and its own): the
    active ones, and any other with an enrolment in the partnership."""
    used = Enrolment.objects.filter(partnership_id=scope.partnership_id).values("programme_id")
    rows = (
        Programme.objects.filter(_direct_perpetrator_programmes())
        .filter(Q(partnership__isnull=True) | Q(partnership_id=scope.partnership_id))
        .filter(Q(active=True) | Q(pk__in=used))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return [(str(pk), name) for pk, name in rows]


# --- People trained ----------------------------------------------------------------------


def _training_events(scope):
    rows = TrainingEvent.objects.filter(
        scope.dates("delivered_on"), partnership_id=scope.partnership_id
    )
    if scope.local_area is not None:
        rows = rows.filter(
            Q(local_area=scope.local_area)
            | Q(local_area__isnull=True, delivered_by_id__in=scope.area_agency_ids())
        )
    if scope.agency_id is not None:
        rows = rows.filter(delivered_by_id=scope.agency_id)
    return (
        (audience, pk, None, attendees)
        for audience, pk, attendees in _stream(rows, "audience", "pk", "attendee_count")
    )


def _audiences(scope):
    return [(str(value), label) for value, label in TrainingAudience.choices]


# --- Victims supported -------------------------------------------------------------------


def _victims_supported(scope):
    contacts = Contact.objects.filter(
        scope.cases("episode__case"),
        scope.instants("at"),
        made=True,
        episode__partnership_id=scope.partnership_id,
    )
    rows = (
        contacts.values("episode__victim__person_id")
        .annotate(first_case=Min("episode__case_id"))
        .values_list("episode__victim__person_id", "first_case")
        .order_by()
        .iterator(chunk_size=CHUNK)
    )
    return (("", person, case, 1) for person, case in rows)


# --- Clinic discussions ------------------------------------------------------------------


def _clinic_discussions(scope):
    later_at_same_meeting = CaseDiscussion.objects.filter(
        case_id=OuterRef("case_id"),
        meeting_id=OuterRef("meeting_id"),
        version__gt=OuterRef("version"),
    )
    rows = CaseDiscussion.objects.filter(
        scope.cases("case"),
        scope.dates("meeting__held_on"),
        meeting__clinic__kind=MeetingKind.TRIAGE_CLINIC,
        meeting__partnership_id=scope.partnership_id,
    ).filter(~Exists(later_at_same_meeting))
    return _counted(_stream(rows, "decision", "pk", "case_id"))


def _clinic_decisions(scope):
    return [(str(value), label) for value, label in Decision.choices]


# --- Risk assessments --------------------------------------------------------------------


def _risk_assessments(scope):
    rows = Assessment.objects.filter(
        scope.cases("case"),
        scope.dates("assessed_on"),
        partnership_id=scope.partnership_id,
        status=AssessmentStatus.COMPLETE,
        instrument_version__instrument__purpose=InstrumentPurpose.RISK,
    ).exclude(level="")
    stream = _stream(rows, "instrument_version__instrument_id", "level", "pk", "case_id")
    return ((f"{instrument}:{level}", pk, case, 1) for instrument, level, pk, case in stream)


def _tools_and_levels(scope):
    """Every risk tool open to the partnership (active, or used by it) × the common levels."""
    used = Assessment.objects.filter(partnership_id=scope.partnership_id).values(
        "instrument_version__instrument_id"
    )
    tools = (
        Instrument.objects.filter(purpose=InstrumentPurpose.RISK)
        .filter(Q(partnership__isnull=True) | Q(partnership_id=scope.partnership_id))
        .filter(Q(active=True) | Q(pk__in=used))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return [
        (f"{pk}:{level}", f"{name}: {label}")
        for pk, name in tools
        for level, label in RiskLevel.choices
    ]


# --- Stalking protection orders ----------------------------------------------------------

SPO_KINDS = (OrderKind.SPO_INTERIM, OrderKind.SPO_FULL)


def _orders(scope):
    return ProtectiveOrder.objects.filter(scope.cases("case"), kind__in=SPO_KINDS)


def _spos_applied(scope):
    rows = _orders(scope).filter(scope.dates("applied_on"))
    return _counted(_stream(rows, "kind", "pk", "case_id"))


def _spos_granted(scope):
    rows = _orders(scope).filter(scope.dates("decided_on"), decision=OrderDecision.GRANTED)
    return _counted(_stream(rows, "kind", "pk", "case_id"))


def _spo_kinds(scope):
    return [(str(kind), kind.label) for kind in SPO_KINDS]


# --- Cases closed ------------------------------------------------------------------------

NO_REASON = "not_recorded"


def _cases_closed(scope):
    rows = Case.objects.filter(scope.cases(""), scope.dates("closed_on"))
    return (
        (reason or NO_REASON, pk, pk, 1)
        for reason, pk in _stream(rows, "closure_reason__code", "pk")
    )


def _closure_reasons(scope):
    return [*_codes(scope, CodeList.CLOSURE_REASON), (NO_REASON, "No reason recorded")]


METRICS: list[Metric] = [
    Metric(
        key="referrals_received",
        label="Referrals received",
        table="headline",
        unit="referral",
        rule=(
            "Referrals whose received date falls in the period, by referral source. Each "
            "referral counts once, so a case referred twice counts twice; a self-referral "
            "counts under the source it was recorded with." + REFERRAL_SCOPE_RULE
        ),
        units=_referrals_received,
        groups=_referral_sources,
    ),
    Metric(
        key="interventions_started",
        label="Direct interventions with perpetrators started",
        table="headline",
        unit="enrolment",
        rule=(
            "Enrolments on a programme delivered directly to perpetrators whose first "
            "attended session (attendance recorded as attended, attended without engaging, "
            "or late) falls in the period, by programme. A rescheduled session is replaced "
            "by its new appointment and never counts; cancelled and missed sessions do not "
            "count."
        ),
        units=_interventions_started,
        groups=_programmes,
    ),
    Metric(
        key="interventions_completed",
        label="Direct interventions with perpetrators completed",
        table="headline",
        unit="enrolment",
        rule=(
            "Enrolments on a programme delivered directly to perpetrators that are "
            "completed (the attended sessions reached the planned number and the person "
            "was not withdrawn) and whose last attended session falls in the period, by "
            "programme. Rescheduled sessions never count."
        ),
        units=_interventions_completed,
        groups=_programmes,
    ),
    Metric(
        key="people_trained",
        label="People trained",
        table="headline",
        unit="training event",
        rule=(
            "The number of attendees of training events delivered in the period, by "
            "audience. For a local area: events recorded for that area, and events recorded "
            "for no area that one of the area's agencies delivered."
        ),
        units=_training_events,
        groups=_audiences,
    ),
    Metric(
        key="victims_supported",
        label="Victims supported by an advocate",
        table="headline",
        unit="victim",
        rule=(
            "Victims with at least one contact made (the advocate and victim spoke or "
            "wrote; attempts do not count) in a support episode during the period. Each "
            "victim counts once, however many episodes, advocates or advocacy services "
            "supported them."
        ),
        units=_victims_supported,
    ),
    Metric(
        key="referrals_decided",
        label="Referrals decided",
        table="referrals",
        unit="referral",
        rule=(
            "Referrals whose decision (accepted, not stalking, not applicable or declined) "
            "was recorded in the period, by decision. A referral withdrawn by the referrer "
            "is not a decision and is not counted." + REFERRAL_SCOPE_RULE
        ),
        units=_referrals_decided,
        groups=_referral_decisions,
    ),
    Metric(
        key="clinic_discussions",
        label="Clinic discussions",
        table="clinic",
        unit="discussion",
        rule=(
            "Cases discussed at triage clinic meetings held in the period, by the clinic's "
            "decision. A case discussed at two meetings counts twice; where the summary of "
            "one meeting's discussion was saved again, only its latest version counts."
        ),
        units=_clinic_discussions,
        groups=_clinic_decisions,
    ),
    Metric(
        key="risk_assessments",
        label="Risk assessments completed",
        table="risk",
        unit="assessment",
        rule=(
            "Complete risk assessments dated (the day assessed, not the day typed in) in "
            "the period, by tool and level: the level after any override. Ratings brought "
            "in from an earlier system count on the date they were assessed at the level "
            "recorded, moderate as medium and moderate/high as high; a rating recorded as "
            "'not completed' rates nothing and is not counted. Drafts are not counted."
        ),
        units=_risk_assessments,
        groups=_tools_and_levels,
    ),
    Metric(
        key="spos_applied",
        label="Stalking protection orders applied for",
        table="orders",
        unit="order",
        rule="Stalking protection orders (interim or full) applied for in the period, by kind.",
        units=_spos_applied,
        groups=_spo_kinds,
    ),
    Metric(
        key="spos_granted",
        label="Stalking protection orders granted",
        table="orders",
        unit="order",
        rule=(
            "Stalking protection orders (interim or full) granted, with the decision dated "
            "in the period, by kind."
        ),
        units=_spos_granted,
        groups=_spo_kinds,
    ),
    Metric(
        key="cases_closed",
        label="Cases closed",
        table="closures",
        unit="case",
        rule="Cases whose closure date falls in the period, by the reason recorded for closing.",
        units=_cases_closed,
        groups=_closure_reasons,
    ),
]
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}


def metric_units(metric, scope):
    """{group: [[record id, case id, weight], …]} for the metric, with "" for the total.
    A record appears once per group and once in the total (its first case)."""
    by_group: dict[str, dict] = {group: {} for group, _label in metric.groups(scope)}
    total: dict = {}
    for group, record, case, weight in metric.units(scope):
        by_group.setdefault(group or "", {}).setdefault(record, [record, case, weight])
        total.setdefault(record, [record, case, weight])
    units = {group: list(records.values()) for group, records in by_group.items() if group}
    units[""] = list(total.values())
    return units


def group_labels(metric, scope):
    return dict(metric.groups(scope))


def figure_value(units):
    return sum(weight for _record, _case, weight in units)


def definitions(metrics: Iterable[Metric] = None):
    """Rows of the Definitions sheet: [label, counting rule]."""
    return [[metric.label, metric.rule] for metric in (metrics or METRICS)]
