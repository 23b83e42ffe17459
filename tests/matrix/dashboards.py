"""Rows for the manager dashboard: aggregate figures for the partnership the member acts
in; no object in the URL, so no scope. VIEW_REPORTS: police supervisor, manager and
partnership admin; everyone else is refused (403)."""

from accounts.roles import Role
from tests.matrix import Row

REPORT_VIEWERS = frozenset({Role.POLICE_SUPERVISOR, Role.MANAGER, Role.PARTNERSHIP_ADMIN})

ROWS = {
    "reporting:dashboard": Row(REPORT_VIEWERS),
}
