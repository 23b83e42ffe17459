"""The permission matrix, split by area so each area adds its own rows.

Each module in this package defines ``ROWS`` (URL name → Row) and may define ``SCOPES``
(object kind → builder). A builder takes the MatrixContext and a role and returns the
object to use for each scope: "own" (in the role's scope), "other_agency" (in the same
partnership but not the role's scope) and "other_partnership".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.roles import Role

ALL_ROLES = frozenset(Role.values)
POLICE = frozenset({Role.INVESTIGATOR, Role.POLICE_SUPERVISOR})
CASE_WRITERS = POLICE | {Role.CLINIC_CHAIR}
PARTNERSHIP_WIDE = frozenset({Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN})
NOT_ADMIN = ALL_ROLES - {Role.PARTNERSHIP_ADMIN}
ADMIN_ONLY = frozenset({Role.PARTNERSHIP_ADMIN})
SCOPE_NAMES = ("own", "other_agency", "other_partnership")


def reach(row):
    """The roles that reach another agency's object of the row's kind."""
    wide = PARTNERSHIP_WIDE if row.partnership_wide_reach else frozenset()
    return wide | row.reaches_other_agency


@dataclass(frozen=True)
class Row:
    roles: frozenset  # roles allowed to use it
    ok: int = 200  # status for an allowed role on an in-scope object
    method: str = "get"
    scoped: str = ""  # the object kind the URL names ("case", "referral", …), or ""
    anonymous: int = 302  # status when not signed in
    denied: int = 403  # status for a role that may not use it
    data: dict = field(default_factory=dict)
    signed_in_ok: int | None = None  # when the signed-in status differs for every role
    # Roles that may reach another agency's object of this kind (besides partnership-wide).
    reaches_other_agency: frozenset = frozenset()
    # False for an agency compartment (advocacy, clinical): a partnership-wide role reaches
    # only its own agency's objects there, like everyone else.
    partnership_wide_reach: bool = True
    # Builds the URL when reverse(name, args=[obj.pk]) is not enough: (name, obj, ctx) -> str
    url: Callable | None = None


class MatrixContext:
    """The world fixture plus objects made once per test and shared by rows."""

    def __init__(self, world):
        self.world = world
        self._made = {}

    def once(self, key, make):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]
