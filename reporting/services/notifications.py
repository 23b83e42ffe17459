"""Marking one's own notifications read, and notifying people at once (urgent events)."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_event
from config.jobs import enqueue_on_commit
from reporting.models import Notification
from reporting.selectors.notifications import notifications_for

logger = logging.getLogger(__name__)


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


def notify_now(*, partnership, recipient_ids, kind, event_key, title, link, case=None, body=""):
    """Notifies each recipient at once: an in-app notification now and an email (title and
    link only; email leaves the secure system) sent by a job after commit.

    Call inside the caller's transaction, so nothing is sent for a write that rolls back.
    One notification per (recipient, event_key): calling again for the same event adds
    nothing. If the job cannot be queued (broker down) the notifications stay unemailed
    and the daily reminder job's digest sends them. The caller audits what it disclosed;
    nothing of the content goes into ``title``, ``body`` or ``link``. Returns the ids of
    the notifications created."""
    recipient_ids = sorted({pk for pk in recipient_ids if pk})
    if not recipient_ids:
        return []
    now = timezone.now()
    rows = [
        Notification(
            partnership=partnership,
            recipient_id=recipient_id,
            kind=kind,
            event_key=event_key,
            title=title,
            body=body,
            link=link,
            case=case,
            created_at=now,
        )
        for recipient_id in recipient_ids
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            recipient_id__in=recipient_ids, event_key=event_key, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if created:
        enqueue_on_commit(
            "reporting.tasks.email_notifications", created, on_failure=lambda error: None
        )
    return created


def email_notifications(notification_ids):
    """Emails each notification not emailed yet to its recipient (title, link); marks it
    emailed. A failed address keeps emailed_at empty for the daily digest to retry."""
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    pending = (
        Notification.objects.filter(
            pk__in=notification_ids, emailed_at__isnull=True, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    sent = 0
    for notification in pending:
        message = EmailMessage(
            f"{settings.SERVICE_NAME}: {notification.title}",
            "\n".join(
                [
                    notification.title,
                    *([notification.body] if notification.body else []),
                    "",
                    f"{site}{notification.link}",
                    "",
                    "Sign in to see the details. This email carries no case content.",
                ]
            ),
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        try:
            message.send()
        except Exception:  # noqa: BLE001 - one bad address must not stop the others
            logger.exception("Notification email %s failed", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent
