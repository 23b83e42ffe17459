"""The files a report run produces: tables as CSV and XLSX.

Every report kind describes its output as ``Table`` objects; this module writes them, so
every report's spreadsheets look and behave the same: a styled header row, frozen panes,
plain values (no formulas), and every text cell through config.spreadsheets.safe_cell
(formula injection). Rows may be a generator: the XLSX is written in openpyxl's write-only
mode and the CSV row by row, so a large table is never held in memory twice."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from config.spreadsheets import csv_writer, safe_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B0C0C")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
PDF_TYPE = "application/pdf"
SHEET_TITLE_MAX = 31  # Excel's limit


@dataclass
class Table:
    key: str  # file and sheet name: "referral_source"
    title: str  # what a person reads: "Referrals by source"
    columns: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    description: str = ""  # the counting rule, for the Definitions sheet
    widths: Sequence[int] = ()
    charts: list = field(default_factory=list)  # SVG charts (reporting.charts) for the PDF


def csv_bytes(table):
    """The table as UTF-8 CSV (with a byte-order mark, so Excel reads the encoding); the
    first row names the columns."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(table.columns))
    for row in table.rows:
        writer.writerow(list(row))
    return out.getvalue().encode("utf-8")


def _header(sheet, columns):
    cells = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(name))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _width(table, index):
    if index < len(table.widths):
        return table.widths[index]
    return max(12, min(60, len(str(table.columns[index])) + 4))


def xlsx_bytes(tables, *, definitions=None):
    """One workbook, a sheet per table (header styled, top row frozen), and a Definitions
    sheet when ``definitions`` (rows of [name, definition]) is given."""
    book = Workbook(write_only=True)
    for table in tables:
        _write_sheet(book, table)
    if definitions is not None:
        _write_sheet(
            book,
            Table(
                key="Definitions",
                title="Definitions",
                columns=["Figure", "How it is counted"],
                rows=definitions,
                widths=(40, 110),
            ),
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(book, table):
    sheet = book.create_sheet(title=table.key[:SHEET_TITLE_MAX])
    for index in range(len(table.columns)):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = _width(table, index)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, table.columns))
    for row in table.rows:
        sheet.append([safe_cell(value) for value in row])


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class OutputFile:
    name: str
    content_type: str
    content: bytes


@dataclass
class Built:
    """What a report kind's builder returns: the figures snapshot, the figure rows (for
    the drill-down; may be empty), the files, and how many records it covered."""

    figures: dict = field(default_factory=dict)
    figure_rows: list = field(default_factory=list)  # [(metric, group, value, units)]
    files: list = field(default_factory=list)  # [OutputFile]
    row_count: int = 0
