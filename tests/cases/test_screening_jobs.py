"""Crime-screen imports as job rows: whatever happens to the broker, the worker or the
database, a run ends SUCCEEDED or FAILED with a message, and "Try again" re-queues it.

The four faults of issue 9 item 9, simulated at the boundary: the broker refusing the
task at enqueue, PostgreSQL away for 20 s mid-job, a worker killed mid-job (a RUNNING run
whose heartbeat stopped), and a message lost before any worker took it. A killed worker is
simulated by its trace (a RUNNING run with a stale heartbeat and an unacknowledged message
that Redis delivers again later); tests/test_jobs.py checks the settings that make that the
only trace it can leave (late acknowledgement, reject on worker loss, visibility timeout).
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.importers import crime_screen
from cases.models import CrimeScreenEntry, ImportRun, ImportStatus
from cases.services import screening as services
from cases.tasks import import_crime_screen
from config import jobs
from tests.factories_screening import csv_bytes, csv_row


@pytest.fixture
def like_a_worker():
    """Task errors stay in the task, as in a worker, so eager retries run (a worker would
    run them after their countdown)."""
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)


DATA = csv_bytes([csv_row(n) for n in range(1, 6)])


def _upload(client):
    return client.post(
        reverse("screening:import-new"), {"file": SimpleUploadedFile("s.csv", DATA, "text/csv")}
    )


def _broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(import_crime_screen, "delay", refuse)


def test_broker_down_at_enqueue_fails_the_run_with_try_again_not_a_500(
    world, client, login, monkeypatch, django_capture_on_commit_callbacks
):
    login(world.members[Role.INVESTIGATOR])
    _broker_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.retryable
    assert run.message == jobs.ENQUEUE_FAILED
    page = client.get(response["Location"]).content.decode()
    assert "background service is unavailable" in page
    assert reverse("screening:import-retry", args=[run.pk]) in page and "Try again" in page

    monkeypatch.undo()  # the broker is back
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("screening:import-retry", args=[run.pk]))
    assert retried.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5
    assert CrimeScreenEntry.objects.count() == 5
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.ImportRun", object_id=str(run.pk)
    ).exists()


def test_a_refused_file_offers_no_try_again(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    member = world.members[Role.INVESTIGATOR]
    run = services.import_start(actor=member.user, membership=member, data=b"\x00\x01binary")
    assert run.status == ImportStatus.FAILED and not run.retryable
    page = client.get(reverse("screening:import-detail", args=[run.pk])).content.decode()
    assert reverse("screening:import-retry", args=[run.pk]) not in page
    response = client.post(reverse("screening:import-retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED


def test_the_api_tries_a_failed_run_again(
    world, login, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api = APIClient()
    login(world.members[Role.INVESTIGATOR], api)
    _broker_down(monkeypatch)
    upload = SimpleUploadedFile("s.csv", DATA, "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        api.post(reverse("api:screening-import-list"), {"file": upload}, format="multipart")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.retryable
    monkeypatch.undo()
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 2)
    url = reverse("api:screening-import-retry", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url)
    assert response.status_code == 202, response.content
    assert response.json()["id"] == run.pk
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5
    # A run that succeeded cannot be tried again: the reason at the field.
    again = api.post(url)
    assert again.status_code == 400
    assert "cannot be tried again" in again.json()["errors"]["run"][0]


def _pending_run(world, django_capture_on_commit_callbacks):
    member = world.members[Role.INVESTIGATOR]
    with django_capture_on_commit_callbacks(execute=False):
        run = services.import_start(actor=member.user, membership=member, data=DATA)
    assert run.status == ImportStatus.PENDING
    return run


def test_database_away_20_seconds_is_retried_with_back_off(
    world, monkeypatch, django_capture_on_commit_callbacks, like_a_worker
):
    """PostgreSQL stops mid-job: the task retries 5 s, 10 s, 20 s later (35 s in all, past
    the 20 s outage) instead of three tries in 5 s, and the run finishes."""
    run = _pending_run(world, django_capture_on_commit_callbacks)
    real = services.import_process
    outage = {"left": 2}
    waits = []

    def flaky(**kwargs):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    def countdown(retries):
        waits.append(jobs.RETRY_BASE_SECONDS * 2**retries)
        return waits[-1]

    monkeypatch.setattr(services, "import_process", flaky)
    monkeypatch.setattr(jobs, "retry_countdown", countdown)
    import_crime_screen.apply(args=[run.pk])
    run.refresh_from_db()
    assert waits == [5, 10]
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5
    assert run.attempts == 3  # the first try and two retries


def test_retry_back_off_spans_minutes():
    waits = [jobs.retry_countdown(n) for n in range(jobs.MAX_RETRIES)]
    assert sum(waits[:3]) > 20  # a 20-second outage is outlived
    assert 10 * 60 <= sum(waits) <= 30 * 60
    assert max(waits) == jobs.RETRY_MAX_SECONDS


def test_database_away_for_good_fails_the_run(
    world, monkeypatch, django_capture_on_commit_callbacks, like_a_worker
):
    run = _pending_run(world, django_capture_on_commit_callbacks)

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "import_process", down)
    result = import_crime_screen.apply(args=[run.pk])
    assert isinstance(result.result, OperationalError)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.retryable
    assert run.message == jobs.DATABASE_UNAVAILABLE
    assert run.attempts == jobs.MAX_RETRIES + 1


def test_a_run_whose_worker_was_killed_is_started_again_by_the_sweeper(
    world, django_capture_on_commit_callbacks
):
    """The worker died mid-job: the run is RUNNING and its heartbeat stopped. The sweeper
    queues it again (here the task runs at once: eager Celery) and it finishes."""
    run = _pending_run(world, django_capture_on_commit_callbacks)
    stopped = timezone.now() - ImportRun.job_stale_after - timedelta(seconds=1)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, attempts=1, task_id="dead-worker", heartbeat_at=stopped
    )
    # A live run (fresh heartbeat) is left alone.
    assert jobs.sweep_stuck_jobs(now=stopped + timedelta(seconds=30)) == {
        "requeued": 0,
        "failed": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs.sweep_stuck_jobs()
    assert counts == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.new_count == 5
    assert run.attempts == 2


def test_the_killed_workers_late_redelivery_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    """Redis redelivers the dead worker's message after the visibility timeout, when the
    sweeper's run has finished: nothing happens."""
    run = _pending_run(world, django_capture_on_commit_callbacks)
    import_crime_screen.apply(args=[run.pk])
    before = AccessEvent.objects.filter(object_type="cases.ImportRun").count()
    import_crime_screen.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.attempts == 1
    assert AccessEvent.objects.filter(object_type="cases.ImportRun").count() == before


