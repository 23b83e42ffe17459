"""Rows for people: the party match page and merging duplicate records."""

from django.urls import reverse

from accounts.roles import Role
from tests.matrix import CASE_WRITERS, Row

MERGERS = frozenset({Role.POLICE_SUPERVISOR, Role.PARTNERSHIP_ADMIN})


def _bad_merge_url(name, obj, ctx):
    # Both ids missing from scope for everyone: an allowed role gets 404, never a merge.
    return reverse(name) + "?keep=0&duplicate=0"


ROWS = {
    # Without details waiting in the session the match page sends you back to the form.
    "cases:party-match": Row(CASE_WRITERS, scoped="case", ok=302),
    "cases:person-merge": Row(MERGERS),
    "cases:person-merge-confirm": Row(MERGERS, ok=404, url=_bad_merge_url),
    "cases:person-merge-confirm POST": Row(MERGERS, method="post", ok=302),
    "api:person-matches": Row(frozenset(Role.values), ok=400, anonymous=401),
    "api:person-merge": Row(MERGERS, method="post", ok=400, anonymous=401),
}
