"""Shared fixtures: a partnership with one member per role, a second partnership, and cases
in and out of each agency's scope."""

import os
import sys
from dataclasses import dataclass

import pytest

from accounts.roles import AgencyKind, Role
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    add_party,
    open_case,
)

ROLE_AGENCY = {
    Role.INVESTIGATOR: "police",
    Role.POLICE_SUPERVISOR: "police",
    Role.CLINIC_CHAIR: "health",
    Role.CLINICIAN: "health",
    Role.ADVOCATE: "advocacy",
    Role.PROBATION_OFFICER: "probation",
    Role.PARTNER: "cps",
    Role.MANAGER: "probation",
    Role.PARTNERSHIP_ADMIN: "police",
}


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path_factory):
    # Files the tests make (minutes PDFs, import uploads) go to a temporary folder.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_REQUIRED = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # A per-process cache: xdist workers must not clear each other's Redis keys.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _services_reachable_under_ci():
    """Under CI the suite must run on PostgreSQL: refuse to fall back silently."""
    if os.environ.get("CI") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.exit("CI must set DATABASE_URL to PostgreSQL", returncode=3)


@dataclass
class World:
    partnership: object
    agencies: dict
    members: dict
    other_partnership_member: object
    own_case: object  # shared with police only
    health_case: object  # shared with police and health
    advocacy_case: object  # led by advocacy, shared with health; not police
    other_partnership_case: object
    victim: object  # victim party of own_case
    perpetrator: object


@pytest.fixture
def world(db):
    partnership = PartnershipFactory(name="Northshire", slug="northshire")
    kinds = {
        "police": AgencyKind.POLICE,
        "health": AgencyKind.HEALTH,
        "advocacy": AgencyKind.ADVOCACY,
        "probation": AgencyKind.PROBATION,
        "cps": AgencyKind.CPS,
    }
    agencies = {
        key: AgencyFactory(partnership=partnership, name=f"{key} agency", kind=kind)
        for key, kind in kinds.items()
    }
    members = {
        role: MembershipFactory(
            agency=agencies[ROLE_AGENCY[role]], role=role, user__email=f"{role}@example.org"
        )
        for role in Role.values
    }
    investigator = members[Role.INVESTIGATOR]
    own_case = open_case(investigator, officer_in_charge=investigator.user)
    health_case = open_case(investigator, shared_with=[agencies["health"]])
    chair = members[Role.CLINIC_CHAIR]
    advocacy_case = open_case(chair, lead_agency=agencies["advocacy"])
    victim = add_party(own_case, advocate=members[Role.ADVOCATE].user)
    perpetrator = add_party(own_case, role="perpetrator")

    other_police = AgencyFactory(kind=AgencyKind.POLICE, name="Southmoor police")
    other_member = MembershipFactory(agency=other_police, user__email="south@example.org")
    other_case = open_case(other_member)
    return World(
        partnership=partnership,
        agencies=agencies,
        members=members,
        other_partnership_member=other_member,
        own_case=own_case,
        health_case=health_case,
        advocacy_case=advocacy_case,
        other_partnership_case=other_case,
        victim=victim,
        perpetrator=perpetrator,
    )


@pytest.fixture
def login(client):
    """Sign a membership's user in, acting under that membership."""

    def _login(membership, target_client=None):
        target = target_client or client
        target.force_login(membership.user)
        session = target.session
        session["membership_id"] = membership.pk
        session.save()
        return target

    return _login


def pytest_addoption(parser):
    parser.addoption(
        "--browser",
        action="store_true",
        help="run the browser suite (tests marked browser; needs chromium and chromium-driver)",
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked ``browser`` run only with --browser (make test-browser). Tests marked
    ``postgres`` need PostgreSQL; on SQLite they are skipped with the reason."""
    from django.conf import settings

    if not config.getoption("--browser"):
        browser = [item for item in items if item.get_closest_marker("browser")]
        if browser:
            config.hook.pytest_deselected(items=browser)
            items[:] = [item for item in items if not item.get_closest_marker("browser")]

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    schema_tests = sys.modules.get("tests.test_schema")
    if schema_tests and schema_tests.status_totals():
        terminalreporter.write_line(schema_tests.status_totals())