def test_a_run_whose_worker_keeps_dying_fails_with_try_again(
    world, client, login, django_capture_on_commit_callbacks
):
    run = _pending_run(world, django_capture_on_commit_callbacks)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING,
        attempts=ImportRun.job_max_attempts,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert jobs.sweep_stuck_jobs() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.retryable
    assert run.message == jobs.WORKER_LOST and run.finished_at
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:import-detail", args=[run.pk])).content.decode()
    assert "background worker stopped" in page
    assert reverse("screening:import-retry", args=[run.pk]) in page


def test_a_run_never_picked_up_is_queued_again(world, django_capture_on_commit_callbacks):
    """The message was lost (Redis flushed, or down after the run was saved)."""
    run = _pending_run(world, django_capture_on_commit_callbacks)
    ImportRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - ImportRun.job_pending_after - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep_stuck_jobs() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED


def test_an_import_interrupted_in_its_request_ends_asking_for_the_file_again(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A small file is imported in the request; the request died (database gone): the run
    was RUNNING with no kept file. The sweeper ends it: upload the file again."""
    member = world.members[Role.INVESTIGATOR]
    monkeypatch.setattr(crime_screen, "ASYNC_THRESHOLD", 100)

    def dies(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "_write", dies)
    with pytest.raises(OperationalError):
        services.import_start(actor=member.user, membership=member, data=DATA)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.RUNNING and not run.file
    monkeypatch.undo()
    later = timezone.now() + ImportRun.job_stale_after + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_stuck_jobs(now=later)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and not run.retryable
    assert "Upload the file again" in run.message
    assert not CrimeScreenEntry.objects.exists()


def test_an_execution_that_lost_the_run_writes_nothing(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A slow worker whose run the sweeper handed to another must not write it too."""
    run = _pending_run(world, django_capture_on_commit_callbacks)
    assert jobs.job_claim(ImportRun, run.pk, token="first")
    ImportRun.objects.filter(pk=run.pk).update(task_id="second")  # taken over
    services.import_process(run_id=run.pk, token="first")
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING and run.task_id == "second"
    assert not CrimeScreenEntry.objects.exists()
