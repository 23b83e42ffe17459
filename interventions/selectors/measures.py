"""Reads of psychometric measures: only through an enrolment the member's agency delivers
(the clinical compartment's one rule, enrolments_visible_to)."""

from django.db.models import Avg, Count, F, OuterRef, Subquery

from interventions.models import Measure, MeasureTiming
from interventions.selectors.enrolments import enrolments_visible_to
from risk import selectors as risk_selectors
from risk.models import InstrumentPurpose


def measures_visible_to(membership):
    return Measure.objects.filter(enrolment__in=enrolments_visible_to(membership))


def programme_measures(membership, programme):
    """The psychometric instruments the programme takes, with their current version
    (``current``), in name order: three queries."""
    wanted = set(programme.measures.values_list("pk", flat=True))
    visible = risk_selectors.measures_visible_to(membership, InstrumentPurpose.PSYCHOMETRIC)
    return [instrument for instrument in visible if instrument.pk in wanted]


def enrolment_measures(enrolment):
    """The measures of an enrolment the caller found through get_enrolment_or_404."""
    return list(
        Measure.objects.filter(enrolment=enrolment)
        .select_related("instrument", "instrument_version", "recorded_by")
        .order_by("instrument__name", "-timing", "pk")
    )


def changes(measures):
    """Per instrument: its pre and post measures and each scale's change, post minus pre."""
    return risk_selectors.paired_by_instrument(measures, MeasureTiming.PRE, MeasureTiming.POST)


def mean_changes(enrolments, *, start, end):
    """{programme id: [(instrument name, mean change of the primary scale, people)]} over
    the given enrolments' post measures taken start..end that have a pre: one query."""
    pre_score = (
        Measure.objects.filter(
            enrolment_id=OuterRef("enrolment_id"),
            instrument_id=OuterRef("instrument_id"),
            timing=MeasureTiming.PRE,
        )
        .order_by()
        .values("score")[:1]
    )  # no default ordering: it would join and sort per row
    rows = (
        Measure.objects.filter(
            enrolment__in=enrolments,
            timing=MeasureTiming.POST,
            score__isnull=False,
            taken_on__gte=start,
            taken_on__lte=end,
        )
        .annotate(pre=Subquery(pre_score))
        .filter(pre__isnull=False)
        .values("enrolment__programme_id", "instrument__name")
        .annotate(mean=Avg(F("score") - F("pre")), n=Count("pk"))
        .order_by("enrolment__programme_id", "instrument__name")
    )
    result = {}
    for row in rows:
        result.setdefault(row["enrolment__programme_id"], []).append(
            (row["instrument__name"], round(row["mean"], 1), row["n"])
        )
    return result
