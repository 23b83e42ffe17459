"""Formula injection (issue 9, item 16): one helper neutralises every cell the product
writes to a CSV or XLSX; what people typed is stored verbatim."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.importers import crime_screen
from cases.models import CrimeScreenEntry, ImportRun, ImportStatus
from config.spreadsheets import csv_writer, safe_cell, safe_row
from tests.factories_screening import csv_row


@pytest.mark.parametrize(
    "value",
    ["=1+1", '=HYPERLINK("https://x.invalid/?"&A1)', "+44 7700", "-2", "@SUM(A1)", "\tx", "\rx"],
)
def test_a_formula_cell_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Isla", "", " =1", "a=b", "'quoted", 5, -2, None, True])
def test_other_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_rows_and_writers_use_the_helper():
    assert safe_row(["=a", "b"]) == ["'=a", "b"]
    assert safe_row({"x": "@a", "y": 1}) == {"x": "'@a", "y": 1}
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["=cmd|' /C calc'!A0", "Isla"])
    writer.writerows([["+1", "-1"]])
    dict_out = io.StringIO()
    dict_writer = csv_writer(dict_out, fieldnames=["name"], lineterminator="\n")
    dict_writer.writeheader()
    dict_writer.writerow({"name": "=1+1"})
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=cmd|' /C calc'!A0", "Isla"],
        ["'+1", "'-1"],
    ]
    assert dict_out.getvalue() == "name\n'=1+1\n"


PRODUCT_DIRS = ("accounts", "audit", "cases", "config", "reporting", "risk", "triage")
WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|openpyxl|xlsxwriter")


def test_no_module_writes_a_spreadsheet_without_the_helper():
    """Every CSV or XLSX writer lives in config/spreadsheets.py or uses it."""
    offenders = []
    for folder in PRODUCT_DIRS:
        for path in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            if path.name == "spreadsheets.py" or "migrations" in path.parts:
                continue
            text = path.read_text()
            if WRITERS.search(text) and "safe_cell" not in text and "csv_writer" not in text:
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_formula_text_is_stored_verbatim_through_a_background_json_import(
    world, login, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    """JSON rows big enough for the background task are kept as JSON, not re-written as a
    CSV, so the stored text is what was sent."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)
    client = APIClient()
    login(world.members[Role.INVESTIGATOR], client)
    rows = [csv_row(n, summary=f'=HYPERLINK("x") {n}') for n in range(1, 5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/screening-imports/", {"rows": rows}, format="json")
    assert response.status_code in (201, 202), response.content
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 4
    assert run.file.name.endswith(".json")
    assert set(CrimeScreenEntry.objects.values_list("summary", flat=True)) == {
        f'=HYPERLINK("x") {n}' for n in range(1, 5)
    }
