"""Disposal on a crime-screen entry (issue 13): the Home Office outcome code and its date,
brought in by the daily import as the police system finalises crimes, or set through the
API by the police; checked against the disposal date, never re-opening screening."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.importers import crime_screen
from cases.models import CodeList, CrimeScreenEntry, ImportStatus, ReferenceCode
from cases.services import screening as services
from tests.factories_screening import CrimeScreenEntryFactory, csv_bytes, csv_row

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(world, rows, role=Role.INVESTIGATOR, **kwargs):
    member = world.members[role]
    return services.import_start(
        actor=member.user, membership=member, data=csv_bytes(rows), **kwargs
    )


def _outcome(code):
    return ReferenceCode.objects.get(
        code_list=CodeList.OUTCOME, code=code, partnership__isnull=True
    )


def _local_outcome(world, code="L9", *, starts, ends=None):
    return ReferenceCode.objects.create(
        partnership=world.partnership,
        code_list=CodeList.OUTCOME,
        code=code,
        label="Local outcome",
        effective_from=starts,
        effective_to=ends,
    )


def test_an_imported_disposal_is_stored_with_its_date(world):
    day = TODAY - timedelta(days=1)
    run = _import(world, [csv_row(1, disposal_code="16", disposal_date=day.isoformat())])
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    entry = CrimeScreenEntry.objects.get()
    assert entry.disposal == _outcome("16") and entry.disposal_on == day


def test_a_reimport_adding_only_the_disposal_updates_without_reopening_screening(world):
    rows = [csv_row(1), csv_row(2)]
    _import(world, rows)
    entry = CrimeScreenEntry.objects.get(crime_reference="NS/000001/26")
    investigator = world.members[Role.INVESTIGATOR]
    services.actions_record(
        actor=investigator.user, membership=investigator, entry=entry, kinds=["recorded_only"]
    )
    services.entry_link_case(
        actor=investigator.user, membership=investigator, entry=entry, case=world.own_case
    )
    screened_at = CrimeScreenEntry.objects.get(pk=entry.pk).screened_at
    rows[0] = csv_row(1, disposal_code="1", disposal_date=TODAY.isoformat())
    run = _import(world, rows)
    assert (run.new_count, run.updated_count, run.unchanged_count) == (0, 1, 1)
    assert CrimeScreenEntry.objects.count() == 2
    entry.refresh_from_db()
    assert entry.disposal == _outcome("1") and entry.disposal_on == TODAY
    assert entry.screened_at == screened_at and entry.case == world.own_case
    assert entry.import_run == run
    # The same file again: nothing changes.
    again = _import(world, rows)
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 2)


def test_a_row_without_a_disposal_keeps_the_one_the_entry_has(world):
    _import(world, [csv_row(1, disposal_code="16", disposal_date=TODAY.isoformat())])
    run = _import(world, [csv_row(1, summary="Now also sending letters.")])
    assert run.updated_count == 1
    entry = CrimeScreenEntry.objects.get()
    assert entry.summary == "Now also sending letters."
    assert entry.disposal == _outcome("16") and entry.disposal_on == TODAY


def test_rows_without_the_new_columns_hash_as_they_did_before():
    """An entry imported before these columns existed is unchanged by the same row now:
    the hash of a row without disposal or external id is the old formula's."""
    values = crime_screen.validate_rows(
        [(2, csv_row(1, offence_code="8L"))], offences={"8L": [(date(2019, 4, 1), None, 7)]}
    ).rows[0]
    old = hashlib.sha256(
        "\x1f".join(
            "" if values.values[name] is None else str(values.values[name])
            for name in crime_screen.HASHED_FIELDS
        ).encode()
    ).hexdigest()
    assert values.row_hash == old
    with_disposal = dict(values.values, disposal_id=3, disposal_on=TODAY)
    assert crime_screen.row_hash(with_disposal) != old


