"""Rows for people: the party match page and merging duplicate records."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories_people import person_in_case
from tests.matrix import ALL_ROLES, CASE_WRITERS, POLICE, Row
from tests.matrix.core import _shared_case

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
    # The People pages: everyone with VIEW_CASES (every role), scoped to visible cases.
    "cases:person-list": Row(ALL_ROLES),
    "cases:person-detail": Row(ALL_ROLES, scoped="person"),
    "api:person-list": Row(ALL_ROLES, anonymous=401),
    "api:person-detail": Row(ALL_ROLES, scoped="person", anonymous=401),
    "api:person-matches": Row(frozenset(Role.values), ok=400, anonymous=401),
    "api:person-merge": Row(MERGERS, method="post", ok=400, anonymous=401),
}


def person_scopes(ctx, role):
    """A party to the case shared with every agency; a party to a case the role cannot see
    (police: the advocacy case; everyone else: the police-only case); a party to another
    partnership's case."""
    world = ctx.world
    shared = ctx.once("person_shared", lambda: person_in_case(_shared_case(ctx)))
    police_only = ctx.once("person_police", lambda: person_in_case(world.own_case))
    advocacy = ctx.once("person_advocacy", lambda: person_in_case(world.advocacy_case))
    other = ctx.once("person_other", lambda: person_in_case(world.other_partnership_case))
    return {
        "own": shared,
        "other_agency": advocacy if role in POLICE else police_only,
        "other_partnership": other,
    }


SCOPES = {"person": person_scopes}
