"""Redis away, the database away, the worker and the queue: what /healthz says and what
people get (issue 9 items 10 and 13)."""

import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import ImportRun, ImportStatus
from config import cache as fail_open
from config.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.REDIS_URL = CLOSED_PORT


def test_settings_use_the_fail_open_cache_with_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    values = runpy.run_path(str(ROOT / "config" / "settings.py"))
    assert values["CACHES"]["default"]["BACKEND"] == "config.cache.FailOpenRedisCache"
    visibility = values["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    assert values["CELERY_TASK_TIME_LIMIT"] < visibility < 3600


def test_the_api_keeps_serving_with_redis_down(world, client, login, redis_down):
    """The throttle's cache is Redis: with Redis down the API answers (unthrottled)."""
    login(world.members[Role.INVESTIGATOR])
    for _ in range(3):
        response = client.get("/api/v1/cases/")
        assert response.status_code == 200
    assert client.get(reverse("cases:list")).status_code == 200


def test_healthz_says_the_cache_and_broker_are_degraded(client, db, redis_down):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # still serving
    body = response.json()
    assert body["status"] == "degraded"
    assert {"cache", "broker"} <= set(body["degraded"])
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("failing")


def test_a_cache_that_failed_is_skipped_for_a_while(db, redis_down, monkeypatch):
    from django.core.cache import cache

    assert cache.get("x", "fallback") == "fallback"
    assert cache.add("x", 1) is False and cache.incr("x") == 1
    assert cache.is_down
    monkeypatch.setattr(fail_open.time, "monotonic", lambda: 10**9)
    assert not cache.is_down


def test_healthz_reports_the_worker_and_the_oldest_queued_job(world, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a real worker is expected
    body = client.get(reverse("healthz")).json()
    assert body["checks"]["worker"] == "failing: no worker seen"
    assert "worker" in body["degraded"] and body["worker_last_seen_seconds"] is None
    assert body["oldest_queued_job_seconds"] is None

    worker_heartbeat()
    member = world.members[Role.INVESTIGATOR]
    ImportRun.objects.create(
        partnership=world.partnership,
        agency=member.agency,
        uploaded_by=member.user,
        status=ImportStatus.PENDING,
        queued_at=timezone.now() - timedelta(minutes=20),
    )
    body = client.get(reverse("healthz")).json()
    assert body["checks"]["worker"] == "ok" and body["worker_last_seen_seconds"] < 5
    assert 1195 <= body["oldest_queued_job_seconds"] <= 1210
    assert body["checks"]["queue"].startswith("failing: oldest queued job waiting")
    assert body["degraded"] == ["queue"]


def _database_down(monkeypatch):
    def down(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    monkeypatch.setattr(CursorWrapper, "executemany", down)


def test_a_database_outage_gets_the_service_error_page(world, client, login, settings, monkeypatch):
    settings.DEBUG = False
    login(world.members[Role.INVESTIGATOR])
    client.raise_request_exception = False
    _database_down(monkeypatch)
    page = client.get(reverse("cases:list"))
    api = client.get("/api/v1/cases/")
    monkeypatch.undo()
    assert page.status_code == 500
    html = page.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-frontend.min.css" in html and "Go to My work" in html
    assert api.status_code == 500
    assert api.json() == {"status": 500, "errors": {"detail": ["Something went wrong."]}}


def test_the_error_page_falls_back_to_plain_html(rf, monkeypatch):
    from config import errors

    def broken(*args, **kwargs):
        raise RuntimeError("templates unavailable")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    response = errors.server_error(rf.get("/cases/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
