"""Benchmark interventions at the issue's volume (PostgreSQL, its own database).

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_interventions
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_interventions
    python benchmarks/interventions.py

Loads (once) a partnership with a police and a health agency, ENROLMENTS enrolments on fACT
(default 10,000, one perpetrator each on its own case) delivered by the health agency and
spread over five clinicians, with six sessions each (60,000): attended, a moved one (the
old row rescheduled and superseded), a provider cancellation, one booked ahead and, on a
tenth, one in the past with no attendance recorded; a twentieth withdrawn; a pre and post
AAQ-II on a third. Then times, through the Django test client signed in: the clinician's
caseload (their own, and the agency's whole list), the programme dashboard for the
clinician and for a manager (the fiscal year so far), with queries per request; and the
derived start / end / completion of every enrolment in one query (the grouped SQL of
interventions.selectors.enrolments.derived_progress, and the ORM's with_progress).
Bars: pages p95 under 100 ms with a fixed query count; derived for all under 500 ms.
"""

import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import Case, CaseParty, Person  # noqa: E402
from interventions.models import (  # noqa: E402
    Attendance,
    Enrolment,
    Measure,
    Programme,
    Session,
    SessionStatus,
)
from interventions.selectors.enrolments import derived_progress, with_progress  # noqa: E402
from risk.models import Instrument  # noqa: E402

ENROLMENTS = int(os.environ.get("ENROLMENTS", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "20"))
BATCH = 2000
SLUG = "bench-interventions"
CLINICIANS = 5


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, clock(hour)))


def _sessions(enrolment, n, today, creator):
    """Six rows: four attended weekly (the first after a move), a provider cancellation,
    and one booked ahead or, on every tenth, one past and unrecorded."""
    start = enrolment.referred_on + timedelta(days=7)
    rows, moved_from = [], None
    for week in range(4):
        day = start + timedelta(days=7 * week)
        rows.append(
            Session(
                enrolment=enrolment,
                scheduled_at=_at(day, 10),
                modality="video",
                status=SessionStatus.RECORDED,
                attendance=Attendance.LATE if week == 2 else Attendance.ATTENDED_ENGAGED,
                minutes=60,
                recorded_at=_at(day, 12),
                recorded_by=creator,
                created_by=creator,
            )
        )
    moved_from = Session(
        enrolment=enrolment,
        scheduled_at=_at(start, 9),
        modality="video",
        status=SessionStatus.RESCHEDULED,
        created_by=creator,
    )
    rows.append(
        Session(
            enrolment=enrolment,
            scheduled_at=_at(start + timedelta(days=35), 10),
            modality="phone",
            status=SessionStatus.RECORDED,
            attendance=Attendance.PROVIDER_CANCELLED,
            recorded_at=_at(start + timedelta(days=35), 11),
            recorded_by=creator,
            created_by=creator,
        )
    )
    ahead = today - timedelta(days=3) if n % 10 == 0 else today + timedelta(days=1 + n % 20)
    rows.append(
        Session(
            enrolment=enrolment, scheduled_at=_at(ahead, 14), modality="video", created_by=creator
        )
    )
    return rows, moved_from


