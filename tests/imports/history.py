"""Helpers for the tests of the outcomes, re-offending and referrals kinds: upload → map →
check → commit as the admin does (the ``history`` fixture, in conftest.py, gives case C1
and people P1, P2 and P3 as if loaded from SOURCE)."""

from datetime import date

from django.test import TestCase

from accounts.roles import Role
from imports import services

SOURCE = "Northshire SPS sheet"
OPENED = date(2015, 1, 5)


def admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def upload(world, kind, data, *, name="file.csv", source=SOURCE):
    member = admin(world)
    return services.batch_upload(
        actor=member.user,
        membership=member,
        kind=kind,
        source_system=source,
        data=data.encode() if isinstance(data, str) else data,
        name=name,
    )


def check(world, kind, data, *, columns, values=None):
    """Upload, map and check a file: the batch with its dry-run report."""
    member = admin(world)
    batch = upload(world, kind, data)
    services.batch_map(
        actor=member.user,
        membership=member,
        batch=batch,
        columns=columns,
        values=values or {},
    )
    return services.batch_check(actor=member.user, membership=member, batch=batch)


def commit(world, batch):
    member = admin(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.batch_commit(actor=member.user, membership=member, batch=batch)
    batch.refresh_from_db()
    return batch


def load(world, kind, data, *, columns, values=None):
    batch = check(world, kind, data, columns=columns, values=values)
    assert batch.errors == []
    return commit(world, batch)


def rollback(world, batch):
    member = admin(world)
    return services.batch_rollback(actor=member.user, membership=member, batch=batch)


def bulk(world, kind, rows):
    member = admin(world)
    return services.bulk_apply(
        actor=member.user, membership=member, kind=kind, source_system=SOURCE, rows=rows
    )
