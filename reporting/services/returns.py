"""Builds the Home Office quarterly return: every metric of reporting.selectors.returns over
the run's scope, stored with its records, and written as XLSX (a sheet per table and a
Definitions sheet), CSV (one long table) and PDF (the tables with charts)."""

from django.template.loader import render_to_string
from django.utils import timezone

from reporting.charts import hbar_chart
from reporting.documents import (
    CSV_TYPE,
    PDF_TYPE,
    XLSX_TYPE,
    Built,
    OutputFile,
    Table,
    csv_bytes,
    xlsx_bytes,
)
from reporting.selectors.returns import (
    METRICS,
    RETURN_TABLES,
    definitions,
    figure_value,
    group_labels,
    metric_units,
)
from reporting.selectors.scope import Scope

COLUMNS = ["Figure", "Breakdown", "Value"]


def compute(scope, *, progress=lambda percent: None):
    """(figures, figure_rows) for every metric: figures is {metric: {group: value}} with
    "" for the total; figure_rows is [(metric, group, value, units)]."""
    figures, figure_rows = {}, []
    for index, metric in enumerate(METRICS):
        by_group = metric_units(metric, scope)
        figures[metric.key] = {group: figure_value(units) for group, units in by_group.items()}
        figure_rows.extend(
            (metric.key, group, figure_value(units), units) for group, units in by_group.items()
        )
        progress(80 * (index + 1) / len(METRICS))
    return figures, figure_rows


def return_tables(figures, scope):
    """The return's tables, in order: rows of [figure, breakdown, value]."""
    tables = []
    for key, title in RETURN_TABLES:
        rows = []
        for metric in (m for m in METRICS if m.table == key):
            values = figures.get(metric.key, {})
            rows.append([metric.label, "Total", values.get("", 0)])
            labels = group_labels(metric, scope)
            for group, value in values.items():
                if group:
                    rows.append([metric.label, labels.get(group, group), value])
        tables.append(
            Table(
                key=key,
                title=title,
                columns=COLUMNS,
                rows=rows,
                widths=(45, 40, 12),
                charts=_charts(rows),
            )
        )
    return tables


def _charts(rows):
    """One bar chart per figure that is broken down (its parts); figures in different
    units (referrals, people trained) never share a chart."""
    parts = {}
    for figure, breakdown, value in rows:
        if breakdown != "Total":
            parts.setdefault(figure, []).append((breakdown, value))
    return [hbar_chart(figure, bars) for figure, bars in parts.items()]


def _csv_table(tables):
    rows = [[table.title, *row] for table in tables for row in table.rows]
    return Table(key="return", title="Return", columns=["Table", *COLUMNS], rows=rows)


def build(run, progress):
    scope = Scope.of_run(run)
    figures, figure_rows = compute(scope, progress=progress)
    tables = return_tables(figures, scope)
    base = f"home-office-return-{run.period_start:%Y-%m-%d}-to-{run.period_end:%Y-%m-%d}"
    files = [
        OutputFile(f"{base}.xlsx", XLSX_TYPE, xlsx_bytes(tables, definitions=definitions())),
        OutputFile(f"{base}.csv", CSV_TYPE, csv_bytes(_csv_table(tables))),
    ]
    progress(90)
    files.append(OutputFile(f"{base}.pdf", PDF_TYPE, _pdf(run, tables)))
    return Built(
        figures=figures,
        figure_rows=figure_rows,
        files=files,
        row_count=sum(len(units) for metric, group, value, units in figure_rows if not group),
    )


def _pdf(run, tables):
    from config.pdf import render_pdf

    html = render_to_string(
        "reporting/pdf/quarterly_return.html",
        {
            "run": run,
            "tables": tables,
            "definitions": definitions(),
            "generated_at": timezone.localtime(),
        },
    )
    content, _pages = render_pdf(html)
    return content