def load():
    if Partnership.objects.filter(slug=SLUG).exists():
        return Partnership.objects.get(slug=SLUG)
    partnership = Partnership.objects.create(
        name="Interventions bench", slug=SLUG, case_reference_prefix="IB"
    )
    police = Agency.objects.create(
        partnership=partnership, name="IB police", kind=AgencyKind.POLICE
    )
    health = Agency.objects.create(
        partnership=partnership, name="IB health", kind=AgencyKind.HEALTH
    )
    vetting = timezone.localdate() + timedelta(days=365)
    clinicians = []
    for n in range(CLINICIANS):
        user = User.objects.create_user(
            email=f"clin{n}@{SLUG}.test", password="bench-password-123", full_name=f"Clin {n}"
        )
        Membership.objects.create(
            user=user, agency=health, role=Role.CLINICIAN, vetting_expires_on=vetting
        )
        clinicians.append(user)
    manager = User.objects.create_user(
        email=f"manager@{SLUG}.test", password="bench-password-123", full_name="Manager"
    )
    Membership.objects.create(
        user=manager, agency=police, role=Role.MANAGER, vetting_expires_on=vetting
    )
    fact = Programme.objects.get(partnership=None, code="fact")
    aaq = Instrument.objects.get(partnership=None, code="aaq-ii")
    version = aaq.versions.order_by("-version").first()
    today = timezone.localdate()
    creator = clinicians[0]
    for first in range(0, ENROLMENTS, BATCH):
        numbers = range(first, min(first + BATCH, ENROLMENTS))
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    partnership=partnership,
                    reference=f"IB-{n:07d}",
                    summary="Bench case",
                    lead_agency=police,
                    opened_on=today - timedelta(days=400),
                    created_by=creator,
                )
                for n in numbers
            )
            people = Person.objects.bulk_create(
                Person(partnership=partnership, given_names="Given", family_name=f"Family{n}")
                for n in numbers
            )
            parties = CaseParty.objects.bulk_create(
                CaseParty(case=case, person=person, role="perpetrator")
                for case, person in zip(cases, people, strict=True)
            )
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(
                    partnership=partnership,
                    case=case,
                    party=party,
                    programme=fact,
                    provider_agency=health,
                    practitioner=clinicians[n % CLINICIANS],
                    referred_on=today - timedelta(days=30 + n % 330),
                    pathway="voluntary",
                    planned_sessions=4 if n % 3 else 6,
                    consent_signed_on=today - timedelta(days=30 + n % 330),
                    withdrawn_on=today - timedelta(days=1) if n % 20 == 0 else None,
                    withdrawal_reason="disengaged" if n % 20 == 0 else "",
                    created_by=creator,
                )
                for n, case, party in zip(numbers, cases, parties, strict=True)
            )
            sessions, moved = [], []
            for n, enrolment in zip(numbers, enrolments, strict=True):
                rows, old = _sessions(enrolment, n, today, creator)
                sessions += rows
                moved.append(old)
            created = Session.objects.bulk_create(sessions)
            for old, new in zip(moved, created[::6], strict=True):
                old.superseded_by = new
            Session.objects.bulk_create(moved)
            measures = []
            for n, enrolment in zip(numbers, enrolments, strict=True):
                if n % 3:
                    continue
                for timing, value in (("pre", 5), ("post", 3 + n % 3)):
                    total = value * 7
                    measures.append(
                        Measure(
                            enrolment=enrolment,
                            instrument=aaq,
                            instrument_version=version,
                            timing=timing,
                            taken_on=enrolment.referred_on
                            + timedelta(days=5 if timing == "pre" else 60),
                            answers={f"AAQ2-{i:02d}": str(value) for i in range(1, 8)},
                            result={"method": "scales", "score": total},
                            score=total,
                            recorded_by=creator,
                        )
                    )
            Measure.objects.bulk_create(measures)
        print(f"  loaded {numbers[-1] + 1:,} enrolments", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return partnership


def measure(client, url):
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    query_count = len(queries)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], query_count


def with_progress_rows(enrolments):
    return list(
        with_progress(enrolments).values_list(
            "pk", "first_attended_at", "last_attended_at", "derived_status"
        )
    )


def derived_for_all(partnership, derive):
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = derive(Enrolment.objects.filter(partnership=partnership))
        timings.append((time.perf_counter() - started) * 1000)
    assert len(rows) == ENROLMENTS and len(queries) == 1
    timings.sort()
    return statistics.median(timings), max(timings), len(rows)


def main():
    assert connection.vendor == "postgresql", "Run on PostgreSQL (set DATABASE_URL)."
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.OTP_REQUIRED = False
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    partnership = load()
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    print(
        f"{Enrolment.objects.filter(partnership=partnership).count():,} enrolments, "
        f"{Session.objects.filter(enrolment__partnership=partnership).count():,} sessions"
    )
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    rows = []
    for email, pages in (
        (
            f"clin0@{SLUG}.test",
            (
                ("caseload, mine (HTML)", "/interventions/"),
                ("caseload, agency page 1 (HTML)", "/interventions/?mine=0"),
                ("caseload, agency page 100 (HTML)", "/interventions/?mine=0&page=100"),
                ("caseload, active (API)", "/api/v1/interventions/enrolments/?status=active"),
                ("programme dashboard (HTML)", "/interventions/dashboard/"),
                ("programme dashboard (API)", "/api/v1/interventions/dashboard/"),
            ),
        ),
        (f"manager@{SLUG}.test", (("programme dashboard (HTML)", "/interventions/dashboard/"),)),
    ):
        client = Client()
        client.force_login(User.objects.get(email=email))
        for label, url in pages:
            p50, p95, queries = measure(client, url)
            rows.append((email.split("@")[0], label, p50, p95, queries))
    print(f"\n{'user':<8} {'request':<34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for user, label, p50, p95, queries in rows:
        print(f"{user:<8} {label:<34} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    print()
    for label, derive in (
        ("derived_progress (grouped SQL)", derived_progress),
        ("with_progress (ORM subqueries)", with_progress_rows),
    ):
        p50, worst, count = derived_for_all(partnership, derive)
        print(
            f"derived start/end/completion for {count:,} enrolments, one query, {label}: "
            f"p50 {p50:.1f} ms, max {worst:.1f} ms"
        )
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
