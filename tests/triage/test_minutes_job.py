"""The minutes job as a job row (triage.MinutesJob): it always ends, the chair sees a
failure with "Try again", and the faults of issue 9 item 9 are survived."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from config import jobs
from triage import tasks
from triage.models import MeetingStatus, MinutesFile, MinutesJob
from triage.services import minutes as services

# Nothing was discussed at these meetings: one audience (everyone sees the same minutes).
AUDIENCES = 1


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
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _closed(meeting, world):
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.closed_by = world.members[Role.CLINIC_CHAIR].user
    meeting.save()
    return meeting


def _broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.generate_minutes, "delay", refuse)


def test_broker_down_shows_the_chair_a_failed_job_with_try_again(
    world, meeting, client, login, monkeypatch, django_capture_on_commit_callbacks
):
    chair = world.members[Role.CLINIC_CHAIR]
    login(chair)
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    _broker_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("triage:meeting-close", args=[meeting.pk]))
    assert response.status_code == 302  # the meeting closed; no error page
    job = MinutesJob.objects.get(meeting=meeting)
    assert job.status == jobs.JobStatus.FAILED and job.message == jobs.ENQUEUE_FAILED
    button = reverse("triage:meeting-minutes-retry", args=[meeting.pk])
    for name in ("triage:meeting-minutes", "triage:meeting-detail"):
        page = client.get(reverse(name, args=[meeting.pk])).content.decode()
        assert "could not be produced" in page and button in page

    login(world.members[Role.CLINICIAN])  # readers see the failure, not the button
    page = client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).content.decode()
    assert "could not be produced" in page and button not in page

    login(chair)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("triage:meeting-minutes-retry", args=[meeting.pk]))
    assert retried.status_code == 302
    job.refresh_from_db()
    assert job.status == jobs.JobStatus.SUCCEEDED
    assert MinutesFile.objects.filter(meeting=meeting).count() == AUDIENCES
    page = client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).content.decode()
    assert "could not be produced" not in page and button not in page


def test_the_api_tries_a_failed_minutes_job_again(
    world, meeting, login, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    chair = world.members[Role.CLINIC_CHAIR]
    api = APIClient()
    login(chair, api)
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    _broker_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(reverse("api:meeting-close", args=[meeting.pk]), {}, format="json")
    assert MinutesJob.objects.get(meeting=meeting).status == jobs.JobStatus.FAILED
    monkeypatch.undo()
    url = reverse("api:meeting-minutes-retry", kwargs={"meeting_pk": meeting.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == jobs.JobStatus.PENDING  # queued again
    assert MinutesJob.objects.get(meeting=meeting).status == jobs.JobStatus.SUCCEEDED
    again = api.post(url)  # nothing failed now
    assert again.status_code == 400
    assert "nothing to retry" in again.json()["errors"]["minutes"][0]
    login(world.members[Role.CLINICIAN], api)  # readers may not
    assert api.post(url).status_code == 403


def test_try_again_only_for_a_failed_job(world, meeting, client, login):
    _closed(meeting, world)
    tasks.generate_minutes(meeting.pk)
    login(world.members[Role.CLINIC_CHAIR])
    client.post(reverse("triage:meeting-minutes-retry", args=[meeting.pk]))
    assert MinutesJob.objects.get(meeting=meeting).status == jobs.JobStatus.SUCCEEDED


def test_database_away_mid_job_is_retried_and_the_job_finishes(
    world, meeting, monkeypatch, like_a_worker
):
    _closed(meeting, world)
    real = services.minutes_generate_all
    outage = {"left": 2}

    def flaky(**kwargs):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("the database system is starting up")
        return real(**kwargs)

    monkeypatch.setattr(services, "minutes_generate_all", flaky)
    assert tasks.generate_minutes.apply(args=[meeting.pk]).get() == AUDIENCES
    job = MinutesJob.objects.get(meeting=meeting)
    assert job.status == jobs.JobStatus.SUCCEEDED and job.attempts == 3


def test_a_minutes_job_whose_worker_died_is_finished_by_the_sweeper(
    world, meeting, django_capture_on_commit_callbacks
):
    _closed(meeting, world)
    MinutesJob.objects.create(
        meeting=meeting,
        status=jobs.JobStatus.RUNNING,
        attempts=1,
        task_id="killed",
        heartbeat_at=timezone.now() - MinutesJob.job_stale_after - timedelta(seconds=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep_stuck_jobs() == {"requeued": 1, "failed": 0}
    job = MinutesJob.objects.get(meeting=meeting)
    assert job.status == jobs.JobStatus.SUCCEEDED
    assert MinutesFile.objects.filter(meeting=meeting).count() == AUDIENCES
