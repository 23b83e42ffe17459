"""Benchmark the evaluation pack at volume (PostgreSQL, its own database).

Usage:
    createdb -h 127.0.0.1 -U postgres h_evaluation_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_evaluation_bench
    python benchmarks/evaluation.py

Loads a partnership with CASES cases (default 20,000; the issue's bar is 100,000; a larger
CASES tops it up) made with bulk_create: a perpetrator and a victim each (genders and
dates of birth with blanks and "not known"), a referral each over two years (every tenth
referred twice), three crime-screen entries each (half with an outcome), a re-offending
event on two in five, a SASH rating on half (a tenth historic, some moderate/high), and an
enrolment on fACT with four attended sessions on a tenth. Then, in a fresh process (so the
load does not count), before and after ANALYZE, builds the pack for the whole two years
for each anchor and prints the time, the queries and the peak RSS.
Bars: under 30 s and 500 MB at 100,000 cases.
"""

import os
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
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
from cases.models import (  # noqa: E402
    Case,
    CaseParty,
    CrimeScreenEntry,
    Person,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
)
from interventions.models import Enrolment, Programme, Session, SessionStatus  # noqa: E402
from reporting.models import ReportKind, ReportRun  # noqa: E402
from reporting.services.evaluation import build  # noqa: E402
from risk.models import Assessment, InstrumentVersion  # noqa: E402

CASES = int(os.environ.get("CASES", "20000"))
BATCH = 2000
SLUG = "bench-evaluation"
START = date(2023, 4, 1)
END = date(2025, 3, 31)
GENDERS = ["female", "male", "male", "male", "", "not_known", "non_binary"]
TIERS = ["", "none", "1", "2", "3", "4", "not_known"]
SOURCES = ["police", "probation", "health", "advocacy", "marac", "helpline", "self_via_advocacy"]
LEVELS = ["low", "medium", "high"]
HISTORIC = ["low", "moderate", "moderate_high", "high", "not_completed"]


def _code(code_list, code):
    return ReferenceCode.objects.get(partnership=None, code_list=code_list, code=code, version=1)


def _person(partnership, n, role):
    born = None if n % 9 == 0 else date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
    return Person(
        partnership=partnership,
        given_names=role,
        family_name=f"Bench{n}",
        gender=GENDERS[(n + (role == "victim")) % len(GENDERS)],
        date_of_birth=born,
        date_of_birth_not_known=born is None and n % 2 == 0,
    )


