"""Marking one's own notifications read."""

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_event
from reporting.selectors.notifications import notifications_for


def notification_mark_read(*, actor, membership, notification):
    """Marks one of the member's notifications read (already read: left as it was)."""
    with transaction.atomic():
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            record_event(
                action=Action.UPDATE,
                actor=actor,
                membership=membership,
                obj=notification,
                case=None,
                detail={"notification": "read"},
            )
    return notification


def notification_mark_all_read(*, actor, membership):
    """Marks every unread notification of the member in this partnership read."""
    with transaction.atomic():
        count = notifications_for(membership, unread_only=True).update(read_at=timezone.now())
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            detail={"notifications": "all read", "count": count},
        )
    return count
