"""Rows for the research extract's pages: asking and the list for members who run reports
(police supervisor, manager, partnership admin); the decision for partnership admins only.

Scope "extract_run": "own" and "other_agency" are requests in the admin's partnership made
by the manager (an admin decides any of the partnership's requests, whoever's agency asked);
"other_partnership" is a request in another partnership (404)."""

from datetime import date

from accounts.roles import Role
from reporting.models import ApprovalStatus, ReportKind, ReportRun
from tests.matrix import ADMIN_ONLY, Row

REPORT_ROLES = frozenset({Role.POLICE_SUPERVISOR, Role.MANAGER, Role.PARTNERSHIP_ADMIN})


def _run(partnership, user, key):
    return ReportRun.objects.create(
        partnership=partnership,
        kind=ReportKind.RESEARCH_EXTRACT,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        requested_by=user,
        purpose=f"Evaluation of the pilot for the matrix ({key})",
        approval=ApprovalStatus.REQUESTED,
    )


def extract_run_scopes(ctx, role):
    world = ctx.world
    manager = world.members[Role.MANAGER].user
    other = world.other_partnership_member
    return {
        "own": ctx.once("extract_own", lambda: _run(world.partnership, manager, "own")),
        "other_agency": ctx.once(
            "extract_agency", lambda: _run(world.partnership, manager, "agency")
        ),
        "other_partnership": ctx.once(
            "extract_other", lambda: _run(other.agency.partnership, other.user, "other")
        ),
    }


ROWS = {
    "reporting:extract-list": Row(REPORT_ROLES),
    "reporting:extract-new": Row(REPORT_ROLES),
    "reporting:extract-new POST": Row(REPORT_ROLES, method="post", ok=400),
    "reporting:extract-decide": Row(ADMIN_ONLY, scoped="extract_run"),
    "reporting:extract-decide POST": Row(ADMIN_ONLY, scoped="extract_run", method="post", ok=400),
}

SCOPES = {"extract_run": extract_run_scopes}
