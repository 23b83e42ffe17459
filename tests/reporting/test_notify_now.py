"""Urgent notifications (notify_now): in-app at once, email after commit with the link only,
once per recipient and event, nothing sent for a write that rolls back."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.roles import Role
from reporting.models import Notification, NotificationKind
from reporting.services.notifications import notify_now

pytestmark = pytest.mark.django_db

SECRET = "MARKER-content-never-emailed"


def _notify(world, recipients, key="risk-update:1"):
    partnership = world.members[Role.ADVOCATE].agency.partnership
    return notify_now(
        partnership=partnership,
        recipient_ids=[member.user_id for member in recipients],
        kind=NotificationKind.RISK_UPDATE,
        event_key=key,
        title="Urgent risk update on case NSP-1",
        link="/cases/1/",
    )


def test_each_recipient_notified_and_emailed_once(world, django_capture_on_commit_callbacks):
    oic, supervisor = world.members[Role.INVESTIGATOR], world.members[Role.POLICE_SUPERVISOR]
    with django_capture_on_commit_callbacks(execute=True):
        created = _notify(world, [oic, supervisor, oic])
    assert len(created) == 2
    rows = Notification.objects.filter(event_key="risk-update:1")
    assert {row.recipient_id for row in rows} == {oic.user_id, supervisor.user_id}
    assert all(row.emailed_at for row in rows)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [oic.user.email, supervisor.user.email]
    )
    assert all("/cases/1/" in message.body for message in mail.outbox)
    assert not any(SECRET in message.body for message in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(world, [oic]) == []
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(event_key="risk-update:1").count() == 2


def test_nothing_sent_when_the_write_rolls_back(world, django_capture_on_commit_callbacks):
    oic = world.members[Role.INVESTIGATOR]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(world, [oic])
        raise RuntimeError("the disclosure failed")
    assert callbacks == []
    assert not Notification.objects.filter(event_key="risk-update:1").exists()
    assert mail.outbox == []


def test_no_recipients_is_nothing(world):
    assert _notify(world, []) == []
    assert mail.outbox == []
