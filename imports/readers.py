"""Read an uploaded CSV or XLSX into a header and rows of text, or refuse the whole file
with a reason a partnership admin can act on (wrong encoding, no header, too big)."""

import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

from cases.importers.crime_screen import FileRefused

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"

__all__ = ["FileRefused", "read_table"]


def read_table(data: bytes, name=""):
    """(headers, [(row number, {header: text}), ...]): the header is row 1, blank rows are
    skipped, every cell is text with surrounding spaces removed."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    header = next(table, None)
    if not header or not any(header):
        raise FileRefused("The file has no header row. The first row must name the columns.")
    headers = [cell.strip() for cell in header]
    seen = set()
    repeated = sorted({h for h in headers if h and (h in seen or seen.add(h))})
    if repeated:
        raise FileRefused(f"These columns appear twice: {', '.join(repeated)}.")
    rows = []
    for number, cells in enumerate(table, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileRefused(f"The file has more than {MAX_ROWS:,} rows. Split it.")
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
            raise FileRefused(
                f"Row {number} has {len(cells)} values; the header names {len(headers)}."
            )
        cells = list(cells) + [""] * (len(headers) - len(cells))
        rows.append((number, {h: c.strip() for h, c in zip(headers, cells, strict=False) if h}))
    if not rows:
        raise FileRefused("The file has a header row but no data rows.")
    return [h for h in headers if h], rows


def _csv_rows(data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRefused(
            "The file is saved as UTF-16. Save it as “CSV UTF-8” and upload it again."
        )
    if b"\x00" in data:
        raise FileRefused("The file is not CSV text (it holds binary data). Upload a CSV or XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"The file is not UTF-8 text (an unreadable character at byte {error.start + 1}). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise FileRefused(f"The file is not a valid CSV file: {error}.") from None


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data):
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(
            "The file is not a readable XLSX workbook. Save it again as .xlsx."
        ) from None
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_cell_text(value) for value in values]
    book.close()
