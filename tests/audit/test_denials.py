"""Denials (issue 9, items 2 and 3): one helper answers "not found" for every kind of
object, HTML and API alike, and writes one denial row that records what was asked for (the
kind and the id) under the actor's partnership, never another partnership's data."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from reporting.models import Notification, NotificationKind
from tests.factories_triage import ActionFactory, ClinicFactory, MeetingFactory

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def same_answer(a, b):
    """The same status and body, but for the per-request CSRF token."""
    return a.status_code == b.status_code and CSRF.sub(b"", a.content) == CSRF.sub(b"", b.content)


def _denials():
    return AccessEvent.objects.filter(action=Action.DENIAL)


def _other_tenant_text(row):
    return " ".join(
        [row.object_repr, str(row.detail), row.reason, str(row.case_id or ""), row.agency_name]
    )


@pytest.mark.parametrize("url_name", ["cases:detail", "api:case-detail"])
def test_another_partnerships_case_leaves_only_the_requested_id(client, login, world, url_name):
    member = world.members[Role.INVESTIGATOR]
    other = world.other_partnership_case
    login(member)
    response = client.get(reverse(url_name, args=[other.pk]))
    assert response.status_code == 404
    assert other.reference.encode() not in response.content
    row = _denials().get()
    assert row.partnership_id == member.agency.partnership_id
    assert (row.object_type, row.object_id) == ("cases.Case", str(other.pk))
    assert row.case_id is None and row.object_repr == ""
    assert other.reference not in _other_tenant_text(row)
    # Walking ids copies nothing of the other partnership into this one's audit page.
    login(world.members[Role.PARTNERSHIP_ADMIN])
    page = client.get(reverse("audit:search"))
    assert other.reference.encode() not in page.content


def _objects(world):
    other_member = world.other_partnership_member
    other_partnership = other_member.agency.partnership
    note = Notification.objects.create(
        partnership=other_partnership,
        recipient=world.members[Role.CLINICIAN].user,
        kind=NotificationKind.ACTION_DUE,
        event_key="elsewhere",
        title="Elsewhere",
        link="/cases/",
    )
    action = ActionFactory(
        case=world.other_partnership_case,
        owner_agency=other_member.agency,
        created_by=other_member.user,
    )
    clinic = ClinicFactory(partnership=other_partnership, agencies=[other_member.agency])
    meeting = MeetingFactory(clinic=clinic)
    return {
        "reporting:notification-open": note,
        "triage:actions-detail": action,
        "api:action-detail": action,
        "triage:clinic-detail": clinic,
        "api:clinic-detail": clinic,
        "triage:meeting-detail": meeting,
        "api:meeting-detail": meeting,
    }


def test_every_kind_of_object_is_denied_alike_and_audited(client, login, world):
    member = world.members[Role.CLINICIAN]
    login(member)
    for name, obj in _objects(world).items():
        before = _denials().count()
        out_of_scope = client.get(reverse(name, args=[obj.pk]))
        missing = client.get(reverse(name, args=[987654321]))
        assert out_of_scope.status_code == missing.status_code == 404, name
        assert same_answer(out_of_scope, missing), name
        rows = list(_denials().order_by("id")[before:])
        assert [r.object_id for r in rows] == [str(obj.pk), "987654321"], name
        assert {r.object_type for r in rows} == {obj._meta.label}, name
        assert {r.partnership_id for r in rows} == {member.agency.partnership_id}, name


@pytest.mark.parametrize(
    ("url", "method"),
    [("triage:clinic-new", "get"), ("api:clinic-list", "post"), ("audit:search", "get")],
)
def test_capability_refusals_are_audited(client, login, world, url, method):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    response = getattr(client, method)(reverse(url))
    assert response.status_code == 403
    row = _denials().get()
    assert row.actor_id == member.user_id
    assert row.object_type == "capability" and row.partnership_id == member.agency.partnership_id
