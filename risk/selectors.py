"""Every read of risk data.

The first three functions are for other areas (agenda building, reminders, case lists):
they take ids, not a membership, because their callers have already scoped the cases.
Everything a request reads goes through the membership-scoped functions further down.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from audit.services import deny, visible_or_404
from cases.models import Case, external_id_filter
from cases.selectors.core import cases_visible_to
from risk import scoring
from risk.models import (
    Assessment,
    AssessmentStatus,
    Instrument,
    InstrumentPurpose,
    InstrumentVersion,
)

# "Latest" everywhere in this module: the assessment date, then completion time, then id.
LATEST_ORDER = ("-assessed_on", "-completed_at", "-id")


def _complete():
    """Complete assessments that give a level: a historic rating of "not completed" is
    complete but rates nothing, so it never becomes a case's current level."""
    return Assessment.objects.filter(status=AssessmentStatus.COMPLETE).exclude(level="")


def _latest_level_of_case():
    """A correlated subquery: the level of the outer case's latest complete assessment."""
    return Subquery(
        _complete().filter(case_id=OuterRef("pk")).order_by(*LATEST_ORDER).values("level")[:1]
    )


def current_level_by_case(case_ids) -> dict[int, str]:
    """{case id: level of its latest complete assessment (any instrument)}, one query.

    Cases with no complete assessment are left out.
    """
    rows = (
        Case.objects.filter(pk__in=list(case_ids))
        .annotate(current_level=_latest_level_of_case())
        .exclude(current_level__isnull=True)
        .exclude(current_level="")
        .values_list("pk", "current_level")
    )
    return dict(rows)


def high_risk_case_ids(partnership_id):
    """Ids of the partnership's cases whose latest complete assessment is high: a
    subquery, so ``Case.objects.filter(pk__in=high_risk_case_ids(p))`` is one query.

    Starts from the high assessments (few) and keeps those that are their case's latest,
    rather than working out the latest level of every case (290 ms at 40,000 cases)."""
    latest_of_case = Subquery(
        _complete().filter(case_id=OuterRef("case_id")).order_by(*LATEST_ORDER).values("pk")[:1]
    )
    return (
        _complete()
        .filter(level="high", case__partnership_id=partnership_id)
        .filter(pk=latest_of_case)
        .values("case_id")
    )


def reviews_due(on_or_before: date):
    """Complete assessments due for review on or before the date that are still the latest
    complete one for their case and instrument (a superseded assessment needs no review).

    Decided (issue 13): a review date already past when the assessment was recorded (one
    dated long ago, brought in from an earlier system) is history, not a review to chase:
    it causes no reminder and is not listed as due. Setting a new review date (always in
    the future) makes it due again. Historic ratings have no review date at all."""
    latest_for_case_and_tool = Subquery(
        _complete()
        .filter(
            case_id=OuterRef("case_id"),
            instrument_version__instrument_id=OuterRef("instrument_version__instrument_id"),
        )
        .order_by(*LATEST_ORDER)
        .values("pk")[:1]
    )
    recorded_on = TruncDate("completed_at", tzinfo=timezone.get_current_timezone())
    return (
        _complete()
        .filter(review_due_on__isnull=False, review_due_on__lte=on_or_before)
        .filter(review_due_on__gte=recorded_on)
        .filter(pk=latest_for_case_and_tool)
        .select_related("case", "assessor", "agency", "instrument_version__instrument")
        .order_by("review_due_on", "pk")
    )


# --- Reads for a request, scoped to the acting membership --------------------------------


def _all_purposes_visible_to(membership):
    return Instrument.objects.filter(
        Q(partnership__isnull=True) | Q(partnership_id=membership.agency.partnership_id)
    )


def instruments_visible_to(membership):
    """The risk tools: national instruments and the member's partnership's local ones.
    Psychometric measures and questionnaires are not risk tools (measures_visible_to)."""
    return _all_purposes_visible_to(membership).filter(purpose=InstrumentPurpose.RISK)


def measures_visible_to(membership, purpose):
    """Active instruments of a non-risk purpose (psychometric, questionnaire) with their
    current version as ``current``: two queries."""
    instruments = list(
        _all_purposes_visible_to(membership)
        .filter(purpose=purpose, active=True)
        .order_by("name", "pk")
    )
    latest = _latest_versions([i.pk for i in instruments])
    for instrument in instruments:
        instrument.current = latest.get(instrument.pk)
    return [i for i in instruments if i.current is not None]


def instrument_list(membership):
    """Visible instruments with their current version, two queries whatever the number."""
    instruments = list(instruments_visible_to(membership).order_by("partnership_id", "name"))
    latest = _latest_versions([i.pk for i in instruments])
    for instrument in instruments:
        instrument.current = latest.get(instrument.pk)
    return instruments


def _latest_versions(instrument_ids):
    newest = InstrumentVersion.objects.filter(instrument_id=OuterRef("instrument_id")).order_by(
        "-version"
    )
    versions = InstrumentVersion.objects.filter(
        instrument_id__in=instrument_ids, pk=Subquery(newest.values("pk")[:1])
    )
    return {v.instrument_id: v for v in versions}


def active_instrument_by_code(membership, code):
    """The active instrument with this code, the partnership's local tool before a
    national one with the same code (the same on every database: NULLs sort last)."""
    return (
        instruments_visible_to(membership)
        .filter(code=code, active=True)
        .order_by(F("partnership_id").asc(nulls_last=True))
        .first()
    )