def load():
    """Adds cases until the partnership has CASES (so a larger CASES tops it up)."""
    partnership, _ = Partnership.objects.get_or_create(
        slug=SLUG, defaults={"name": "Evaluation bench", "case_reference_prefix": "EB"}
    )
    police, health, advocacy = (
        Agency.objects.get_or_create(partnership=partnership, name=f"EB {kind}", kind=kind)[0]
        for kind in ["police", "health", AgencyKind.ADVOCACY]
    )
    leads = [police, police, health, advocacy]
    creator = User.objects.filter(email=f"creator@{SLUG}.test").first() or (
        User.objects.create_user(
            email=f"creator@{SLUG}.test", password="bench-password-123", full_name="Creator"
        )
    )
    loaded = Case.objects.filter(partnership=partnership).count()
    sources = [_code("referral_source", code) for code in SOURCES]
    offence = _code("offence", "008/66")
    outcomes = [_code("outcome", code) for code in ["1", "3", "8", "15", "16"]]
    sash = InstrumentVersion.objects.filter(
        instrument__partnership=None, instrument__code="sash"
    ).latest("version")
    fact = Programme.objects.get(partnership=None, code="fact")
    days = (END - START).days
    for first in range(loaded, CASES, BATCH):
        numbers = range(first, min(first + BATCH, CASES))
        with transaction.atomic():
            referred = {n: START + timedelta(days=(n * 7) % days) for n in numbers}
            cases = Case.objects.bulk_create(
                Case(
                    partnership=partnership,
                    reference=f"EB-{n:07d}",
                    summary="Bench case",
                    lead_agency=leads[n % len(leads)],
                    opened_on=referred[n],
                    tier=TIERS[n % len(TIERS)],
                    closed_on=referred[n] + timedelta(days=60) if n % 3 == 0 else None,
                    monitoring_started_on=referred[n] + timedelta(days=50) if n % 6 == 0 else None,
                    created_by=creator,
                )
                for n in numbers
            )
            perpetrators = Person.objects.bulk_create(
                _person(partnership, n, "perpetrator") for n in numbers
            )
            victims = Person.objects.bulk_create(_person(partnership, n, "victim") for n in numbers)
            parties = CaseParty.objects.bulk_create(
                [
                    CaseParty(case=case, person=person, role="perpetrator")
                    for case, person in zip(cases, perpetrators, strict=True)
                ]
                + [
                    CaseParty(case=case, person=person, role="victim")
                    for case, person in zip(cases, victims, strict=True)
                ]
            )
            referrals = []
            for n, case in zip(numbers, cases, strict=True):
                for extra in [0, 200] if n % 10 == 0 else [0]:
                    referrals.append(
                        Referral(
                            partnership=partnership,
                            case=case,
                            source=sources[n % len(sources)],
                            referring_agency=case.lead_agency,
                            received_on=referred[n] + timedelta(days=extra),
                            reason="Bench",
                            created_by=creator,
                        )
                    )
            Referral.objects.bulk_create(referrals)
            crimes = []
            for n, case in zip(numbers, cases, strict=True):
                for k in range(3):
                    recorded = referred[n] - timedelta(days=k * 10)
                    disposed = (n + k) % 2 == 0
                    crimes.append(
                        CrimeScreenEntry(
                            partnership=partnership,
                            crime_reference=f"EB/{n}/{k}",
                            recorded_on=recorded,
                            offence=offence,
                            case=case,
                            disposal=outcomes[(n + k) % len(outcomes)] if disposed else None,
                            disposal_on=recorded + timedelta(days=(n * 13 + k) % 300)
                            if disposed
                            else None,
                            row_hash=f"{n}-{k}",
                        )
                    )
            CrimeScreenEntry.objects.bulk_create(crimes)
            ReoffendingEvent.objects.bulk_create(
                ReoffendingEvent(
                    partnership=partnership,
                    case=case,
                    perpetrator=person,
                    occurred_on=referred[n] + timedelta(days=20 + (n * 11) % 400),
                    victim="same" if n % 3 else "new",
                    source="police_report",
                    created_by=creator,
                )
                for n, case, person in zip(numbers, cases, perpetrators, strict=True)
                if n % 5 < 2
            )
            assessments = []
            for n, case, person in zip(numbers, cases, perpetrators, strict=True):
                if n % 2:
                    continue
                historic = n % 10 == 0
                recorded = HISTORIC[n % len(HISTORIC)] if historic else ""
                level = {"moderate": "medium", "moderate_high": "high"}.get(recorded, recorded)
                assessments.append(
                    Assessment(
                        partnership=partnership,
                        case=case,
                        instrument_version=sash,
                        subject=person,
                        assessor=creator,
                        agency=case.lead_agency,
                        assessed_on=referred[n] + timedelta(days=5),
                        status="complete",
                        level=("" if recorded == "not_completed" else level)
                        if historic
                        else LEVELS[n % 3],
                        computed_level="" if historic else LEVELS[n % 3],
                        historic=historic,
                        recorded_level=recorded,
                        completed_at=timezone.now(),
                    )
                )
            Assessment.objects.bulk_create(assessments)
            chosen = [
                (n, case, party)
                for n, case, party in zip(numbers, cases, parties[: len(cases)], strict=True)
                if n % 10 == 1
            ]
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(
                    partnership=partnership,
                    case=case,
                    party=party,
                    programme=fact,
                    provider_agency=health,
                    referred_on=referred[n],
                    consent_signed_on=referred[n],
                    pathway="voluntary",
                    planned_sessions=4,
                    created_by=creator,
                )
                for n, case, party in chosen
            )
            Session.objects.bulk_create(
                Session(
                    enrolment=enrolment,
                    scheduled_at=timezone.make_aware(
                        datetime.combine(enrolment.referred_on + timedelta(days=7 * w), clock(10))
                    ),
                    modality="video",
                    status=SessionStatus.RECORDED,
                    attendance="attended_engaged",
                    created_by=creator,
                )
                for enrolment in enrolments
                for w in range(1, 5)
            )
        print(f"loaded {numbers[-1] + 1} cases", flush=True)
    return partnership


def measure():
    partnership = Partnership.objects.get(slug=SLUG)
    for anchor in ["referral", "monitoring_start", "intervention_end"]:
        run = ReportRun(
            partnership=partnership,
            kind=ReportKind.EVALUATION_PACK,
            period_start=START,
            period_end=END,
            parameters={"anchor": anchor},
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            built = build(run, lambda percent: None)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = sum(len(output.content) for output in built.files)
        print(
            f"anchor={anchor}: {built.row_count} cases, {elapsed:.2f} s, "
            f"{len(queries)} queries, files {size / 1024:.0f} KiB, "
            f"peak RSS {peak:.0f} MB (before the build {before:.0f} MB)",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        load()
        print("Before ANALYZE (the planner's statistics predate the load):", flush=True)
        subprocess.run([sys.executable, __file__, "measure"], check=True)  # noqa: S603
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does after a load this size
        print("After ANALYZE:", flush=True)
        subprocess.run([sys.executable, __file__, "measure"], check=True)  # noqa: S603
