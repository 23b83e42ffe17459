"""Crime-screen import: all or nothing, idempotent, every refusal explained, audited."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.importers import crime_screen
from cases.models import CrimeScreenEntry, ImportRun, ImportStatus
from cases.services import screening as services
from cases.tasks import import_crime_screen
from tests.factories_screening import csv_bytes, csv_row

SAMPLE = Path(settings.BASE_DIR) / "static" / "samples" / "crime-screen-sample.csv"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(world, data, role=Role.INVESTIGATOR, **kwargs):
    member = world.members[role]
    return services.import_start(actor=member.user, membership=member, data=data, **kwargs)


def _upload(client, data, name="screen.csv"):
    return client.post(
        reverse("screening:import-new"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def _audit_for(run):
    return AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.ImportRun", object_id=str(run.pk)
    )


def test_sample_file_imports_through_the_page_and_is_audited(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    response = _upload(client, SAMPLE.read_bytes(), "crime-screen-sample.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:import-detail", args=[run.pk])
    assert run.status == ImportStatus.SUCCEEDED
    assert (run.new_count, run.updated_count, run.unchanged_count, run.rejected_count) == (
        30,
        0,
        0,
        0,
    )
    assert CrimeScreenEntry.objects.filter(partnership=world.partnership).count() == 30
    event = _audit_for(run).get()
    assert event.actor == world.members[Role.INVESTIGATOR].user
    assert event.detail["new"] == 30 and event.detail["status"] == "succeeded"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "30" in page.content.decode()


def test_dates_flags_and_genders_are_parsed(world):
    data = csv_bytes(
        [csv_row(1, recorded_date="03/02/2025", da_flag="false", suspect_gender="unknown")]
    )
    run = _import(world, data)
    entry = CrimeScreenEntry.objects.get()
    assert run.status == ImportStatus.SUCCEEDED
    assert entry.recorded_on.isoformat() == "2025-02-03"
    assert entry.domestic_abuse is False
    assert entry.suspect_gender == "not_known" and entry.victim_gender == "female"
    assert entry.offence.code == "8L"
    assert entry.import_run == run


def test_reimporting_the_same_file_changes_nothing(world):
    data = csv_bytes([csv_row(n) for n in range(1, 11)])
    first = _import(world, data)
    second = _import(world, data)
    assert (first.new_count, first.unchanged_count) == (10, 0)
    assert (second.new_count, second.updated_count, second.unchanged_count) == (0, 0, 10)
    assert CrimeScreenEntry.objects.count() == 10
    assert _audit_for(second).get().detail["unchanged"] == 10


def test_a_changed_row_updates_the_entry_in_place(world):
    rows = [csv_row(n) for n in range(1, 4)]
    _import(world, csv_bytes(rows))
    entry = CrimeScreenEntry.objects.get(crime_reference="NS/000002/26")
    old_hash = entry.row_hash
    rows[1]["summary"] = "Now also waiting outside her house."
    rows[1]["offence_code"] = "195/12"
    run = _import(world, csv_bytes(rows))
    assert (run.new_count, run.updated_count, run.unchanged_count) == (0, 1, 2)
    entry.refresh_from_db()
    assert entry.summary == "Now also waiting outside her house."
    assert entry.offence.code == "195/12"
    assert entry.row_hash != old_hash and entry.import_run == run
    assert CrimeScreenEntry.objects.count() == 3


def test_other_partnership_has_its_own_crime_references(world):
    data = csv_bytes([csv_row(1)])
    _import(world, data)
    other = world.other_partnership_member
    run = services.import_start(actor=other.user, membership=other, data=data)
    assert run.new_count == 1
    assert CrimeScreenEntry.objects.count() == 2


REFUSALS = [
    (
        "missing column",
        csv_bytes([csv_row(1)], columns=[c for c in crime_screen.COLUMNS if c != "offence_code"]),
        "missing required column: offence_code",
    ),
    (
        "unknown column",
        b"crime_reference,recorded_date,offence_code,da_flag,colour\nA/1,2024-01-01,8L,Y,red\n",
        "unknown column: colour",
    ),
    ("empty file", b"", "The file is empty."),
    ("header only", csv_bytes([]), "no crimes"),
    (
        "utf-16",
        csv_bytes([csv_row(1)]).decode().encode("utf-16"),
        "UTF-16",
    ),
    ("utf-16 without a byte-order mark", "a,b\n1,2\n".encode("utf-16-le"), "UTF-16"),
    ("junk bytes", bytes(range(256)) * 40, "binary data"),
    ("latin-1 text", "crime_reference,recorded_date\nA/1,caf\xe9\n".encode("latin-1"), "UTF-8"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_malformed_file_is_refused_and_nothing_imported(world, name, data, message):
    run = _import(world, data)
    assert run.status == ImportStatus.FAILED
    assert message in run.message
    assert CrimeScreenEntry.objects.count() == 0
    assert _audit_for(run).get().detail["status"] == "failed"


BAD_ROWS = [
    ("bad date", {"recorded_date": "31/02/2025"}, "recorded_date", "not a real date"),
    ("american date", {"recorded_date": "2025/13/01"}, "recorded_date", "not a real date"),
    ("future date", {"recorded_date": "2999-01-01"}, "recorded_date", "future"),
    ("unknown offence", {"offence_code": "99Z"}, "offence_code", "Unknown offence code"),
    ("bad DA flag", {"da_flag": "maybe"}, "da_flag", "Y or N"),
    ("missing reference", {"crime_reference": ""}, "crime_reference", "Enter the crime"),
    ("bad gender", {"victim_gender": "dragon"}, "victim_gender", "Enter F, M"),
    (
        "end before start",
        {"stalking_start_date": "2024-05-01", "stalking_end_date": "2024-04-01"},
        "stalking_end_date",
        "before its start",
    ),
    ("too long", {"crime_reference": "X" * 41}, "crime_reference", "40 characters"),
]


@pytest.mark.parametrize(
    ("name", "change", "field", "message"), BAD_ROWS, ids=[r[0] for r in BAD_ROWS]
)
def test_one_bad_row_refuses_the_whole_file_with_its_row_error(world, name, change, field, message):
    rows = [csv_row(1), csv_row(2, **change), csv_row(3)]
    run = _import(world, csv_bytes(rows))
    assert run.status == ImportStatus.FAILED
    assert run.rejected_count == 1
    assert CrimeScreenEntry.objects.count() == 0
    error = run.errors[0]
    assert (error["row"], error["field"]) == (3, field)  # header is row 1
    assert message in error["message"]
    assert "nothing was imported" in run.message


def test_every_row_error_is_reported(world):
    rows = [
        csv_row(1, recorded_date="yesterday", offence_code="XX"),
        csv_row(2),
        csv_row(3, da_flag="?"),
        csv_row(1),  # the same crime twice in one file
    ]
    run = _import(world, csv_bytes(rows))
    found = {(e["row"], e["field"]) for e in run.errors}
    assert found == {
        (2, "recorded_date"),
        (2, "offence_code"),
        (4, "da_flag"),
        (5, "crime_reference"),
    }
    assert run.rejected_count == 3
    assert CrimeScreenEntry.objects.count() == 0


def test_a_row_with_the_wrong_number_of_values_is_reported(world):
    data = csv_bytes([csv_row(1)]) + b"NS/9/26,2024-01-01,8L\n"
    run = _import(world, data)
    assert run.status == ImportStatus.FAILED
    assert run.errors == [
        {
            "row": 3,
            "field": "",
            "message": f"This row has 3 values; the header has {len(crime_screen.COLUMNS)}.",
        }
    ]


def test_refused_file_page_lists_row_errors(world, client, login):
    login(world.members[Role.POLICE_SUPERVISOR])
    _upload(client, csv_bytes([csv_row(1, offence_code="<b>99</b>")]))
    run = ImportRun.objects.get()
    page = client.get(reverse("screening:import-detail", args=[run.pk])).content.decode()
    assert "The file was not imported" in page
    assert "Unknown offence code" in page
    assert "<b>99</b>" not in page and "&lt;b&gt;99&lt;/b&gt;" in page


def test_an_oversize_upload_is_refused_without_reading_it(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    junk = b"\x89junk" * (50 * 1024 * 1024 // 5)  # 50 MB
    response = _upload(client, junk, "huge.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 400
    assert "The file is 50.0 MB" in response.content.decode()
    assert run.status == ImportStatus.FAILED
    assert "The file is 50.0 MB. The limit is 20 MB" in run.message
    assert CrimeScreenEntry.objects.count() == 0
    assert not run.file


def test_an_empty_upload_gets_a_message_at_the_field(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    response = _upload(client, b"")
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not ImportRun.objects.exists()
    no_file = client.post(reverse("screening:import-new"), {})
    assert "Select the crime-screen CSV file." in no_file.content.decode()


def test_large_files_run_as_a_task_with_progress(
    world, client, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 5)
    login(world.members[Role.INVESTIGATOR])
    data = csv_bytes([csv_row(n) for n in range(1, 13)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(client, data)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.PENDING and run.total_rows == 12
    assert run.file  # kept for the worker
    assert len(callbacks) == 1
    waiting = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert 'http-equiv="refresh"' in waiting
    assert "<progress" in waiting and 'value="0"' in waiting

    callbacks[0]()  # the worker picks it up (eager Celery)
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED
    assert (run.new_count, run.processed_rows, run.progress_percent) == (12, 12, 100)
    assert CrimeScreenEntry.objects.count() == 12

    views_before = AccessEvent.objects.filter(action=Action.VIEW).count()
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="import-progress"')
    assert "hx-trigger" not in partial  # finished: polling stops
    assert AccessEvent.objects.filter(action=Action.VIEW).count() == views_before

    import_crime_screen.delay(run.pk)  # delivered twice: nothing happens
    run.refresh_from_db()
    assert run.new_count == 12 and CrimeScreenEntry.objects.count() == 12
    assert _audit_for(run).count() == 1


def test_an_interrupted_task_run_starts_again_safely(world, monkeypatch):
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)
    run = _import(world, csv_bytes([csv_row(n) for n in range(1, 6)]))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, processed_rows=3)
    import_crime_screen.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5


def test_the_task_is_enqueued_on_commit(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(world, csv_bytes([csv_row(n) for n in range(1, 6)]))
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5


@pytest.mark.parametrize(
    "role",
    [
        Role.CLINICIAN,
        Role.ADVOCATE,
        Role.PROBATION_OFFICER,
        Role.PARTNER,
        Role.MANAGER,
        Role.CLINIC_CHAIR,
        Role.PARTNERSHIP_ADMIN,
    ],
)
def test_only_police_roles_import(world, client, login, role):
    login(world.members[role])
    assert client.get(reverse("screening:import-new")).status_code == 403
    assert _upload(client, csv_bytes([csv_row(1)])).status_code == 403
    member = world.members[role]
    with pytest.raises(Exception, match="Only police"):
        services.import_start(actor=member.user, membership=member, data=b"x")
    assert not CrimeScreenEntry.objects.exists()
