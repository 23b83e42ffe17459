"""Rows for the report set-up pages: local areas and staff FTE (the partnership admin),
training (the admin, and the roles that see reports: a manager and a police supervisor,
for their own agency's training only).

Scopes: "own" is the role's partnership (for training, delivered by the role's agency);
"other_agency" is another agency's row in the same partnership (the admin reaches it, a
manager or supervisor gets 404 for training); "other_partnership" is 404 for everyone.
Objects are made per role, so a POST that deletes one leaves the next role's in place."""

from datetime import date
from decimal import Decimal

from accounts.roles import Role
from reporting.models import LocalArea, StaffFte, TrainingAudience, TrainingEvent
from tests.matrix import ADMIN_ONLY, Row

TRAINERS = frozenset({Role.PARTNERSHIP_ADMIN, Role.MANAGER, Role.POLICE_SUPERVISOR})


def _other_partnership(world):
    return world.other_partnership_member.agency.partnership


def _area(partnership, name):
    return LocalArea.objects.create(partnership=partnership, name=name)


def _training(partnership, agency):
    return TrainingEvent.objects.create(
        partnership=partnership,
        delivered_on=date(2026, 5, 1),
        topic="Recognising stalking",
        audience=TrainingAudience.POLICE,
        attendee_count=12,
        delivered_by=agency,
    )


def _fte(partnership, agency, year):
    return StaffFte.objects.create(
        partnership=partnership,
        agency=agency,
        period_start=date(year, 4, 1),
        period_end=date(year + 1, 3, 31),
        fte=Decimal("2.5"),
    )


def local_area_scopes(ctx, role):
    world = ctx.world
    return {
        "own": ctx.once(f"area:{role}", lambda: _area(world.partnership, f"Own {role}")),
        "other_agency": ctx.once(
            f"area-other:{role}", lambda: _area(world.partnership, f"Other {role}")
        ),
        "other_partnership": ctx.once(
            f"area-away:{role}", lambda: _area(_other_partnership(world), f"Away {role}")
        ),
    }


def training_scopes(ctx, role):
    world = ctx.world
    own_agency = world.members[role].agency
    # No role that records training works in the health agency: its training is always
    # another agency's.
    other_agency = world.agencies["health"]
    away = world.other_partnership_member.agency
    return {
        "own": ctx.once(f"training:{role}", lambda: _training(world.partnership, own_agency)),
        "other_agency": ctx.once(
            f"training-other:{role}", lambda: _training(world.partnership, other_agency)
        ),
        "other_partnership": ctx.once(
            f"training-away:{role}", lambda: _training(_other_partnership(world), away)
        ),
    }


def staff_fte_scopes(ctx, role):
    world = ctx.world
    index = list(Role.values).index(role)
    away = world.other_partnership_member.agency
    return {
        "own": ctx.once(
            f"fte:{role}", lambda: _fte(world.partnership, world.agencies["police"], 2000 + index)
        ),
        "other_agency": ctx.once(
            f"fte-other:{role}",
            lambda: _fte(world.partnership, world.agencies["health"], 2000 + index),
        ),
        "other_partnership": ctx.once(
            f"fte-away:{role}", lambda: _fte(_other_partnership(world), away, 2000 + index)
        ),
    }


ROWS = {
    "reporting:setup": Row(TRAINERS),
    # Local areas: the partnership admin.
    "reporting:local-area-list": Row(ADMIN_ONLY),
    "reporting:local-area-new": Row(ADMIN_ONLY),
    "reporting:local-area-new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "reporting:local-area-edit": Row(ADMIN_ONLY, scoped="local_area"),
    "reporting:local-area-edit POST": Row(ADMIN_ONLY, scoped="local_area", method="post", ok=400),
    # Training: the admin (any agency's), a manager or police supervisor (their agency's).
    "reporting:training-list": Row(TRAINERS),
    "reporting:training-new": Row(TRAINERS),
    "reporting:training-new POST": Row(TRAINERS, method="post", ok=400),
    "reporting:training-edit": Row(TRAINERS, scoped="training"),
    "reporting:training-edit POST": Row(TRAINERS, scoped="training", method="post", ok=400),
    "reporting:training-delete": Row(TRAINERS, scoped="training"),
    "reporting:training-delete POST": Row(TRAINERS, scoped="training", method="post", ok=302),
    # Staff FTE: the partnership admin.
    "reporting:fte-list": Row(ADMIN_ONLY),
    "reporting:fte-new": Row(ADMIN_ONLY),
    "reporting:fte-new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "reporting:fte-edit": Row(ADMIN_ONLY, scoped="staff_fte"),
    "reporting:fte-edit POST": Row(ADMIN_ONLY, scoped="staff_fte", method="post", ok=400),
    "reporting:fte-delete": Row(ADMIN_ONLY, scoped="staff_fte"),
    "reporting:fte-delete POST": Row(ADMIN_ONLY, scoped="staff_fte", method="post", ok=302),
}

SCOPES = {
    "local_area": local_area_scopes,
    "training": training_scopes,
    "staff_fte": staff_fte_scopes,
}
