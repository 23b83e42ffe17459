"""Benchmark reporting at national scale (PostgreSQL, its own database); issue 14's bars.

Usage:
    createdb -h 127.0.0.1 -U postgres bench_reporting
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reporting
    python manage.py migrate && python benchmarks/reporting.py

Loads (once: benchmarks/reporting_data.py, ~100,000 cases over five years) and then
measures, each job in a fresh subprocess so its peak RSS (resource.getrusage ru_maxrss) is
the job's own:

1. the Home Office quarterly return for the last full financial quarter, whole
   partnership and one local area: a ReportRun (kind quarterly_return, requested by a
   manager) built by reporting.services.reports.report_run_build, timed from the call to
   the files stored (figures, XLSX, CSV, PDF, the stored figure rows and the ready
   notification), in a warm worker: the builder, WeasyPrint and the URLconf are loaded
   before the clock starts, and the seconds that took (what a cold worker's first job
   pays once) are printed beside it, with the time of each step. JOB_ROUNDS (3) builds
   each, a new run every time; the median is shown and the worst held to the bar.
   Bars: < 5 s, peak RSS < 500 MB.
2. the evaluation pack (kind evaluation_pack, anchor ANCHOR) over the longest period
   period_errors allows (five years to today), whole partnership and the local area.
   Bars: < 30 s, peak RSS < 500 MB. Reported as "not available" while the pack's builder
   is not in the code.
3. the manager dashboard (reporting:dashboard) through the Django test client signed in
   as the manager: p50/p95 over ROUNDS (30) requests of its default period (what the
   beat job counts ahead and the page keeps for a few minutes) for the whole partnership
   and the local area, each with the figures kept and worked out for every request (the
   cache cleared before each, outside the timing), and five years worked out.
   Bar: p95 < 200 ms. "Not available" while the page is not in the code.
4. the report run page and the drill-down of the return's largest figure (p50/p95; the
   drill-down lists the rows the manager may see and counts the rest).

Prints one table: time (or p50 and p95), peak RSS, queries and the one-minute load
average when each measurement ended (the machine is shared: read the times beside it).
Exits non-zero when a bar is missed. Env: ROUNDS, JOB_ROUNDS, AREA (the local area's name,
default Northshire), ANCHOR, MEDIA_DIR (where the runs' files go; default a folder under
the temporary directory). The data's own overrides are in benchmarks/reporting_data.py.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_DIR", str(Path(tempfile.gettempdir()) / "bench-reporting-media"))
# The ready email is sent in the job; kept in memory so it does not mix with the results.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Partnership  # noqa: E402
from accounts.roles import Role  # noqa: E402
from benchmarks.reporting_data import SLUG, load  # noqa: E402
from cases.models import Case, CrimeScreenEntry, Referral  # noqa: E402
from reporting.models import LocalArea, ReportFigure, ReportKind, ReportRun  # noqa: E402
from reporting.periods import period_errors, quarter_just_ended  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "30"))
JOB_ROUNDS = int(os.environ.get("JOB_ROUNDS", "3"))
AREA = os.environ.get("AREA", "Northshire")
# The evaluation pack's anchor for the re-offending windows: referral, monitoring_start or
# intervention_end.
ANCHOR = os.environ.get("ANCHOR", "referral")
RESULT = "RESULT "
BARS = {
    "return": (5.0, "s"),
    "evaluation": (30.0, "s"),
    "dashboard": (200.0, "ms"),
}
RSS_BAR_MB = 500


def _load_average():
    return os.getloadavg()[0]


def _cpu_seconds():
    """This process's CPU time (user and system): with the time waiting on the database,
    it tells work from waiting for a core on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _manager():
    return Membership.objects.select_related("agency", "user").get(
        user__email=f"{Role.MANAGER}north@{SLUG}.test", role=Role.MANAGER
    )


def _five_years(today):
    """The longest period period_errors accepts that ends today."""
    try:
        start = today.replace(year=today.year - 5)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 5, day=28)
    start += timedelta(days=1)
    assert not period_errors(start, today, today=today), period_errors(start, today, today=today)
    return start, today