def test_a_code_is_checked_against_the_disposal_date_not_today(world):
    # A local code in use from 10 days ago: a disposal 20 days ago cannot have had it.
    _local_outcome(world, starts=TODAY - timedelta(days=10))
    recorded = (TODAY - timedelta(days=30)).isoformat()
    early = (TODAY - timedelta(days=20)).isoformat()
    refused = _import(
        world, [csv_row(1, recorded_date=recorded, disposal_code="l9", disposal_date=early)]
    )
    assert refused.status == ImportStatus.FAILED
    assert refused.errors == [
        {
            "row": 2,
            "field": "disposal_code",
            "message": f"Disposal code l9 was not in use on "
            f"{TODAY - timedelta(days=20):%-d %B %Y}, the date of the disposal.",
        }
    ]
    later = (TODAY - timedelta(days=5)).isoformat()
    run = _import(
        world, [csv_row(1, recorded_date=recorded, disposal_code="L9", disposal_date=later)]
    )
    assert run.status == ImportStatus.SUCCEEDED
    assert CrimeScreenEntry.objects.get().disposal.code == "L9"


def test_a_retired_code_is_accepted_for_a_disposal_while_it_was_in_use(world):
    _local_outcome(world, starts=TODAY - timedelta(days=40), ends=TODAY - timedelta(days=10))
    row = csv_row(
        1,
        recorded_date=(TODAY - timedelta(days=30)).isoformat(),
        disposal_code="L9",
        disposal_date=(TODAY - timedelta(days=20)).isoformat(),
    )
    assert _import(world, [row]).status == ImportStatus.SUCCEEDED


def test_every_disposal_error_is_reported_with_row_and_column_and_nothing_saved(world):
    recorded = TODAY - timedelta(days=5)
    rows = [
        csv_row(1),  # fine
        csv_row(
            2,
            recorded_date=recorded.isoformat(),
            disposal_code="16",
            disposal_date=(recorded - timedelta(days=1)).isoformat(),
        ),
        csv_row(3, disposal_code="16", disposal_date=(TODAY + timedelta(days=1)).isoformat()),
        csv_row(4, disposal_code="99", disposal_date=TODAY.isoformat()),
        csv_row(5, disposal_code="16"),
        csv_row(6, disposal_date=TODAY.isoformat()),
        csv_row(7, disposal_code="16", disposal_date="31/02/2025"),
    ]
    run = _import(world, rows)
    assert run.status == ImportStatus.FAILED
    assert run.rejected_count == 6
    assert [(e["row"], e["field"]) for e in run.errors] == [
        (3, "disposal_date"),
        (4, "disposal_date"),
        (5, "disposal_code"),
        (6, "disposal_date"),
        (7, "disposal_code"),
        (8, "disposal_date"),
    ]
    messages = [e["message"] for e in run.errors]
    assert messages[0] == (
        f"The disposal date cannot be before the crime was recorded ({recorded:%-d %B %Y})."
    )
    assert messages[1] == "The date cannot be in the future."
    assert messages[2] == "Unknown disposal code “99”."
    assert messages[3] == "Enter the date of the disposal."
    assert messages[4] == "Enter the disposal code for the disposal date."
    assert "is not a real date" in messages[5]
    assert not CrimeScreenEntry.objects.exists()


# The service ---------------------------------------------------------------------------


def _entry(world, **kwargs):
    kwargs.setdefault("recorded_on", TODAY - timedelta(days=10))
    return CrimeScreenEntryFactory(partnership=world.partnership, **kwargs)


def test_the_police_set_and_clear_a_disposal_audited(world):
    entry = _entry(world)
    investigator = world.members[Role.INVESTIGATOR]
    day = TODAY - timedelta(days=2)
    services.entry_set_disposal(
        actor=investigator.user,
        membership=investigator,
        entry=entry,
        disposal=_outcome("16"),
        disposal_on=day,
    )
    entry.refresh_from_db()
    assert entry.disposal == _outcome("16") and entry.disposal_on == day
    event = AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.CrimeScreenEntry", object_id=str(entry.pk)
    ).get()
    assert event.detail["disposal"] == "16" and event.detail["previous_disposal"] is None
    services.entry_set_disposal(
        actor=investigator.user,
        membership=investigator,
        entry=entry,
        disposal=None,
        disposal_on=None,
    )
    entry.refresh_from_db()
    assert entry.disposal is None and entry.disposal_on is None


