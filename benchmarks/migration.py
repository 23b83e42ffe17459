"""Benchmark a programme-sized migration through the workspace (PostgreSQL); issue 13 bars.

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_migration
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_migration
    python benchmarks/migration.py

Writes the CSV files of benchmarks/migration_data.py (1,200 cases with 2 parties each,
1,300 referrals, 5,000 crimes with disposals, 1,200 outcomes, 300 risk ratings, 300
re-offending events, closures) and loads them into a new partnership as its admin would:
for each file in order, upload and map (the headers are our field names), the dry run, then
the commit (the job's own function, in this process). Then loads the same files again.
Prints seconds per file and the totals. Bars: dry runs under 20 s, commits under 60 s, and
the second load (which must create nothing) under 30 s.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from benchmarks.migration_data import write_files  # noqa: E402
from imports import services  # noqa: E402
from imports.kinds import KINDS  # noqa: E402

ORDER = (
    "people",
    "cases",
    "referrals",
    "crimes",
    "outcomes",
    "risk_ratings",
    "reoffending",
    "closures",
)
SOURCE = "Programme evaluation"
BARS = {"dry run": 20, "commit": 60, "second load": 30}


def partnership_and_admin():
    stamp = time.strftime("%Y%m%d%H%M%S")
    partnership = Partnership.objects.create(
        name=f"Migration bench {stamp}", slug=f"bench-migration-{stamp}"
    )
    agencies = {
        kind: Agency.objects.create(partnership=partnership, name=f"{kind} agency", kind=kind)
        for kind in (AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.ADVOCACY)
    }
    user = User.objects.create_user(email=f"admin-{stamp}@bench.test", password="x")
    admin = Membership.objects.create(
        user=user,
        agency=agencies[AgencyKind.POLICE],
        role=Role.PARTNERSHIP_ADMIN,
        vetting_expires_on=date.today() + timedelta(days=365),
    )
    return partnership, admin


def load(folder, admin, kinds):
    """{kind: (rows, check seconds, commit seconds, created, updated, unchanged)}."""
    figures = {}
    for kind in kinds:
        data = (Path(folder) / f"{kind}.csv").read_bytes()
        batch = services.batch_upload(
            actor=admin.user,
            membership=admin,
            kind=kind,
            source_system=SOURCE,
            data=data,
            name=f"{kind}.csv",
        )
        started = time.perf_counter()
        batch = services.batch_check(actor=admin.user, membership=admin, batch=batch)
        checked = time.perf_counter() - started
        if batch.errors:
            raise SystemExit(f"{kind}: {len(batch.errors)} row errors, first {batch.errors[:3]}")
        started = time.perf_counter()
        batch = services.batch_commit_run(batch_id=batch.pk, token=None)
        committed = time.perf_counter() - started
        figures[kind] = (
            batch.row_count,
            checked,
            committed,
            batch.created_n,
            batch.updated_n,
            batch.unchanged_n,
        )
    return figures


def report(title, figures):
    print(f"\n{title}")
    print(
        f"{'file':14} {'rows':>6} {'dry run s':>10} {'commit s':>9} {'created':>8} "
        f"{'updated':>8} {'unchanged':>10}"
    )
    for kind, (rows, checked, committed, created, updated, unchanged) in figures.items():
        print(
            f"{kind:14} {rows:6,} {checked:10.1f} {committed:9.1f} {created:8,} "
            f"{updated:8,} {unchanged:10,}"
        )
    checked = sum(f[1] for f in figures.values())
    committed = sum(f[2] for f in figures.values())
    print(f"{'total':14} {'':6} {checked:10.1f} {committed:9.1f}")
    return checked, committed


def main():
    assert connection.vendor == "postgresql", "Run on PostgreSQL (set DATABASE_URL)."
    call_command("migrate", verbosity=0)
    kinds = [kind for kind in ORDER if kind in KINDS]
    missing = [kind for kind in ORDER if kind not in KINDS]
    partnership, admin = partnership_and_admin()
    with tempfile.TemporaryDirectory() as folder:
        write_files(folder, partnership_id=partnership.pk)
        first = load(folder, admin, kinds)
        checked, committed = report("First load", first)
        started = time.perf_counter()
        second = load(folder, admin, kinds)
        again = time.perf_counter() - started
        report("Second load of the same files", second)
    created_again = sum(f[3] + f[4] for f in second.values())
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    for name, seconds in (("dry run", checked), ("commit", committed), ("second load", again)):
        verdict = "met" if seconds < BARS[name] else "MISSED"
        print(f"{name:12} {seconds:6.1f} s  (bar {BARS[name]} s) {verdict}")
    print(f"second load created or updated {created_again} records (must be 0)")
    if missing:
        print(f"kinds not loaded (no kind yet): {', '.join(missing)}")


if __name__ == "__main__":
    main()
