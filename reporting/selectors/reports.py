"""Report runs a member may see, and the rows behind a figure as far as the reader may see
them.

Runs are the partnership's: every member who may run reports (Cap.VIEW_REPORTS) sees its
runs, except research extracts, which only the requester and the partnership admins see.
A figure's rows are shown only where the reader may see the case (the case access policy);
the rest are counted, never named, so a manager without case access gets counts only."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import can
from accounts.roles import Cap
from audit.services import visible_or_404
from cases.selectors.core import cases_visible_to
from reporting.models import (
    ReportFigure,
    ReportFile,
    ReportKind,
    ReportRun,
    TrainingEvent,
)
from reporting.selectors.returns import METRICS, METRICS_BY_KEY, RETURN_TABLES, group_labels
from reporting.selectors.scope import Scope, id_list

RUN_FIELDS = ("local_area", "agency", "requested_by", "partnership")


def runs_visible_to(membership):
    runs = ReportRun.objects.filter(partnership_id=membership.agency.partnership_id)
    if not can(membership, Cap.MANAGE_PARTNERSHIP):
        runs = runs.filter(
            ~Q(kind=ReportKind.RESEARCH_EXTRACT) | Q(requested_by_id=membership.user_id)
        )
    return runs.select_related(*RUN_FIELDS)


def get_run_or_404(membership, pk):
    """The run, or a 404 with one denial row (out of scope and missing alike)."""
    return visible_or_404(membership, runs_visible_to(membership), pk)


def get_file_or_404(membership, run_pk, file_pk):
    run = get_run_or_404(membership, run_pk)
    files = ReportFile.objects.filter(run=run).select_related("run")
    return visible_or_404(membership, files, file_pk)


def run_files(run):
    return list(run.files.all())


def figure_table(run):
    """The run's stored figures for its page, table by table in the return's order:
    [(table title, [row])], each figure's total first and then its groups in their order.
    A row: metric, group, label, value, and the value in the run this one repeats."""
    previous = run.previous.figures if run.previous_id and run.previous else None
    scope = Scope.of_run(run)
    tables = []
    for table_key, title in RETURN_TABLES:
        rows = []
        for metric in (m for m in METRICS if m.table == table_key):
            values = run.figures.get(metric.key)
            if values is None:
                continue
            labels = group_labels(metric, scope)
            ordered = ["", *labels, *sorted(set(values) - set(labels) - {""})]
            for group in (group for group in ordered if group in values):
                before = None
                if previous is not None:
                    before = previous.get(metric.key, {}).get(group, 0)
                rows.append(
                    {
                        "metric": metric,
                        "group": group,
                        "label": labels.get(group, group) if group else "Total",
                        "value": values[group],
                        "previous": before,
                        "changed": before is not None and before != values[group],
                    }
                )
        if rows:
            tables.append((title, rows))
    return tables


def pack_changes(run):
    """The keys of the evaluation pack's tables whose cells differ from the run it
    repeats (empty when it repeats none)."""
    if not run.previous_id or run.previous is None:
        return set()
    before = run.previous.figures.get("tables", {})
    after = run.figures.get("tables", {})
    return {
        key
        for key in set(before) | set(after)
        if (before.get(key) or {}).get("rows") != (after.get(key) or {}).get("rows")
    }


def get_figure_or_404(run, metric, group):
    if metric not in METRICS_BY_KEY:
        raise Http404
    return get_object_or_404(ReportFigure, run=run, metric=metric, group=group)


def figure_label(run, figure):
    if not figure.group:
        return "Total"
    metric = METRICS_BY_KEY[figure.metric]
    return group_labels(metric, Scope.of_run(run)).get(figure.group, figure.group)


def figure_rows(membership, figure):
    """(rows the reader may see, how many they may not). A row is a dict with the record
    id, its case (id and reference) and its weight; training rows carry the event."""
    units = figure.units
    metric = METRICS_BY_KEY[figure.metric]
    if metric.unit == "training event":
        events = {
            event.pk: event
            for event in TrainingEvent.objects.filter(
                pk__in=[record for record, _case, _weight in units],
                partnership_id=figure.run.partnership_id,
            ).select_related("delivered_by")
        }
        shown = [
            {"record": record, "event": events[record], "weight": weight}
            for record, _case, weight in units
            if record in events
        ]
        return shown, len(units) - len(shown)
    case_ids = sorted({case for _record, case, _weight in units if case})
    visible = dict(
        cases_visible_to(membership).filter(pk__in=id_list(case_ids)).values_list("pk", "reference")
    )
    shown = [
        {"record": record, "case_id": case, "reference": visible[case], "weight": weight}
        for record, case, weight in units
        if case in visible
    ]
    return shown, len(units) - len(shown)
