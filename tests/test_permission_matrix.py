"""Every URL × every role × (own agency's object, another agency's, another partnership's)
and anonymous → the expected status. A URL without a row here fails the suite.

The expected role sets are written out by hand, not derived from accounts/roles.py, so a
change to the roles module that widens access shows up here as a failure.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from tests.factories import make_referral, open_case

ALL_ROLES = frozenset(Role.values)
POLICE = frozenset({Role.INVESTIGATOR, Role.POLICE_SUPERVISOR})
CASE_WRITERS = POLICE | {Role.CLINIC_CHAIR}
PARTNERSHIP_WIDE = frozenset({Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN})
NOT_ADMIN = ALL_ROLES - {Role.PARTNERSHIP_ADMIN}
# Police screen every incoming referral in their partnership.
SEES_ALL_REFERRALS = PARTNERSHIP_WIDE | POLICE

# URL names not in the matrix, with the reason.
EXEMPT = {
    "admin": "Django admin: superusers only, guarded by Django's own staff check",
}


@dataclass(frozen=True)
class Row:
    roles: frozenset  # roles allowed to use it
    ok: int = 200  # status for an allowed role on an in-scope object
    method: str = "get"
    scoped: str = ""  # "", "case" or "referral": which object the URL names
    anonymous: int = 302  # status when not signed in
    denied: int = 403  # status for a role that may not use it
    data: dict = field(default_factory=dict)
    signed_in_ok: int | None = None  # when the signed-in status differs for every role


MATRIX = {
    "home": Row(ALL_ROLES),
    "accessibility": Row(ALL_ROLES, anonymous=200),
    "healthz": Row(ALL_ROLES, anonymous=200),
    "api-schema": Row(ALL_ROLES, anonymous=200),
    "api-docs": Row(ALL_ROLES, anonymous=200),
    "accounts:sign-in": Row(ALL_ROLES, anonymous=200, signed_in_ok=302),
    "accounts:sign-out": Row(ALL_ROLES, method="post", ok=302),
    "accounts:otp-verify": Row(ALL_ROLES),
    "accounts:otp-enrol": Row(ALL_ROLES),
    "accounts:switch-agency": Row(ALL_ROLES),
    "cases:list": Row(ALL_ROLES),
    "cases:new": Row(CASE_WRITERS),
    "cases:break-glass": Row(NOT_ADMIN),
    "cases:referrals": Row(ALL_ROLES),
    "cases:referral-new": Row(NOT_ADMIN),
    "cases:detail": Row(ALL_ROLES, scoped="case"),
    "cases:party-add": Row(CASE_WRITERS, scoped="case"),
    "cases:share": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:unshare": Row(CASE_WRITERS, scoped="case", method="post", ok=302),
    "audit:search": Row(frozenset({Role.PARTNERSHIP_ADMIN})),
    "api:api-root": Row(ALL_ROLES, anonymous=401),
    "api:me": Row(ALL_ROLES, anonymous=401),
    "api:case-list": Row(ALL_ROLES, anonymous=401),
    "api:case-list POST": Row(CASE_WRITERS, method="post", ok=400, anonymous=401),
    "api:case-detail": Row(ALL_ROLES, scoped="case", anonymous=401),
    "api:case-party-list": Row(ALL_ROLES, scoped="case", anonymous=401),
    "api:case-party-list POST": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401
    ),
    "api:referral-list": Row(ALL_ROLES, anonymous=401),
    "api:referral-list POST": Row(NOT_ADMIN, method="post", ok=400, anonymous=401),
    "api:referral-detail": Row(ALL_ROLES, scoped="referral", anonymous=401),
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_matrix_row():
    names = set(_url_names(get_resolver().url_patterns))
    covered = {name.split(" ")[0] for name in MATRIX}
    missing = {name for name in names - covered if name.split(":")[0] not in EXEMPT}
    assert not missing, f"URLs without a permission-matrix row: {sorted(missing)}"
    stale = covered - names
    assert not stale, f"Matrix rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def scopes(world):
    """For each role: an object in its scope and one in another agency's scope."""
    investigator = world.members[Role.INVESTIGATOR]
    agencies = world.agencies
    everyone = [agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    shared_case = open_case(investigator, shared_with=everyone)
    police_only_case = world.own_case
    not_police_case = world.advocacy_case  # advocacy + health, no police
    police_ref = make_referral(investigator, case=police_only_case)
    advocacy_ref = make_referral(world.members[Role.ADVOCATE], case=not_police_case)
    shared_ref = make_referral(investigator, case=shared_case)
    other_member = world.other_partnership_member
    other_ref = make_referral(other_member, case=world.other_partnership_case)

    def for_role(role):
        if role in POLICE:
            other_case, other_referral = not_police_case, advocacy_ref
        else:
            other_case, other_referral = police_only_case, police_ref
        return {
            "own": {"case": shared_case, "referral": shared_ref},
            "other_agency": {"case": other_case, "referral": other_referral},
            "other_partnership": {
                "case": world.other_partnership_case,
                "referral": other_ref,
            },
        }

    return for_role


def _url(name, obj, world):
    name = name.split(" ")[0]
    if name == "cases:unshare":
        return reverse(name, args=[obj.pk, world.agencies["cps"].pk])
    if name == "api:case-party-list":
        return reverse(name, kwargs={"case_pk": obj.pk})
    if obj is not None:
        return reverse(name, args=[obj.pk])
    return reverse(name)


def _expected(row, role, scope):
    if role not in row.roles:
        return row.denied
    if row.scoped and scope == "other_partnership":
        return 404
    if row.scoped == "case" and scope == "other_agency" and role not in PARTNERSHIP_WIDE:
        return 404
    if row.scoped == "referral" and scope == "other_agency" and role not in SEES_ALL_REFERRALS:
        return 404
    return row.signed_in_ok or row.ok


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world, scopes, client, login):
    row = MATRIX[name]
    failures = []
    scope_names = ["own", "other_agency", "other_partnership"] if row.scoped else ["none"]
    for scope in scope_names:
        obj = scopes(Role.INVESTIGATOR)[scope][row.scoped] if row.scoped else None
        client.logout()
        response = getattr(client, row.method)(_url(name, obj, world), row.data)
        if response.status_code != row.anonymous:
            failures.append(f"anonymous/{scope}: {response.status_code} != {row.anonymous}")
        for role in Role.values:
            obj = scopes(role)[scope][row.scoped] if row.scoped else None
            login(world.members[role])
            response = getattr(client, row.method)(_url(name, obj, world), row.data)
            expected = _expected(row, role, scope)
            if response.status_code != expected:
                failures.append(f"{role}/{scope}: {response.status_code} != {expected}")
            client.logout()
    assert not failures, f"{name}: " + "; ".join(failures)
