"""Every URL × every role × (own agency's object, another agency's, another partnership's)
and anonymous → the expected status. A URL without a row fails the suite.

Rows live in tests/matrix/ (one module per area). The expected role sets are written out
by hand, not derived from accounts/roles.py, so a change that widens access shows up here.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix
from accounts.roles import Role
from tests.matrix import SCOPE_NAMES, MatrixContext, reach

# URL namespaces not in the matrix, with the reason.
EXEMPT = {"admin": "Django admin: superusers only, guarded by Django's own staff check"}


def _load_matrix():
    rows, scopes = {}, {}
    for module_info in pkgutil.iter_modules(tests.matrix.__path__):
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        for name in getattr(module, "ROWS", {}):
            assert name not in rows, f"{name} has two matrix rows"
        rows.update(getattr(module, "ROWS", {}))
        scopes.update(getattr(module, "SCOPES", {}))
    return rows, scopes


MATRIX, SCOPES = _load_matrix()


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
    for name, row in MATRIX.items():
        assert not row.scoped or row.scoped in SCOPES, f"{name}: no scope builder"


def _url(name, row, obj, ctx):
    name = name.split(" ")[0]
    if row.url is not None:
        return row.url(name, obj, ctx)
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


def _expected(row, role, scope):
    if role not in row.roles:
        return row.denied
    if row.scoped and scope == "other_partnership":
        return 404
    if row.scoped and scope == "other_agency" and role not in reach(row):
        return 404
    return row.signed_in_ok or row.ok


def matrix_size():
    return sum((3 if row.scoped else 1) * (len(Role.values) + 1) for row in MATRIX.values())


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world, client, login):
    row = MATRIX[name]
    ctx = MatrixContext(world)
    failures = []
    for scope in SCOPE_NAMES if row.scoped else ("none",):

        def obj_for(role, scope=scope):
            return SCOPES[row.scoped](ctx, role)[scope] if row.scoped else None

        client.logout()
        response = getattr(client, row.method)(
            _url(name, row, obj_for(Role.INVESTIGATOR), ctx), row.data
        )
        if response.status_code != row.anonymous:
            failures.append(f"anonymous/{scope}: {response.status_code} != {row.anonymous}")
        for role in Role.values:
            login(world.members[role])
            response = getattr(client, row.method)(_url(name, row, obj_for(role), ctx), row.data)
            expected = _expected(row, role, scope)
            if response.status_code != expected:
                failures.append(f"{role}/{scope}: {response.status_code} != {expected}")
            client.logout()
    assert not failures, f"{name}: " + "; ".join(failures)
