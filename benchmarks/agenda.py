"""Benchmark building a 40-case agenda (issue 4 bar: under 300 ms, fixed query count).

Usage (PostgreSQL, an empty database it may fill):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_clinic_bench \\
        .venv/bin/python benchmarks/agenda.py

Migrates, then loads BACKGROUND cases (default 2,000) that match no rule and 40 cases
that do (a new referral, a high risk assessment and an overdue action each), all shared
with the clinic's agencies; a second run on the same database reuses them. Each run
creates a meeting, times ``build_agenda`` on it and deletes it. Prints p50/p95 in
milliseconds, the query count per build and the load average.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import Case  # noqa: E402
from tests.factories import (  # noqa: E402
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    make_referral,
    open_case,
)
from tests.factories_risk import make_assessment  # noqa: E402
from tests.factories_triage import ActionFactory, ClinicFactory, MeetingFactory  # noqa: E402
from triage.models import AgendaItem, Clinic, Meeting  # noqa: E402
from triage.services.agenda import build_agenda  # noqa: E402

BACKGROUND = int(os.environ.get("BACKGROUND", "2000"))
MATCHING = 40
RUNS = int(os.environ.get("RUNS", "30"))
BENCH_NAME = "Agenda bench"


def load():
    partnership = PartnershipFactory(name=BENCH_NAME, slug="agenda-bench")
    police = AgencyFactory(partnership=partnership, name="Bench police", kind=AgencyKind.POLICE)
    health = AgencyFactory(partnership=partnership, name="Bench health", kind=AgencyKind.HEALTH)
    investigator = MembershipFactory(agency=police, role=Role.INVESTIGATOR)
    clinic = ClinicFactory(partnership=partnership, agencies=[police, health])
    for _ in range(BACKGROUND):
        open_case(investigator, shared_with=[health])
    today = timezone.localdate()
    for _ in range(MATCHING):
        case = open_case(investigator, shared_with=[health])
        make_referral(investigator, case, received_on=today)
        make_assessment(case, investigator, level="high")
        ActionFactory(
            case=case,
            owner_agency=police,
            created_by=investigator.user,
            due_on=today - timedelta(days=3),
        )
    return clinic


def main():
    assert connection.vendor == "postgresql", "Run on PostgreSQL (set DATABASE_URL)."
    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.filter(partnership__name=BENCH_NAME).first()
    if clinic is None:  # a second run reuses the data (its overdue actions stay overdue)
        started = time.perf_counter()
        clinic = load()
        print(f"loaded {BACKGROUND + MATCHING} cases in {time.perf_counter() - started:.1f} s")
    total = Case.objects.filter(partnership=clinic.partnership).count()
    day = timezone.localdate() + timedelta(days=2)
    timings, queries = [], set()
    for _ in range(RUNS):
        meeting = MeetingFactory(clinic=clinic, held_on=day)
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            build_agenda(meeting)
            timings.append((time.perf_counter() - begin) * 1000)
        queries.add(len(captured))
        assert AgendaItem.objects.filter(meeting=meeting).count() == MATCHING
        AgendaItem.objects.filter(meeting=meeting).delete()
        Meeting.objects.filter(pk=meeting.pk).delete()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"build_agenda, {MATCHING} cases of {total}: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"queries per build {sorted(queries)}, load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
