"""Benchmark the risk selectors other areas call (PostgreSQL, its own database).

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_risk_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_risk_bench
    python manage.py migrate && python benchmarks/risk.py

Loads (once) CASES cases (default 40,000) and ASSESSMENTS complete DASH and SASH
assessments (default 50,000; one to three per case, about 15% high, review dates from 60
days ago to 120 days ahead), then times, with p50/p95 over RUNS runs and the load average:
current_level_by_case for 40 cases (an agenda's worth), the partnership's high-risk cases
as the agenda builder uses them (Case.objects.filter(pk__in=high_risk_case_ids(p))), and
reviews_due(today) read as the reminder job reads it (.values()).
"""

import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind  # noqa: E402
from cases.models import Case  # noqa: E402
from risk.models import Assessment, AssessmentStatus, InstrumentVersion  # noqa: E402
from risk.selectors import current_level_by_case, high_risk_case_ids, reviews_due  # noqa: E402

CASES = int(os.environ.get("CASES", 40_000))
ASSESSMENTS = int(os.environ.get("ASSESSMENTS", 50_000))
RUNS = int(os.environ.get("RUNS", 15))


def load():
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL (DATABASE_URL=postgres://...).")
    partnership, created = Partnership.objects.get_or_create(
        slug="risk-bench", defaults={"name": "Risk bench", "case_reference_prefix": "RB"}
    )
    if not created and Case.objects.filter(partnership=partnership).exists():
        return partnership
    rng = random.Random(4)
    today = timezone.localdate()
    with transaction.atomic():
        agency = Agency.objects.create(
            partnership=partnership, name="Bench police", kind=AgencyKind.POLICE
        )
        user = User.objects.create(email="risk-bench@example.org", full_name="Bench")
        cases = Case.objects.bulk_create(
            [
                Case(
                    partnership=partnership,
                    reference=f"RB/{n:06d}",
                    summary="Bench case.",
                    lead_agency=agency,
                    created_by=user,
                    opened_on=today - timedelta(days=rng.randint(0, 900)),
                )
                for n in range(CASES)
            ],
            batch_size=5000,
        )
        versions = list(
            InstrumentVersion.objects.filter(
                instrument__partnership=None, instrument__code__in=["dash", "sash"]
            )
        )
        rows = []
        while len(rows) < ASSESSMENTS:
            case = rng.choice(cases)
            for _ in range(rng.randint(1, 3)):
                level = rng.choices(["low", "medium", "high"], [50, 35, 15])[0]
                assessed = today - timedelta(days=rng.randint(0, 400))
                rows.append(
                    Assessment(
                        partnership_id=case.partnership_id,
                        case=case,
                        instrument_version=rng.choice(versions),
                        assessor=user,
                        agency=agency,
                        assessed_on=assessed,
                        status=AssessmentStatus.COMPLETE,
                        computed_level=level,
                        level=level,
                        result={"score": 0, "level": level},
                        review_due_on=today + timedelta(days=rng.randint(-60, 120)),
                        # Recorded the day it was made (a review date already past on
                        # that day is never due: risk.selectors.reviews_due).
                        completed_at=timezone.make_aware(
                            datetime.combine(assessed, datetime.min.time())
                        ),
                    )
                )
        Assessment.objects.bulk_create(rows[:ASSESSMENTS], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE risk_assessment")
        cursor.execute("ANALYZE cases_case")
    return partnership


def timed(label, fn):
    times, queries, result = [], 0, None
    for _ in range(RUNS):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = fn()
        times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"{queries} queries, {result} rows"
    )


def main():
    partnership = load()
    today = timezone.localdate()
    ids = list(
        Case.objects.filter(partnership=partnership).order_by("?").values_list("pk", flat=True)[:40]
    )
    print(
        f"{Case.objects.filter(partnership=partnership).count()} cases, "
        f"{Assessment.objects.filter(case__partnership=partnership).count()} assessments"
    )
    timed("current_level_by_case (40 cases)", lambda: len(current_level_by_case(ids)))
    timed(
        "high-risk cases (agenda use)",
        lambda: Case.objects.filter(pk__in=high_risk_case_ids(partnership.pk)).count(),
    )
    timed(
        "reviews_due(today) as .values()",
        lambda: len(
            list(
                reviews_due(today)
                .order_by()
                .values("pk", "case_id", "case__reference", "assessor_id", "review_due_on")
            )
        ),
    )
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