def instrument_by_code(membership, code):
    """As active_instrument_by_code, inactive tools included (for ratings made in the
    past with a tool since retired)."""
    return (
        instruments_visible_to(membership)
        .filter(code=code)
        .order_by(F("partnership_id").asc(nulls_last=True))
        .first()
    )


def get_instrument_or_404(membership, pk):
    instrument = visible_or_404(membership, instruments_visible_to(membership), pk)
    instrument.current = current_version(instrument)
    return instrument


def get_local_instrument_or_404(membership, pk):
    """A local tool of the member's partnership (national ones are not edited here)."""
    instrument = get_instrument_or_404(membership, pk)
    if instrument.partnership_id is None:
        deny(membership, kind=Instrument._meta.label, pk=pk, reason="national instrument")
    return instrument


def startable_instruments(membership):
    return [i for i in instrument_list(membership) if i.active and i.current is not None]


def current_version(instrument):
    return instrument.versions.order_by("-version").first()


def instrument_versions(instrument):
    return instrument.versions.select_related("created_by").order_by("-version")


def assessments_visible_to(membership):
    """Assessments on the cases the member can see."""
    return Assessment.objects.filter(case__in=cases_visible_to(membership))


def _with_related(assessments):
    return assessments.select_related(
        "instrument_version__instrument", "assessor", "agency", "meeting", "subject", "case"
    )


def assessment_list(membership, *, case_id=None, external_source="", external_id=""):
    assessments = assessments_visible_to(membership)
    if case_id is not None:
        assessments = assessments.filter(case_id=case_id)
    assessments = external_id_filter(assessments, source=external_source, external_id=external_id)
    return _with_related(assessments).order_by(*LATEST_ORDER)


def get_assessment_or_404(membership, pk):
    """The assessment if its case is visible (404 and a denial row naming the id
    otherwise)."""
    return visible_or_404(membership, _with_related(assessments_visible_to(membership)), pk)


def case_assessments(case):
    """Every assessment of a case the caller has already checked, newest first, for the
    case's risk page: without the answers and the instrument versions' definitions and
    wording (the page shows neither; the definition was loaded again for every row)."""
    assessments = _with_related(Assessment.objects.filter(case=case)).defer(
        "answers", "instrument_version__definition", "instrument_version__item_wording"
    )
    return list(assessments.order_by(*LATEST_ORDER))


def case_risk_summary(case):
    """The case page's risk panel (on every case page): ``case_risk`` from one query that
    leaves out what the panel does not show (answers, the instrument's definition and
    wording, the assessor, agency, meeting and subject)."""
    assessments = (
        Assessment.objects.filter(case=case)
        .select_related("instrument_version__instrument")
        .only(
            "case_id",
            "status",
            "level",
            "historic",
            "recorded_level",
            "assessed_on",
            "completed_at",
            "result",
            "instrument_version__instrument_id",
            "instrument_version__instrument__name",
        )
        .order_by(*LATEST_ORDER)
    )
    return case_risk(case, list(assessments))


@dataclass
class CaseRisk:
    """A case's current risk: the latest complete assessment per instrument, the overall
    level (the latest complete assessment, as ``current_level_by_case``) and the history
    oldest first."""

    latest_by_instrument: list
    overall: object  # the latest complete Assessment, or None
    history: list
    drafts: int

    @property
    def level(self):
        return self.overall.level if self.overall else ""


def case_risk(case, assessments=None):
    """From the case's assessments (one query when not given). Only those that give a
    level count ("not completed" historic ratings are in the list of all assessments)."""
    assessments = case_assessments(case) if assessments is None else assessments
    complete = [a for a in assessments if a.status == AssessmentStatus.COMPLETE and a.level]
    latest = {}
    for assessment in complete:  # newest first: the first per instrument is the latest
        latest.setdefault(assessment.instrument_version.instrument_id, assessment)
    return CaseRisk(
        latest_by_instrument=sorted(
            latest.values(), key=lambda a: a.instrument_version.instrument.name
        ),
        overall=complete[0] if complete else None,
        history=list(reversed(complete)),
        drafts=sum(a.status == AssessmentStatus.DRAFT for a in assessments),
    )


def reviews_due_for_agency(membership, *, within_days=14, limit=5):
    """The agency's latest assessments whose review falls due within ``within_days`` (or
    is overdue), on cases the member can see: soonest first."""
    until = timezone.localdate() + timedelta(days=within_days)
    return reviews_due(until).filter(
        agency_id=membership.agency_id,
        case_id__in=cases_visible_to(membership).values("pk"),
    )[:limit]


def paired_by_instrument(records, before, after):
    """Measures or questionnaire responses (anything with ``instrument``, ``timing`` and
    ``result``) paired per instrument: [{instrument, before, after, scales}], where before
    and after are the records whose timing is ``before`` / ``after`` (or None) and scales
    are risk.scoring.scale_rows. In the order the instruments first appear."""
    pairs = {}
    for record in records:
        entry = pairs.setdefault(
            record.instrument_id, {"instrument": record.instrument, "before": None, "after": None}
        )
        if record.timing == before:
            entry["before"] = record
        elif record.timing == after:
            entry["after"] = record
    for entry in pairs.values():
        first, last = entry["before"], entry["after"]
        entry["scales"] = scoring.scale_rows(first and first.result, last and last.result)
    return list(pairs.values())
