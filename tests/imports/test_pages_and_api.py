"""Issue 13: the migration workspace as a partnership admin uses it (upload, map, check,
commit, roll back) and the bulk API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import Person
from imports.models import BatchStage, ImportBatch

pytestmark = pytest.mark.django_db

CSV = b"Person ID,Forename,Surname,Sex\nP1,Anna,Smith,F\nP2,Ben,Jones,M\n"


@pytest.fixture
def admin(world, client, login):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    return client


def _upload(admin, data=CSV, **fields):
    return admin.post(
        reverse("imports:new"),
        {
            "kind": "people",
            "source_system": "SPS sheet",
            "file": SimpleUploadedFile("people.csv", data, content_type="text/csv"),
            **fields,
        },
    )


def _mapping_post(batch, **extra):
    data = {
        "column__external_id": "Person ID",
        "column__given_names": "Forename",
        "column__family_name": "Surname",
        "column__gender": "Sex",
        "value__gender__0": "female",
        "value__gender__1": "male",
        "check": "1",
    }
    data.update(extra)
    return data


def test_upload_map_check_commit_and_roll_back(admin, django_capture_on_commit_callbacks):
    response = _upload(admin)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "imports:detail", args=[batch.pk]
    )

    page = admin.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gender: “F” means" in html and "Row 2" in html

    response = admin.post(reverse("imports:detail", args=[batch.pk]), _mapping_post(batch))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.stage == BatchStage.CHECKED and batch.created_n == 2

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.stage == BatchStage.COMMITTED
    assert Person.objects.get(external_id="P1").gender == "female"
    assert (
        "Roll back this import"
        in admin.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    )

    admin.post(reverse("imports:rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.stage == BatchStage.ROLLED_BACK
    assert not Person.objects.filter(external_source="SPS sheet").exists()


def test_row_errors_are_listed_and_commit_is_not_offered(admin):
    _upload(admin, CSV + b"P3,,Brown,F\n")
    batch = ImportBatch.objects.get()
    admin.post(reverse("imports:detail", args=[batch.pk]), _mapping_post(batch))
    html = admin.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Problems in the file" in html and "Enter the given names." in html
    assert "Commit:" not in html
    response = admin.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302
    assert not Person.objects.filter(external_source="SPS sheet").exists()


def test_an_unreadable_file_is_refused_at_the_field(admin):
    response = _upload(admin, "Forename\nAnna\n".encode("utf-16"))
    assert response.status_code == 400
    assert "UTF-16" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_required_column_left_unmapped_is_an_error_at_its_field(admin):
    _upload(admin)
    batch = ImportBatch.objects.get()
    response = admin.post(
        reverse("imports:detail", args=[batch.pk]),
        _mapping_post(batch, column__family_name=""),
    )
    assert response.status_code == 400
    assert "Choose the column that holds the family name." in response.content.decode()


def _api(world, login):
    client = APIClient()
    login(world.members[Role.PARTNERSHIP_ADMIN], client)
    return client


def test_bulk_api_creates_then_reports_unchanged(world, login):
    client = _api(world, login)
    url = reverse("api:import-bulk-list", kwargs={"kind": "people"})
    body = {
        "source_system": "SPS",
        "rows": [{"external_id": "P1", "given_names": "Anna", "family_name": "Smith"}],
    }
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    again = client.post(url, body, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert again["results"][0]["id"] == first.json()["results"][0]["id"]
    listed = client.get(reverse("api:import-batch-list")).json()
    assert len(listed["results"]) == 2


def test_bulk_api_row_errors_are_a_400_keyed_by_row_and_field(world, login):
    client = _api(world, login)
    url = reverse("api:import-bulk-list", kwargs={"kind": "people"})
    response = client.post(
        url,
        {"source_system": "SPS", "rows": [{"external_id": "P1", "given_names": "Anna"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "rows": [
            {"index": 0, "external_id": "P1", "errors": {"family_name": ["Enter the family name."]}}
        ]
    }
    assert not Person.objects.filter(external_source="SPS").exists()


def test_bulk_api_unknown_kind_is_404_and_other_roles_403(world, login):
    client = _api(world, login)
    assert client.post("/api/v1/imports/spaceships/bulk/", {}, format="json").status_code == 404
    police = APIClient()
    login(world.members[Role.INVESTIGATOR], police)
    url = reverse("api:import-bulk-list", kwargs={"kind": "people"})
    assert police.post(url, {}, format="json").status_code == 403


def test_external_id_filter_on_people_api(world, login):
    client = _api(world, login)
    url = reverse("api:import-bulk-list", kwargs={"kind": "people"})
    client.post(
        url,
        {
            "source_system": "SPS",
            "rows": [{"external_id": "P7", "given_names": "A", "family_name": "B"}],
        },
        format="json",
    )
    assert Person.objects.filter(external_source="SPS", external_id="P7").count() == 1


def _queries_for_detail(admin, batch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert admin.get(reverse("imports:detail", args=[batch.pk])).status_code == 200
    return len(queries)


def test_the_committed_batch_page_costs_the_same_whatever_its_size(
    admin, django_capture_on_commit_callbacks
):
    sizes = []
    for n, prefix in ((2, "A"), (40, "B")):
        rows = "".join(f"{prefix}{i},Given{i},Family{i},F\n" for i in range(n))
        _upload(admin, b"Person ID,Forename,Surname,Sex\n" + rows.encode())
        batch = ImportBatch.objects.order_by("-pk").first()
        admin.post(reverse("imports:detail", args=[batch.pk]), _mapping_post(batch))
        with django_capture_on_commit_callbacks(execute=True):
            admin.post(reverse("imports:commit", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.stage == BatchStage.COMMITTED
        sizes.append(_queries_for_detail(admin, batch))
    assert sizes[0] == sizes[1]


def test_the_progress_poll_does_not_read_the_files_rows(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _upload(admin)
    batch = ImportBatch.objects.get()
    assert batch.row_count == 2
    with CaptureQueriesContext(connection) as queries:
        response = admin.get(reverse("imports:detail", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="import-progress"' in response.content.decode()
    assert not any('"imports_importbatch"."rows"' in q["sql"] for q in queries.captured_queries)
