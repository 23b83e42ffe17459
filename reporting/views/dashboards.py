"""The manager dashboard: aggregate charts, each with its data table, for the acting
member's partnership over a period, optionally one local area. Counts only."""

from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from reporting import charts
from reporting.forms.dashboards import DashboardFilterForm
from reporting.selectors import dashboards as selectors


def _month_label(month):
    return month.strftime("%b %Y")


def _charts(board):
    """The SVG of every figure (coordinates only: the template draws them)."""
    months = [_month_label(month) for month in board.months]
    referrals = board.referrals
    caseload = [row for row in board.caseload if row.per_fte is not None]
    not_recorded = [row.agency for row in board.caseload if row.per_fte is None]
    caseload_description = (
        "Open cases per full-time equivalent member of staff: "
        + ("; ".join(f"{row.agency} {row.per_fte}" for row in caseload) or "none recorded")
        + "."
        + (f" Staff FTE not recorded for {', '.join(not_recorded)}." if not_recorded else "")
    )
    return {
        "referrals": charts.column_chart(
            "Referrals received per month by source",
            months,
            [(label, values) for _code, label, values in referrals.series],
            stacked=True,
        ),
        "screening": charts.column_chart(
            "Crime-screen entries: reclassification requested and accepted per month",
            months,
            [
                ("Reclassification requested", [row.requested for row in board.screening]),
                ("Reclassification accepted", [row.accepted for row in board.screening]),
            ],
        ),
        "actions": charts.stacked_hbar_chart(
            "Open actions by agency",
            [(row.agency, [row.overdue, row.not_yet_due]) for row in board.actions],
            ["Overdue", "Not yet due"],
        ),
        "interventions": charts.column_chart(
            "Interventions started, completed and ended per month",
            months,
            [
                ("Started", [row.started for row in board.interventions]),
                ("Completed", [row.completed for row in board.interventions]),
                ("Dropped out", [row.dropped_out for row in board.interventions]),
                ("Ended for another reason", [row.ended_other for row in board.interventions]),
            ],
        ),
        "victims": charts.column_chart(
            "Victims supported by an advocate per month",
            months,
            [("Victims supported", [n for _month, n in board.victims])],
        ),
        "caseload": charts.hbar_chart(
            "Open cases per staff FTE by agency",
            [(row.agency, float(row.per_fte)) for row in caseload],
            description=caseload_description,
        ),
    }


@member_required(Cap.VIEW_REPORTS, refusal="Only managers and supervisors see the dashboard.")
def dashboard(request):
    membership = request.membership
    today = timezone.localdate()
    form = DashboardFilterForm.from_query(request.GET, membership=membership, today=today)
    board = drawn = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        area = form.cleaned_data["area"]
        scope = selectors.dashboard_scope(membership, start=start, end=end, local_area=area)
        board = selectors.dashboard_cached(scope, today=today)
        drawn = _charts(board)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={
                "dashboard": "manager",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "local_area": area.pk if area else None,
            },
        )
    return render(
        request,
        "reporting/dashboard.html",
        {"form": form, "board": board, "charts": drawn},
        status=400 if form.errors else 200,
    )
