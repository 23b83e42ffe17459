"""Benchmark the police daily crime screen on a realistic volume (PostgreSQL).

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_h1
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_h1
    python manage.py migrate && python manage.py seed_scale      # 300,000 crimes
    python benchmarks/screening.py

(a) imports a generated 10,000-row CSV of new crimes, then the same file again (0 new),
    through the import service the upload page and the Celery task call;
(b) times the worklist (HTML and API) as an investigator: unscreened-first page 1, filters,
    page 200. Prints seconds, p50/p95 in milliseconds and queries per request.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership  # noqa: E402
from cases.importers import crime_screen  # noqa: E402
from cases.models import CodeList, CrimeScreenEntry, ReferenceCode  # noqa: E402
from cases.services import screening as services  # noqa: E402

SLUG = os.environ.get("SLUG", "scale")
ROWS = int(os.environ.get("ROWS", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "40"))


def generated_csv(rows):
    import csv
    import io
    from datetime import timedelta

    stamp = int(time.time())
    today = timezone.localdate()
    codes = ["008/65", "008/66", "195/12", "8L", "8M", "BRO", "BSPO", "BNMO", "BCRO"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(crime_screen.COLUMNS)
    for n in range(rows):
        recorded = today - timedelta(days=n % 30)
        writer.writerow(
            [
                f"BM/{stamp}/{n:06d}",
                recorded.strftime("%d/%m/%Y") if n % 2 else recorded.isoformat(),
                codes[n % len(codes)],
                "Harassment",
                "Ex-partner sends repeated messages and turned up at her work. " * 3,
                "Y" if n % 3 else "N",
                f"PC {1000 + n % 300}",
                "Arthur Kellaway",
                "1980-02-18",
                "M",
                "Isla Brimble",
                "21/11/1990",
                "F",
                "Riverside",
                (recorded - timedelta(days=40)).isoformat(),
                (recorded - timedelta(days=1)).isoformat(),
                # Every other crime finalised by the police system, with its outcome.
                "16" if n % 2 else "",
                recorded.isoformat() if n % 2 else "",
                "",
                f"BM-{stamp}-{n}",
            ]
        )
    return out.getvalue().encode()


def timed_import(membership, data):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = services.import_start(
            actor=membership.user, membership=membership, data=data, original_name="bench.csv"
        )
    return run, time.perf_counter() - started, len(queries)


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
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], query_count


def main():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    membership = Membership.objects.select_related("agency", "user").get(
        user__email=f"inv@{SLUG}.test"
    )
    total = CrimeScreenEntry.objects.filter(partnership=membership.agency.partnership).count()
    print(f"{connection.vendor}: partnership {SLUG!r} holds {total:,} crime-screen entries")

    # (a) import: run in-process (the Celery task runs the same service).
    crime_screen.ASYNC_THRESHOLD = ROWS + 1
    data = generated_csv(ROWS)
    print(f"\nImport of {ROWS:,} rows ({len(data) / 1024 / 1024:.1f} MB)")
    for label in ("new", "re-import"):
        run, seconds, queries = timed_import(membership, data)
        assert run.status == "succeeded", run.message
        print(
            f"  {label:<10} {seconds:6.2f} s  {queries:>4} queries  new={run.new_count:,} "
            f"updated={run.updated_count:,} unchanged={run.unchanged_count:,}"
        )

    # (b) worklist
    offence = ReferenceCode.objects.get(
        code_list=CodeList.OFFENCE, code="195/12", partnership__isnull=True
    )
    client = Client()
    client.force_login(membership.user)
    rows = []
    for label, url in (
        ("worklist page 1, unscreened first", "/screening/"),
        ("worklist filter: offence 195/12", f"/screening/?offence={offence.pk}"),
        ("worklist filter: DA + unscreened", "/screening/?da=yes&screened=no"),
        ("worklist filter: area + dates", "/screening/?area=Riverside&recorded_from=2026-10-01"),
        ("worklist page 200", "/screening/?page=200"),
        ("API list page 1", "/api/v1/screening-entries/"),
        ("API list page 200", "/api/v1/screening-entries/?page=200"),
    ):
        p50, p95, queries = measure(client, url)
        rows.append((label, p50, p95, queries))
    print(f"\n{'request':<38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, p50, p95, queries in rows:
        print(f"{label:<38} {p50:>8.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
