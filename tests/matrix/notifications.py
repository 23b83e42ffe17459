"""Rows for notifications: the page, mark read, follow a link, and the API.

Every member has notifications; only the recipient reaches one, in the partnership they act
in. Scopes: "own" is addressed to the role's user; "other_agency" to another member of the
same partnership; "other_partnership" to the role's own user but in another partnership.
The matrix lets partnership-wide roles reach other agencies' objects, which notifications
never allow: for those roles the other_agency slot holds their own notification, and
tests/reporting/test_notifications.py checks that a chair and an admin get 404 for anyone
else's.
"""

from accounts.roles import Role
from reporting.models import Notification, NotificationKind
from tests.matrix import ALL_ROLES, PARTNERSHIP_WIDE, Row


def _notification(user, partnership, key):
    return Notification.objects.create(
        partnership=partnership,
        recipient=user,
        kind=NotificationKind.ACTION_DUE,
        event_key=key,
        title="Action due tomorrow on case NSP-1",
        link="/cases/",
    )


def notification_scopes(ctx, role):
    world = ctx.world
    user = world.members[role].user
    own = ctx.once(f"note:{role}", lambda: _notification(user, world.partnership, f"m:{role}"))
    other_user = world.members[Role.ADVOCATE if role != Role.ADVOCATE else Role.INVESTIGATOR].user
    other = ctx.once(
        f"note-other:{role}",
        lambda: _notification(other_user, world.partnership, f"m-other:{role}"),
    )
    elsewhere = ctx.once(
        f"note-elsewhere:{role}",
        lambda: _notification(
            user, world.other_partnership_member.agency.partnership, f"m-away:{role}"
        ),
    )
    return {
        "own": own,
        "other_agency": own if role in PARTNERSHIP_WIDE else other,
        "other_partnership": elsewhere,
    }


ROWS = {
    "reporting:notification-list": Row(ALL_ROLES),
    "reporting:notification-read-all": Row(ALL_ROLES, method="post", ok=302),
    "reporting:notification-read": Row(ALL_ROLES, method="post", ok=302, scoped="notification"),
    "reporting:notification-open": Row(ALL_ROLES, ok=302, scoped="notification"),
    "api:notification-list": Row(ALL_ROLES, anonymous=401),
    "api:notification-read": Row(ALL_ROLES, method="post", scoped="notification", anonymous=401),
    "api:notification-read-all": Row(ALL_ROLES, method="post", anonymous=401),
}

SCOPES = {"notification": notification_scopes}