def test_the_service_reports_every_field_error_and_saves_nothing(world):
    entry = _entry(world)
    investigator = world.members[Role.INVESTIGATOR]
    relationship = ReferenceCode.objects.filter(code_list=CodeList.RELATIONSHIP).first()
    with pytest.raises(ValidationError) as caught:
        services.entry_set_disposal(
            actor=investigator.user,
            membership=investigator,
            entry=entry,
            disposal=relationship,
            disposal_on=TODAY + timedelta(days=1),
        )
    assert caught.value.message_dict == {
        "disposal": ["Choose a Home Office outcome code."],
        "disposal_on": ["The date of the disposal cannot be in the future."],
    }
    with pytest.raises(ValidationError) as caught:
        services.entry_set_disposal(
            actor=investigator.user,
            membership=investigator,
            entry=entry,
            disposal=None,
            disposal_on=entry.recorded_on - timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"disposal", "disposal_on"}
    entry.refresh_from_db()
    assert entry.disposal is None and entry.disposal_on is None


def test_only_the_police_set_a_disposal(world):
    from django.core.exceptions import PermissionDenied

    entry = _entry(world)
    advocate = world.members[Role.ADVOCATE]
    with pytest.raises(PermissionDenied):
        services.entry_set_disposal(
            actor=advocate.user,
            membership=advocate,
            entry=entry,
            disposal=_outcome("16"),
            disposal_on=TODAY,
        )


# The API and the pages -----------------------------------------------------------------


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def test_api_reads_and_writes_the_disposal(api, world):
    entry = _entry(world)
    client = api(world.members[Role.POLICE_SUPERVISOR])
    url = reverse("api:screening-entry-detail", args=[entry.pk])
    day = (TODAY - timedelta(days=1)).isoformat()
    response = client.patch(url, {"disposal": "16", "disposal_on": day}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["disposal"] == "16" and response.json()["disposal_on"] == day
    body = client.get(url).json()
    assert body["disposal"] == "16" and body["disposal_label"] == _outcome("16").label
    listed = client.get(reverse("api:screening-entry-list")).json()["results"]
    assert listed[0]["disposal_on"] == day


def test_api_refuses_bad_disposals_field_by_field(api, world):
    _local_outcome(world, starts=TODAY - timedelta(days=3))
    entry = _entry(world)
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:screening-entry-detail", args=[entry.pk])
    early = TODAY - timedelta(days=5)
    response = client.patch(
        url, {"disposal": "L9", "disposal_on": early.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"disposal": [f"L9 was not in use on {early:%-d %B %Y}."]}
    response = client.patch(url, {"disposal": "NOPE", "disposal_on": None}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"disposal"}
    response = client.patch(
        url,
        {"disposal": "16", "disposal_on": (entry.recorded_on - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"disposal_on"}
    response = client.patch(url, {"disposal": "16"}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"disposal_on"}
    entry.refresh_from_db()
    assert entry.disposal is None


def test_entry_page_and_worklist_show_the_disposal(client, login, world):
    entry = _entry(world, disposal=_outcome("16"), disposal_on=TODAY - timedelta(days=1))
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:entry", args=[entry.pk])).content.decode()
    assert f"16 – {_outcome('16').label}" in page
    worklist = client.get(reverse("screening:worklist")).content.decode()
    assert "Disposal 16" in worklist
    other = _entry(world)
    assert (
        "Not yet finalised"
        in client.get(reverse("screening:entry", args=[other.pk])).content.decode()
    )
