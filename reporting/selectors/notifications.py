"""A member's own notifications: only the recipient sees them, and only those of the
partnership they are acting in. Anything else answers 404."""

from audit.services import visible_or_404
from reporting.models import Notification

BADGE_CAP = 99


def notifications_for(membership, *, unread_only=False):
    notifications = Notification.objects.filter(
        recipient_id=membership.user_id, partnership_id=membership.agency.partnership_id
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def get_notification_or_404(membership, pk):
    return visible_or_404(membership, notifications_for(membership), pk)


def unread_count(membership, cap=BADGE_CAP):
    """(count, capped): unread notifications up to ``cap``, one query on the recipient index."""
    count = notifications_for(membership, unread_only=True).order_by()[: cap + 1].count()
    return min(count, cap), count > cap
