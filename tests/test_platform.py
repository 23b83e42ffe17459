"""Health check, settings, background jobs and the demo data."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, User
from accounts.roles import Role
from cases.selectors import core as selectors
from config import health
from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_reports_each_check(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["migrations"] == "ok"
    assert checks["cache"] == "ok"
    assert checks["broker"] in {"ok", "eager (no broker configured)"}


def test_healthz_fails_when_a_critical_check_fails(client, db, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert response.json()["checks"]["database"] == "failing: ConnectionError"


def test_healthz_is_degraded_not_down_when_the_broker_fails(client, db, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["degraded"] == ["broker"]
    assert response.json()["checks"]["broker"] == "failing: ConnectionError"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_healthz_pings_real_redis(client, db, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get(reverse("healthz")).json()["checks"]["broker"] == "ok"


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ALLOWED_HOSTS"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_requires_secret_key():
    result = _manage(
        "check",
        env_extra={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "",
            "ALLOWED_HOSTS": "cases.example.org",
        },
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_deploy_checks_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 64 + "-not-a-real-key-just-for-checks",
            "ALLOWED_HOSTS": "cases.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_security(monkeypatch):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.OTP_REQUIRED)"
    )
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "cases.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["False", "True", "31536000", "True"], result.stderr


def test_times_are_stored_in_utc_and_shown_in_london(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"


def test_security_headers_and_csp(client, db):
    response = client.get(reverse("accounts:sign-in"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_beat_schedule_names_registered_tasks():
    celery_app.loader.import_default_modules()
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_session_housekeeping_task_runs_eagerly(db):
    from accounts.tasks import clear_expired_sessions

    assert clear_expired_sessions.delay().successful()


@pytest.mark.django_db
def test_demo_data_loads_once_and_shows_different_cases_per_role(client):
    call_command("seed_demo", cases=20, stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert User.objects.filter(email="investigator@northshire.demo").count() == 1
    members = {
        m.role: m
        for m in Membership.objects.usable()
        .filter(agency__partnership__slug="northshire")
        .select_related("agency")
    }
    assert set(members) == set(Role.values)
    visible = {
        role: set(selectors.cases_visible_to(m).values_list("pk", flat=True))
        for role, m in members.items()
    }
    assert visible[Role.CLINIC_CHAIR] == visible[Role.PARTNERSHIP_ADMIN]
    assert visible[Role.INVESTIGATOR] < visible[Role.CLINIC_CHAIR]
    assert visible[Role.CLINICIAN] and visible[Role.CLINICIAN] != visible[Role.INVESTIGATOR]
    assert visible[Role.ADVOCATE] - visible[Role.INVESTIGATOR]  # self-referrals via advocacy
    lapsed = Membership.objects.get(user__email="lapsed@northshire.demo")
    assert not lapsed.is_usable()
    south = Membership.objects.get(user__email="investigator@southmoor.demo")
    assert (
        not set(selectors.cases_visible_to(south).values_list("pk", flat=True))
        & visible[Role.CLINIC_CHAIR]
    )
