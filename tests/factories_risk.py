"""Factories for risk assessments: rows made directly (fast); services are tested alone."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from risk.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion

_SIMPLE_DEFINITION = {
    "schema": 1,
    "sections": [
        {
            "code": "main",
            "label": "Questions",
            "items": [
                {"code": f"T-{n:02d}", "label": f"Question {n}", "scale": "yes_no"}
                for n in range(1, 4)
            ],
        }
    ],
    "scoring": {
        "method": "count_yes",
        "bands": [
            {"code": "low", "label": "Low", "level": "low", "min": 0, "max": 1},
            {"code": "high", "label": "High", "level": "high", "min": 2, "max": None},
        ],
    },
}


def make_instrument(partnership=None, code="test-tool", name="Test tool", definition=None):
    instrument = Instrument.objects.create(partnership=partnership, code=code, name=name)
    InstrumentVersion.objects.create(
        instrument=instrument,
        version=1,
        effective_from=date(2024, 1, 1),
        definition=definition or _SIMPLE_DEFINITION,
    )
    return instrument


def national_version(code):
    """The current version of a national instrument loaded by the data migration."""
    return (
        InstrumentVersion.objects.filter(instrument__partnership=None, instrument__code=code)
        .order_by("-version")
        .first()
    )


def make_assessment(
    case,
    membership,
    *,
    version=None,
    level="medium",
    status=AssessmentStatus.COMPLETE,
    assessed_on=None,
    review_due_on=None,
    answers=None,
    completed_at=None,
):
    """Complete ones are recorded on the day they are dated (``completed_at`` to say
    otherwise, e.g. a past assessment brought in today)."""
    version = version or national_version("dash")
    complete = status == AssessmentStatus.COMPLETE
    if complete and completed_at is None:
        completed_at = (
            timezone.make_aware(datetime.combine(assessed_on, time(12)))
            if assessed_on
            else timezone.now()
        )
    return Assessment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        instrument_version=version,
        assessor=membership.user,
        agency=membership.agency,
        assessed_on=assessed_on or timezone.localdate(),
        status=status,
        answers=answers or {},
        computed_level=level if complete else "",
        level=level if complete else "",
        review_due_on=review_due_on
        if review_due_on is not None
        else ((assessed_on or timezone.localdate()) + timedelta(days=90) if complete else None),
        completed_at=completed_at if complete else None,
    )
