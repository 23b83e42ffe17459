"""External ids on crime-screen entries, and linking an entry to a case through the API
(issue 13)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CrimeScreenEntry, ImportStatus
from cases.services import screening as services
from tests.factories_screening import CrimeScreenEntryFactory, csv_bytes, csv_row


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


def _import(world, rows, **kwargs):
    member = world.members[Role.INVESTIGATOR]
    return services.import_start(
        actor=member.user, membership=member, data=csv_bytes(rows), **kwargs
    )


def _ids():
    return dict(CrimeScreenEntry.objects.values_list("crime_reference", "external_source")), dict(
        CrimeScreenEntry.objects.values_list("crime_reference", "external_id")
    )


def test_rows_carry_their_external_id_and_source(world):
    run = _import(
        world,
        [
            csv_row(1, external_id="C-1", external_source="Site A evaluation"),
            csv_row(2, external_id="C-2"),  # the import's source
            csv_row(3),  # none
        ],
        external_source="Niche RMS",
    )
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert run.external_source == "Niche RMS"
    sources, ids = _ids()
    assert sources == {
        "NS/000001/26": "Site A evaluation",
        "NS/000002/26": "Niche RMS",
        "NS/000003/26": "",
    }
    assert ids == {"NS/000001/26": "C-1", "NS/000002/26": "C-2", "NS/000003/26": ""}


def test_a_reimport_keeps_an_external_id_the_row_does_not_send(world):
    _import(world, [csv_row(1, external_id="C-1")], external_source="Niche RMS")
    # The daily export, without the column: the entry is unchanged and keeps its id.
    again = _import(world, [csv_row(1)])
    assert (again.updated_count, again.unchanged_count) == (0, 1)
    same = _import(world, [csv_row(1, external_id="C-1")], external_source="Niche RMS")
    assert (same.updated_count, same.unchanged_count) == (0, 1)
    changed = _import(world, [csv_row(1, summary="New.")])
    assert changed.updated_count == 1
    entry = CrimeScreenEntry.objects.get()
    assert (entry.external_source, entry.external_id) == ("Niche RMS", "C-1")
    assert entry.summary == "New."


def test_external_id_problems_refuse_the_file_with_row_errors(world):
    CrimeScreenEntryFactory(
        partnership=world.partnership,
        crime_reference="NS/999999/26",
        external_source="Niche RMS",
        external_id="TAKEN",
    )
    rows = [
        csv_row(1, external_id="C-1"),
        csv_row(2, external_id="C-1"),  # twice in the file
        csv_row(3, external_source="Niche RMS"),  # a source without an id
        csv_row(4, external_id="x" * 101),
    ]
    run = _import(world, rows, external_source="Niche RMS")
    assert run.status == ImportStatus.FAILED
    assert run.errors == [
        {"row": 3, "field": "external_id", "message": "External id C-1 is also on row 2."},
        {
            "row": 4,
            "field": "external_id",
            "message": "Enter the external id that goes with the external source.",
        },
        {"row": 5, "field": "external_id", "message": "Must be 100 characters or fewer."},
    ]
    # Held by another crime: found once the partnership is locked, refused the same way.
    taken = _import(
        world, [csv_row(1), csv_row(2, external_id="TAKEN")], external_source="Niche RMS"
    )
    assert taken.status == ImportStatus.FAILED
    assert taken.rejected_count == 1
    assert taken.errors == [
        {
            "row": 3,
            "field": "external_id",
            "message": "External id TAKEN (Niche RMS) is already crime NS/999999/26's.",
        }
    ]
    assert CrimeScreenEntry.objects.count() == 1


def test_the_same_id_from_another_source_is_another_record(world):
    CrimeScreenEntryFactory(
        partnership=world.partnership, external_source="Site A", external_id="C-1"
    )
    run = _import(world, [csv_row(1, external_id="C-1")], external_source="Site B")
    assert run.status == ImportStatus.SUCCEEDED, run.errors


def test_the_database_refuses_a_second_entry_with_the_same_external_id(world):
    CrimeScreenEntryFactory(partnership=world.partnership, external_source="S", external_id="1")
    CrimeScreenEntryFactory(partnership=world.partnership, external_source="S", external_id="")
    CrimeScreenEntryFactory(partnership=world.partnership, external_source="S", external_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        CrimeScreenEntryFactory(partnership=world.partnership, external_source="S", external_id="1")


def test_api_rows_take_external_ids_and_the_list_filters_by_them(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    response = client.post(
        reverse("api:screening-import-list"),
        {
            "rows": [csv_row(1, external_id="C-1"), csv_row(2, external_id="C-2")],
            "external_source": "Site A",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["external_source"] == "Site A"
    CrimeScreenEntryFactory(
        partnership=world.partnership, external_source="Site B", external_id="C-1"
    )
    url = reverse("api:screening-entry-list")
    both = client.get(url, {"external_id": "C-1"}).json()["results"]
    assert sorted(row["external_source"] for row in both) == ["Site A", "Site B"]
    one = client.get(url, {"external_source": "Site A", "external_id": "C-1"}).json()["results"]
    assert [row["crime_reference"] for row in one] == ["NS/000001/26"]
    assert one[0]["external_id"] == "C-1"
    assert len(client.get(url, {"external_source": "Site A"}).json()["results"]) == 2
    assert client.get(url, {"external_id": "NONE"}).json()["results"] == []


def test_api_refuses_an_overlong_import_source(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    response = client.post(
        reverse("api:screening-import-list"),
        {"rows": [csv_row(1)], "external_source": "x" * 41},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"external_source"}
    assert not CrimeScreenEntry.objects.exists()


# Link to a case ------------------------------------------------------------------------


def _link(client, entry, case):
    return client.post(
        reverse("api:screening-entry-link-case", args=[entry.pk]), {"case": case}, format="json"
    )


def _link_events(entry):
    return AccessEvent.objects.filter(
        action=Action.UPDATE,
        object_type="cases.CrimeScreenEntry",
        object_id=str(entry.pk),
        detail__has_key="linked_case",
    )


def test_api_links_an_entry_to_a_case_by_id_audited(api, world):
    entry = CrimeScreenEntryFactory(partnership=world.partnership)
    client = api(world.members[Role.INVESTIGATOR])
    response = _link(client, entry, world.own_case.pk)
    assert response.status_code == 200, response.json()
    assert response.json()["case"] == world.own_case.pk
    assert response.json()["case_reference"] == world.own_case.reference
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.own_case
    event = _link_events(entry).get()
    assert event.case_id == world.own_case.pk
    # Again: nothing changes, nothing recorded twice.
    assert _link(client, entry, world.own_case.pk).status_code == 200
    assert _link_events(entry).count() == 1


@pytest.mark.parametrize(
    "which", ["advocacy_case", "other_partnership_case", "missing", "a list", "a boolean"]
)
def test_api_refuses_a_case_the_member_cannot_see(api, world, which):
    entry = CrimeScreenEntryFactory(partnership=world.partnership)
    client = api(world.members[Role.INVESTIGATOR])
    value = {
        "missing": 999_999,
        "a list": [world.own_case.pk],
        "a boolean": True,
    }.get(which) or getattr(world, which).pk
    response = _link(client, entry, value)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"case"}
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case is None
    assert not _link_events(entry).exists()


def test_api_refuses_to_move_an_entry_linked_to_another_case(api, world):
    entry = CrimeScreenEntryFactory(partnership=world.partnership, case=world.own_case)
    client = api(world.members[Role.INVESTIGATOR])
    response = _link(client, entry, world.health_case.reference)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "case": [
            f"This crime is already linked to case {world.own_case.reference}. "
            "Unlink it first (case: null) to link it to another."
        ]
    }
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.own_case
    # Unlinked first, it links.
    assert _link(client, entry, None).status_code == 200
    assert _link(client, entry, world.health_case.pk).status_code == 200
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.health_case


def test_the_page_still_changes_the_linked_case(client, login, world):
    entry = CrimeScreenEntryFactory(partnership=world.partnership, case=world.own_case)
    login(world.members[Role.INVESTIGATOR])
    response = client.post(
        reverse("screening:entry-link-case", args=[entry.pk]),
        {"case": world.health_case.reference},
    )
    assert response.status_code == 302
    assert CrimeScreenEntry.objects.get(pk=entry.pk).case == world.health_case


def test_the_upload_page_takes_the_source_system(client, login, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(world.members[Role.INVESTIGATOR])
    data = csv_bytes([csv_row(1, external_id="C-1")])
    response = client.post(
        reverse("screening:import-new"),
        {"file": SimpleUploadedFile("s.csv", data, "text/csv"), "external_source": "Niche RMS"},
    )
    assert response.status_code == 302
    entry = CrimeScreenEntry.objects.get()
    assert (entry.external_source, entry.external_id) == ("Niche RMS", "C-1")
    page = client.get(reverse("screening:entry", args=[entry.pk])).content.decode()
    assert "External id C-1 in Niche RMS." in page
