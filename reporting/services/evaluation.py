"""Builds the evaluation pack: every table of reporting.selectors.evaluation over the run's
scope, as one CSV per table (``<key>.csv``), one XLSX with a sheet per table and a
Definitions sheet (each table's counting rule), and a figures snapshot the run page shows
as HTML (templates/reporting/_evaluation_tables.html) without reading the files."""

from django.utils import timezone

from reporting.documents import CSV_TYPE, XLSX_TYPE, Built, OutputFile, csv_bytes, xlsx_bytes
from reporting.selectors.evaluation import ANCHORS, DEFAULT_ANCHOR, evaluation_tables
from reporting.selectors.scope import Scope

# How many leading columns of each table hold labels rather than counts (the HTML view
# shows those as row headers and the rest as numbers).
LABEL_COLUMNS = {
    "interventions_by_reoffending": 2,
    "disposal_days": 2,
    "completeness": 2,
}


def anchor_of(run):
    anchor = (run.parameters or {}).get("anchor") or DEFAULT_ANCHOR
    return anchor if anchor in ANCHORS else DEFAULT_ANCHOR


def snapshot(tables, *, anchor, report_date):
    """{"tables": {key: {title, columns, rows, description, label_columns}}, ...}: rows as
    plain lists so the snapshot is JSON."""
    return {
        "anchor": anchor,
        "anchor_label": ANCHORS[anchor],
        "report_date": report_date.isoformat(),
        "tables": {
            table.key: {
                "title": table.title,
                "columns": list(table.columns),
                "rows": [list(row) for row in table.rows],
                "description": table.description,
                "label_columns": LABEL_COLUMNS.get(table.key, 1),
            }
            for table in tables
        },
    }


def definitions(tables, *, anchor, report_date):
    rows = [[table.title, table.description] for table in tables]
    rows.append(["Anchor", ANCHORS[anchor]])
    rows.append(
        ["Report date", f"{report_date:%d %B %Y}: the day the pack was built (London date)."]
    )
    return rows


def build(run, progress, *, report_date=None):
    """The pack for ``run``: ``report_date`` (the day windows are judged against) is the
    day it is built unless a test gives one."""
    report_date = report_date or timezone.localdate()
    anchor = anchor_of(run)
    tables, case_count = evaluation_tables(
        Scope.of_run(run), anchor=anchor, report_date=report_date, progress=progress
    )
    for table in tables:
        table.rows = list(table.rows)
    files = [OutputFile(f"{table.key}.csv", CSV_TYPE, csv_bytes(table)) for table in tables]
    progress(90)
    base = f"evaluation-pack-{run.period_start:%Y-%m-%d}-to-{run.period_end:%Y-%m-%d}"
    files.append(
        OutputFile(
            f"{base}.xlsx",
            XLSX_TYPE,
            xlsx_bytes(
                tables, definitions=definitions(tables, anchor=anchor, report_date=report_date)
            ),
        )
    )
    return Built(
        figures=snapshot(tables, anchor=anchor, report_date=report_date),
        files=files,
        row_count=case_count,
    )