class _QueryCounter:
    """Counts the statements a job runs, and the seconds spent waiting on them, without
    keeping their text (a figure's bulk insert is megabytes of SQL, and keeping it would
    inflate the job's RSS). Rows fetched later from a server-side cursor are not in the
    seconds."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


# --- In the subprocess -----------------------------------------------------------------


def _warm(kind):
    """Load what the build needs, as a worker that has run a job before has: the kind's
    builder, WeasyPrint (config.celery imports it when a worker starts) and the URLconf
    (the ready notification reverses the run's link). Returns the seconds it took (a cold
    worker's first job pays them once); raises ImportError when the kind's builder is not
    in the code yet."""
    import importlib

    from reporting.services import reports

    started = time.perf_counter()
    reports._builder(kind)
    importlib.import_module("weasyprint")
    reverse("reporting:reports")
    return time.perf_counter() - started


def _phases(kind, started, marks, built, ended):
    """Seconds per step. Every build: the builder ("build") and storing its files and
    figures ("store"). The return also reports progress up to 80 while it computes the
    metrics and 90 once the XLSX and CSV are written, then renders the PDF: those split
    the build into figures, xlsx+csv and pdf."""
    phases = {"build": built - started, "store": ended - built}
    if kind == ReportKind.QUARTERLY_RETURN and marks:
        figures = max((t for p, t in marks if p <= 80), default=started)
        files = max((t for p, t in marks if p <= 90), default=figures)
        phases.update(
            {"figures": figures - started, "xlsx+csv": files - figures, "pdf": built - files}
        )
    return phases


def job(kind, area_name):
    """Build one run in this (fresh) process and print its figures as a RESULT line."""
    from reporting.services import reports

    baseline = _peak_rss_mb()
    try:
        import_seconds = _warm(kind)
    except ImportError as error:
        print(RESULT + json.dumps({"available": False, "reason": str(error)}), flush=True)
        return
    marks = []
    real_progress = reports._progress

    def progress(run_id):
        report = real_progress(run_id)

        def timed(percent):
            report(percent)
            marks.append((min(99, int(percent)), time.perf_counter()))

        return timed

    reports._progress = progress
    built_at = []
    real_builder = reports._builder

    def builder(kind):
        build = real_builder(kind)

        def timed(run, progress):
            result = build(run, progress)
            built_at.append(time.perf_counter())
            return result

        return timed

    reports._builder = builder
    partnership = Partnership.objects.get(slug=SLUG)
    manager = _manager()
    today = timezone.localdate()
    if kind == ReportKind.QUARTERLY_RETURN:
        quarter = quarter_just_ended(today)
        start, end = quarter.start, quarter.end
    else:
        start, end = _five_years(today)
    area = LocalArea.objects.get(partnership=partnership, name=area_name) if area_name else None
    run = ReportRun.objects.create(
        partnership=partnership,
        kind=kind,
        period_start=start,
        period_end=end,
        local_area=area,
        parameters={"anchor": ANCHOR} if kind == ReportKind.EVALUATION_PACK else {},
        requested_by=manager.user,
    )
    counter = _QueryCounter()
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        reports.report_run_build(run_id=run.pk)
    ended = time.perf_counter()
    seconds = ended - started
    cpu = _cpu_seconds() - cpu
    run.refresh_from_db()
    files = list(run.files.values_list("name", "size"))
    print(
        RESULT
        + json.dumps(
            {
                "available": True,
                "run": run.pk,
                "period": f"{start} to {end}",
                "seconds": seconds,
                "rss_mb": _peak_rss_mb(),
                "baseline_mb": baseline,
                "queries": counter.count,
                "db_seconds": counter.seconds,
                "cpu_seconds": cpu,
                "rows": run.row_count,
                "figures": run.figure_rows.count(),
                "files": files,
                "imports": import_seconds,
                "phases": _phases(kind, started, marks, built_at[0], ended),
                "load": _load_average(),
            }
        ),
        flush=True,
    )


def _signed_in(membership):
    client = Client()
    client.force_login(membership.user)
    return client


def _measure(client, url, *, before=lambda: None):
    """(p50 ms, p95 ms, queries of one request, load average) over ROUNDS requests;
    ``before`` runs ahead of each request, outside the timing."""
    response = client.get(url)  # warm
    assert response.status_code == 200, (url, response.status_code)
    before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)
    timings = []
    for _ in range(ROUNDS):
        before()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, query_count, _load_average()


def pages(run_id):
    """Time the manager's pages and print them as a RESULT line."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.OTP_REQUIRED = False
    client = _signed_in(_manager())
    results = []
    try:
        dashboard = reverse("reporting:dashboard")
    except NoReverseMatch:
        dashboard = None
    if dashboard is None:
        results.append({"label": "dashboard", "available": False})
    else:
        area = LocalArea.objects.get(partnership__slug=SLUG, name=AREA)
        today = timezone.localdate()
        try:
            from reporting.selectors.dashboards import default_period

            start, end = default_period(today)
        except ImportError:
            start, end = today - timedelta(days=365), today
        five_start, five_end = _five_years(today)

        def period(first, last, area_pk=""):
            return f"{dashboard}?start={first:%d/%m/%Y}&end={last:%d/%m/%Y}&area={area_pk}"

        # The page keeps its figures a few minutes (the cache): measured as a manager
        # finds it when they are kept, and worked out afresh for every request.
        for label, url, before in (
            ("dashboard, default period (figures kept)", dashboard, lambda: None),
            ("dashboard, default period (worked out)", dashboard, cache.clear),
            (
                f"dashboard, default period, {AREA} (figures kept)",
                period(start, end, area.pk),
                lambda: None,
            ),
            (
                f"dashboard, default period, {AREA} (worked out)",
                period(start, end, area.pk),
                cache.clear,
            ),
            ("dashboard, 5 years (worked out)", period(five_start, five_end), cache.clear),
        ):
            p50, p95, queries, load = _measure(client, url, before=before)
            results.append(
                {"label": label, "p50": p50, "p95": p95, "queries": queries, "load": load}
            )
    if run_id:
        figure = (
            ReportFigure.objects.filter(run_id=run_id)
            .order_by("-value", "metric", "group")
            .values_list("metric", "group", "value")
            .first()
        )
        checks = [("report run page", reverse("reporting:run-detail", args=[run_id]))]
        if figure is not None:
            metric, group, value = figure
            url = reverse("reporting:run-figure", args=[run_id, metric])
            label = f"drill-down {metric}/{group or 'total'} ({value:,})"
            checks.append((label, f"{url}?group={group}"))
            checks.append((f"{label}, page 2", f"{url}?group={group}&page=2"))
        for label, url in checks:
            p50, p95, queries, load = _measure(client, url)
            results.append(
                {"label": label, "p50": p50, "p95": p95, "queries": queries, "load": load}
            )
    print(
        RESULT + json.dumps({"results": results, "rss_mb": _peak_rss_mb()}),
        flush=True,
    )


# --- The parent ------------------------------------------------------------------------


def _child(*args):
    """Run this file with ``args`` in a fresh interpreter; its RESULT line, parsed."""
    completed = subprocess.run(  # noqa: S603 (this file, with arguments made here)
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line.removeprefix(RESULT))
    sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
    raise SystemExit(f"{' '.join(args)}: no result (exit {completed.returncode})")


def _dataset_summary(partnership):
    """Each record kind: how many, and the share dated in the last full quarter (about a
    twentieth when the five years are spread evenly)."""
    from advocacy.models import Contact, SupportEpisode
    from interventions.models import Enrolment, Session
    from risk.models import Assessment

    quarter = quarter_just_ended(timezone.localdate())
    start, end = quarter.start, quarter.end
    kinds = [
        ("cases", Case.objects.filter(partnership=partnership), "opened_on"),
        ("referrals", Referral.objects.filter(partnership=partnership), "received_on"),
        (
            "crime-screen entries",
            CrimeScreenEntry.objects.filter(partnership=partnership),
            "recorded_on",
        ),
        (
            "support episodes",
            SupportEpisode.objects.filter(partnership=partnership),
            "referred_on",
        ),
        ("advocacy contacts", Contact.objects.filter(episode__partnership=partnership), "at"),
        ("enrolments", Enrolment.objects.filter(partnership=partnership), "referred_on"),
        (
            "sessions",
            Session.objects.filter(enrolment__partnership=partnership),
            "scheduled_at",
        ),
        ("risk assessments", Assessment.objects.filter(partnership=partnership), "assessed_on"),
    ]
    print(f"  record kind: rows (share dated in the last full quarter, {quarter.label})")
    for label, rows, field in kinds:
        lookup = "date__range" if field in ("at", "scheduled_at") else "range"
        total = rows.count()
        share = rows.filter(**{f"{field}__{lookup}": (start, end)}).count()
        print(f"    {label}: {total:,} ({share / max(1, total):.1%})")


def _job_rounds(kind, area, rounds):
    results = [_child("--job", kind, "--area", area) for _ in range(rounds)]
    if not results[0]["available"]:
        return {"available": False, "reason": results[0]["reason"]}
    seconds = sorted(r["seconds"] for r in results)
    last = results[-1]
    return {
        **last,
        "seconds": statistics.median(seconds),
        "worst": seconds[-1],
        "rss_mb": max(r["rss_mb"] for r in results),
        "load": max(r["load"] for r in results),
    }


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL.")
    started = time.perf_counter()
    partnership = load()
    print(f"data ready in {time.perf_counter() - started:.1f} s (a second run skips the load)")
    _dataset_summary(partnership)
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)

    rows, missed = [], []

    def job_row(label, result, bar_key, rounds):
        if not result["available"]:
            rows.append((label, "not available", "", "", "", "", "-"))
            print(f"  {label}: not available ({result['reason']})", flush=True)
            return
        bar, _unit = BARS[bar_key]
        met = result["worst"] < bar and result["rss_mb"] < RSS_BAR_MB
        if not met:
            missed.append(label)
        timing = f"{result['seconds']:.2f} s" + (
            f" (worst {result['worst']:.2f})" if rounds > 1 else ""
        )
        rows.append(
            (
                label,
                timing,
                f"{result['rss_mb']:.0f} MB",
                str(result["queries"]),
                f"{result['rows']:,}",
                f"{result['load']:.2f}",
                f"< {bar:g} s, < {RSS_BAR_MB} MB: " + ("met" if met else "MISSED"),
            )
        )
        files = ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in result["files"])
        phases = ", ".join(f"{step} {sec:.2f}" for step, sec in result["phases"].items())
        print(
            f"  {label}: {timing}, {result['period']}; last build: {phases} s "
            f"(Python CPU {result['cpu_seconds']:.2f} s, waiting on SQL "
            f"{result['db_seconds']:.2f} s); "
            f"imports before it (a cold worker) {result['imports']:.2f} s; "
            f"RSS after Django set-up {result['baseline_mb']:.0f} MB; files {files}",
            flush=True,
        )

    whole = _job_rounds(ReportKind.QUARTERLY_RETURN, "", JOB_ROUNDS)
    job_row("quarterly return, partnership", whole, "return", JOB_ROUNDS)
    area = _job_rounds(ReportKind.QUARTERLY_RETURN, AREA, JOB_ROUNDS)
    job_row(f"quarterly return, {AREA}", area, "return", JOB_ROUNDS)
    pack = _job_rounds(ReportKind.EVALUATION_PACK, "", 1)
    job_row("evaluation pack, 5 years, partnership", pack, "evaluation", 1)
    if pack["available"]:
        pack_area = _job_rounds(ReportKind.EVALUATION_PACK, AREA, 1)
        job_row(f"evaluation pack, 5 years, {AREA}", pack_area, "evaluation", 1)

    run_id = whole.get("run") if whole["available"] else None
    page_results = _child("--pages", str(run_id or 0))
    for result in page_results["results"]:
        if not result.get("available", True):
            rows.append((result["label"], "not available", "", "", "", "", "-"))
            continue
        mark = "-"
        if result["label"].startswith("dashboard"):
            bar, _unit = BARS["dashboard"]
            met = result["p95"] < bar
            mark = f"p95 < {bar:g} ms: " + ("met" if met else "MISSED")
            if not met:
                missed.append(result["label"])
        rows.append(
            (
                result["label"],
                f"{result['p50']:.1f} / {result['p95']:.1f} ms",
                "",
                str(result["queries"]),
                "",
                f"{result['load']:.2f}",
                mark,
            )
        )

    header = ("measurement", "time (p50 / p95)", "peak RSS", "queries", "rows", "load", "bar")
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    print()
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if missed:
        sys.exit(f"bar missed: {missed}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--job":
        area_name = sys.argv[4] if len(sys.argv) > 4 else ""
        job(sys.argv[2], area_name)
    elif len(sys.argv) > 1 and sys.argv[1] == "--pages":
        pages(int(sys.argv[2]))
    else:
        main()
