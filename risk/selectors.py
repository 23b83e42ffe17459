"""Every read of risk data.

The first three functions are for other areas (agenda building, reminders, case lists):
they take ids, not a membership, because their callers have already scoped the cases.
Everything a request reads goes through the membership-scoped functions further down.
"""

from datetime import date

from django.db.models import OuterRef, Q, Subquery

from cases.models import Case
from risk.models import Assessment, AssessmentStatus, Instrument

# "Latest" everywhere in this module: the assessment date, then completion time, then id.
LATEST_ORDER = ("-assessed_on", "-completed_at", "-id")


def _complete():
    return Assessment.objects.filter(status=AssessmentStatus.COMPLETE)


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
    subquery, so ``Case.objects.filter(pk__in=high_risk_case_ids(p))`` is one query."""
    return (
        Case.objects.filter(partnership_id=partnership_id)
        .annotate(current_level=_latest_level_of_case())
        .filter(current_level="high")
        .values("pk")
    )


def reviews_due(on_or_before: date):
    """Complete assessments due for review on or before the date that are still the latest
    complete one for their case and instrument (a superseded assessment needs no review)."""
    latest_for_case_and_tool = Subquery(
        _complete()
        .filter(
            case_id=OuterRef("case_id"),
            instrument_version__instrument_id=OuterRef("instrument_version__instrument_id"),
        )
        .order_by(*LATEST_ORDER)
        .values("pk")[:1]
    )
    return (
        _complete()
        .filter(review_due_on__isnull=False, review_due_on__lte=on_or_before)
        .filter(pk=latest_for_case_and_tool)
        .select_related("case", "assessor", "agency", "instrument_version__instrument")
        .order_by("review_due_on", "pk")
    )


# --- Reads for a request, scoped to the acting membership --------------------------------


def instruments_visible_to(membership):
    """National instruments and the member's partnership's local ones."""
    return Instrument.objects.filter(
        Q(partnership__isnull=True) | Q(partnership_id=membership.agency.partnership_id)
    )


def current_version(instrument):
    return instrument.versions.order_by("-version").first()
