"""Crime-screen API: police only, field-keyed errors, imports by JSON rows and CSV file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CrimeScreenEntry, ImportRun, ScreeningAction
from tests.factories_screening import CrimeScreenEntryFactory, csv_bytes, csv_row, offence


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


ENTRIES = reverse("api:screening-entry-list")
IMPORTS = reverse("api:screening-import-list")


@pytest.mark.parametrize(
    "role", [Role.CLINICIAN, Role.ADVOCATE, Role.PROBATION_OFFICER, Role.PARTNER, Role.MANAGER]
)
def test_non_police_get_403(api, world, role):
    target = CrimeScreenEntryFactory(partnership=world.partnership)
    client = api(world.members[role])
    for response in (
        client.get(ENTRIES),
        client.get(reverse("api:screening-entry-detail", args=[target.pk])),
        client.post(IMPORTS, {"rows": [csv_row(1)]}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["errors"]["detail"]
    assert CrimeScreenEntry.objects.count() == 1


def test_list_detail_scoped_and_logged(api, world):
    own = CrimeScreenEntryFactory(partnership=world.partnership)
    other = CrimeScreenEntryFactory(partnership=world.other_partnership_member.agency.partnership)
    member = world.members[Role.INVESTIGATOR]
    client = api(member)
    rows = client.get(ENTRIES).json()["results"]
    assert [r["crime_reference"] for r in rows] == [own.crime_reference]
    assert client.get(reverse("api:screening-entry-detail", args=[other.pk])).status_code == 404
    detail = client.get(reverse("api:screening-entry-detail", args=[own.pk])).json()
    assert detail["offence_code"] == "8L" and detail["actions"] == []
    assert AccessEvent.objects.filter(action=Action.LIST, actor=member.user).exists()
    assert AccessEvent.objects.filter(
        action=Action.VIEW, object_type="cases.CrimeScreenEntry", object_id=str(own.pk)
    ).exists()


def test_list_filters_and_bad_filter(api, world):
    CrimeScreenEntryFactory(partnership=world.partnership, domestic_abuse=True)
    CrimeScreenEntryFactory(partnership=world.partnership, offence=offence("195/12"))
    client = api(world.members[Role.POLICE_SUPERVISOR])
    assert client.get(ENTRIES, {"da": "yes"}).json()["count"] == 1
    assert client.get(ENTRIES, {"offence": offence("195/12").pk}).json()["count"] == 1
    bad = client.get(ENTRIES, {"recorded_from": "tomorrow-ish", "da": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"recorded_from", "da"}


def test_api_list_runs_a_fixed_number_of_queries(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    CrimeScreenEntryFactory.create_batch(5, partnership=world.partnership)
    client.get(ENTRIES)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(ENTRIES).json()["results"]) == 5
    CrimeScreenEntryFactory.create_batch(45, partnership=world.partnership)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(ENTRIES).json()["results"]) == 50
    assert len(few) == len(many)


def test_import_json_rows_then_again_unchanged(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    rows = [csv_row(n, da_flag=True) for n in range(1, 6)]
    first = client.post(IMPORTS, {"rows": rows}, format="json")
    assert first.status_code == 201
    assert first.json()["new_count"] == 5 and first.json()["status"] == "succeeded"
    assert CrimeScreenEntry.objects.filter(domestic_abuse=True).count() == 5
    second = client.post(IMPORTS, {"rows": rows}, format="json").json()
    assert (second["new_count"], second["unchanged_count"]) == (0, 5)
    run = ImportRun.objects.get(pk=second["id"])
    assert run.source == "api"
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.ImportRun", object_id=str(run.pk)
    ).exists()
    detail = client.get(reverse("api:screening-import-detail", args=[run.pk]))
    assert detail.json()["unchanged_count"] == 5


def test_import_csv_upload(api, world):
    client = api(world.members[Role.POLICE_SUPERVISOR])
    upload = SimpleUploadedFile("screen.csv", csv_bytes([csv_row(1), csv_row(2)]), "text/csv")
    response = client.post(IMPORTS, {"file": upload}, format="multipart")
    assert response.status_code == 201 and response.json()["new_count"] == 2


def test_refused_import_is_400_with_row_errors_and_nothing_saved(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    rows = [csv_row(1), csv_row(2, recorded_date="2024-02-30", offence_code="ZZ")]
    response = client.post(IMPORTS, {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert "nothing was imported" in body["errors"]["rows"][0]
    assert {(e["row"], e["field"]) for e in body["errors"]["rows_errors"]} == {
        (2, "recorded_date"),
        (2, "offence_code"),
    }
    assert CrimeScreenEntry.objects.count() == 0
    junk = SimpleUploadedFile("x.csv", b"\x00\x01\x02junk" * 100, "text/csv")
    bad_file = client.post(IMPORTS, {"file": junk}, format="multipart")
    assert bad_file.status_code == 400 and "binary" in bad_file.json()["errors"]["file"][0]
    nothing = client.post(IMPORTS, {}, format="json")
    assert nothing.status_code == 400 and "rows" in nothing.json()["errors"]


def test_record_actions_and_decide(api, world):
    target = CrimeScreenEntryFactory(partnership=world.partnership)
    url = reverse("api:screening-entry-actions", args=[target.pk])
    investigator = api(world.members[Role.INVESTIGATOR])
    bad = investigator.post(url, {"kinds": ["no_further_action"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"reason"}
    unknown = investigator.post(url, {"kinds": ["teleport"]}, format="json")
    assert unknown.status_code == 400 and "kinds" in unknown.json()["errors"]
    ok = investigator.post(
        url, {"kinds": ["reclassification"], "requested_offence": "008/65"}, format="json"
    )
    assert ok.status_code == 201
    action_id = ok.json()[0]["id"]
    target.refresh_from_db()
    assert target.screened_at is not None
    decide = reverse("api:screening-action-decide", args=[action_id])
    assert investigator.post(decide, {"outcome": "accepted"}, format="json").status_code == 403
    supervisor = api(world.members[Role.POLICE_SUPERVISOR])
    assert supervisor.post(decide, {"outcome": "maybe"}, format="json").status_code == 400
    decided = supervisor.post(decide, {"outcome": "refused"}, format="json")
    assert decided.status_code == 200 and decided.json()["reclassification_outcome"] == "refused"
    assert ScreeningAction.objects.get().decided_by == world.members[Role.POLICE_SUPERVISOR].user
    other = CrimeScreenEntryFactory(partnership=world.other_partnership_member.agency.partnership)
    assert (
        investigator.post(
            reverse("api:screening-entry-actions", args=[other.pk]),
            {"kinds": ["recorded_only"]},
            format="json",
        ).status_code
        == 404
    )
