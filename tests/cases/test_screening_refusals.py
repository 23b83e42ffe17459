"""A refused crime-screen file is reported on the upload page itself (GOV.UK error summary
linked to the file control), and the imports list shows how many rows the refusal had."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from cases.importers import crime_screen
from cases.models import CrimeScreenEntry, ImportRun, ImportStatus
from tests.factories_screening import csv_bytes, csv_row


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, data, name="screen.csv"):
    return client.post(
        reverse("screening:import-new"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def _summary_links(page):
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


WRONG_COLUMNS = csv_bytes(
    [csv_row(1), csv_row(2), csv_row(3)],
    columns=[c for c in crime_screen.COLUMNS if c != "offence_code"],
)
REFUSED = [
    ("binary", bytes(range(256)) * 40, "binary data", 0),
    ("wrong columns", WRONG_COLUMNS, "missing required column: offence_code", 3),
    (
        "bad rows",
        csv_bytes([csv_row(1), csv_row(2, da_flag="maybe"), csv_row(3, offence_code="99Z")]),
        "2 rows of 3 have problems",
        2,
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "message", "rejected"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_a_refused_file_is_reported_at_the_field_on_the_upload_page(
    world, client, login, name, data, message, rejected
):
    login(world.members[Role.INVESTIGATOR])
    response = _upload(client, data, f"{name}.csv")
    assert response.status_code == 400
    page = response.content.decode()
    links = _summary_links(page)
    assert len(links) == 1 and links[0][0] == "id_file" and message in links[0][1]
    # The link moves focus to the file control, which shows the same message.
    assert 'id="id_file"' in page and 'id="id_file-error"' in page
    assert "govuk-file-upload--error" in page
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.rejected_count == rejected
    assert CrimeScreenEntry.objects.count() == 0
    assert reverse("screening:import-detail", args=[run.pk]) in page


def test_row_problems_are_listed_on_the_upload_page(world, client, login):
    login(world.members[Role.POLICE_SUPERVISOR])
    response = _upload(client, csv_bytes([csv_row(1, offence_code="<b>99</b>")]))
    page = response.content.decode()
    assert "Problems by row" in page and "Unknown offence code" in page
    assert "<b>99</b>" not in page and "&lt;b&gt;99&lt;/b&gt;" in page


def test_the_imports_list_shows_the_rejected_count_of_a_refusal(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    _upload(client, WRONG_COLUMNS, "columns.csv")
    _upload(client, bytes(range(256)) * 40, "binary.csv")
    _upload(client, csv_bytes([csv_row(1), csv_row(2, da_flag="maybe")]), "rows.csv")
    page = client.get(reverse("screening:imports")).content.decode()
    cells = {
        name: re.search(
            rf"{re.escape(name)}</td>.*?(?:<td[^>]*>.*?</td>\s*){{5}}<td[^>]*>([^<]*)</td>",
            page,
            re.S,
        ).group(1)
        for name in ("columns.csv", "binary.csv", "rows.csv")
    }
    assert cells == {"columns.csv": "3", "binary.csv": "Whole file", "rows.csv": "1"}
