"""Benchmark the scoped reads of the foundation on a realistic volume.

Usage (PostgreSQL, an empty database it may fill):
    createdb -h 127.0.0.1 -U postgres stalking_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench make benchmark

Loads CASES cases (default 100,000) with two parties each, shares them across five
agencies with guardian grants, then times the case list (HTML and API, page 1 and a
search), the case page and the API detail for an agency-scoped investigator and a
partnership-wide clinic chair. Prints p50/p95 in milliseconds and queries per request.
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

from django.contrib.auth.models import Permission  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import (  # noqa: E402
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CaseParty,
    Person,
)

CASES = int(os.environ.get("CASES", "100000"))
ROUNDS = int(os.environ.get("ROUNDS", "40"))
BATCH = 5000


def load():
    if Partnership.objects.filter(slug="bench").exists():
        return
    partnership = Partnership.objects.create(name="Bench", slug="bench", case_reference_prefix="B")
    kinds = [
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.ADVOCACY,
        AgencyKind.PROBATION,
        AgencyKind.CPS,
    ]
    agencies = [
        Agency.objects.create(partnership=partnership, name=f"Bench {k}", kind=k) for k in kinds
    ]
    vetting = timezone.localdate() + timedelta(days=365)
    for email, role, agency in (
        ("inv@bench.test", Role.INVESTIGATOR, agencies[0]),
        ("chair@bench.test", Role.CLINIC_CHAIR, agencies[1]),
        ("clin@bench.test", Role.CLINICIAN, agencies[1]),
    ):
        user = User.objects.create_user(email=email, password="bench-password-123", full_name=email)
        Membership.objects.create(user=user, agency=agency, role=role, vetting_expires_on=vetting)
    creator = User.objects.get(email="inv@bench.test")
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    today = timezone.localdate()
    for start in range(0, CASES, BATCH):
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    partnership=partnership,
                    reference=f"B-{n:07d}",
                    summary="Bench case",
                    lead_agency=agencies[0],
                    opened_on=today - timedelta(days=n % 900),
                    created_by=creator,
                    officer_in_charge=creator if n % 7 == 0 else None,
                )
                for n in range(start, min(start + BATCH, CASES))
            )
            people = Person.objects.bulk_create(
                Person(
                    partnership=partnership,
                    given_names=f"Given{c.pk % 997}",
                    family_name=f"Family{(c.pk * 31 + i) % 4999}",
                )
                for c in cases
                for i in range(2)
            )
            CaseParty.objects.bulk_create(
                CaseParty(case=cases[i // 2], person=p, role="victim" if i % 2 else "perpetrator")
                for i, p in enumerate(people)
            )
            links, grants = [], []
            for case in cases:
                # Police on every case; health on a third, advocacy on a quarter, etc.
                shared = [agencies[0]] + [
                    a for k, a in zip((3, 4, 5, 6), agencies[1:], strict=True) if case.pk % k == 0
                ]
                for agency in shared:
                    links.append(CaseAgency(case=case, agency=agency, shared_by=creator))
                    grants.append(
                        CaseGroupObjectPermission(
                            group_id=agency.group_id, permission=view_case, content_object=case
                        )
                    )
            CaseAgency.objects.bulk_create(links)
            CaseGroupObjectPermission.objects.bulk_create(grants)
        print(f"  loaded {min(start + BATCH, CASES):,} cases", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(client, url):
    client.get(url)  # warm
    timings = []
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # read now: the next request resets the query log
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return statistics.median(timings), p95, query_count


def main():
    # Keep one connection for the whole run, as CONN_MAX_AGE does in production, and so
    # that the query log survives between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    print(f"Loading {CASES:,} cases on {connection.vendor}...")
    load()
    sample = Case.objects.filter(partnership__slug="bench", pk__isnull=False).order_by("pk")
    health_case = sample.filter(case_agencies__agency__kind=AgencyKind.HEALTH).first()
    rows = []
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for email in ("inv@bench.test", "clin@bench.test", "chair@bench.test"):
        client = Client()
        client.force_login(User.objects.get(email=email))
        for label, url in (
            ("case list page 1 (HTML)", "/cases/"),
            ("case list page 200 (HTML)", "/cases/?page=200"),
            ("case search by name (HTML)", "/cases/?q=Family123"),
            ("case list (API)", "/api/v1/cases/"),
            ("case page (HTML)", f"/cases/{health_case.pk}/"),
            ("case detail (API)", f"/api/v1/cases/{health_case.pk}/"),
        ):
            p50, p95, queries = measure(client, url)
            rows.append((email.split("@")[0], label, p50, p95, queries))
    print(f"\n{'user':<6} {'request':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for user, label, p50, p95, queries in rows:
        print(f"{user:<6} {label:<28} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
