"""Rows for report runs (issue 14): the reports page, a run, its files and figures, and the
API. Reports are the partnership's: every role that may run reports reaches a run another
member asked for ("other_agency" is a run asked for by another agency's manager); another
partnership's run answers 404."""

from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.roles import Role
from reporting.models import ReportFigure, ReportFile, ReportKind, ReportRun
from reporting.periods import Quarter
from tests.matrix import Row

REPORTERS = frozenset({Role.POLICE_SUPERVISOR, Role.MANAGER, Role.PARTNERSHIP_ADMIN})
QUARTER = Quarter(2025, 1)


def _run(partnership, user):
    run = ReportRun.objects.create(
        partnership=partnership,
        kind=ReportKind.QUARTERLY_RETURN,
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        requested_by=user,
        status="succeeded",
        figures={"referrals_received": {"": 0}},
    )
    stored = ReportFile(run=run, name="return.csv", content_type="text/csv", size=3)
    stored.file.save(f"matrix-{run.pk}.csv", ContentFile(b"a,b"), save=False)
    stored.save()
    ReportFigure.objects.create(run=run, metric="referrals_received", group="", value=0)
    return run


def run_scopes(ctx, role):
    world = ctx.world
    own_user = world.members[role].user
    other_user = world.members[
        Role.POLICE_SUPERVISOR if role != Role.POLICE_SUPERVISOR else Role.MANAGER
    ].user
    other = world.other_partnership_member
    return {
        "own": ctx.once(f"run:{role}", lambda: _run(world.partnership, own_user)),
        "other_agency": ctx.once(f"run-other:{role}", lambda: _run(world.partnership, other_user)),
        "other_partnership": ctx.once(
            "run-elsewhere", lambda: _run(other.agency.partnership, other.user)
        ),
    }


def _file_url(name, run, ctx):
    return reverse(name, args=[run.pk, run.files.get().pk])


def _api_file_url(name, run, ctx):
    return reverse(name, kwargs={"pk": run.pk, "file_pk": run.files.get().pk})


def _figure_url(name, run, ctx):
    return reverse(name, args=[run.pk, "referrals_received"]) + "?group="


SCOPED = {"scoped": "report_run", "reaches_other_agency": REPORTERS}

ROWS = {
    "reporting:reports": Row(REPORTERS),
    "reporting:reports POST": Row(REPORTERS, method="post", ok=400),
    "reporting:run-detail": Row(REPORTERS, **SCOPED),
    "reporting:run-again": Row(REPORTERS, method="post", ok=302, **SCOPED),
    "reporting:run-retry": Row(REPORTERS, method="post", ok=302, **SCOPED),
    "reporting:run-file": Row(REPORTERS, url=_file_url, **SCOPED),
    "reporting:run-figure": Row(REPORTERS, url=_figure_url, **SCOPED),
    "api:report-run-list": Row(REPORTERS, anonymous=401),
    "api:report-run-list POST": Row(REPORTERS, method="post", ok=400, anonymous=401),
    "api:report-run-detail": Row(REPORTERS, anonymous=401, **SCOPED),
    "api:report-run-again": Row(REPORTERS, method="post", ok=201, anonymous=401, **SCOPED),
    "api:report-run-file": Row(REPORTERS, anonymous=401, url=_api_file_url, **SCOPED),
}

SCOPES = {"report_run": run_scopes}
