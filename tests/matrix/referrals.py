"""Rows for referrals: the question pages, check answers, detail and lifecycle, and the API.

Objects come from the "referral" scope builder in tests/matrix/core.py. Lifecycle POSTs
send input every allowed role gets a 400 for, so no row changes the shared referral.
"""

from django.urls import reverse

from accounts.roles import Role
from tests.factories import make_referral
from tests.matrix import ALL_ROLES, CASE_WRITERS, NOT_ADMIN, POLICE, Row

# Police reach other agencies' referrals only while those wait for screening (no case
# yet, not an advocacy self-referral): the scoped "other_agency" referral is on a case not
# shared with the role, so nobody but partnership-wide roles reaches it
# (cases.selectors.core.referrals_visible_to; tests/cases/test_referrals_visibility.py).
SEES_ALL_REFERRALS = frozenset()
TOO_LONG = {"note": "x" * 1001}


def _step_url(name, obj, ctx):
    return reverse(name, args=["source"])


ROWS = {
    "cases:referrals": Row(ALL_ROLES),
    # Starting afresh clears the session and goes to the first question.
    "cases:referral-new": Row(NOT_ADMIN, ok=302),
    "cases:referral-step": Row(NOT_ADMIN, url=_step_url),
    "cases:referral-step POST": Row(NOT_ADMIN, method="post", ok=400, url=_step_url),
    # Nothing answered yet: back to the first question.
    "cases:referral-check": Row(NOT_ADMIN, ok=302),
    "cases:referral-detail": Row(
        ALL_ROLES, scoped="referral", reaches_other_agency=SEES_ALL_REFERRALS
    ),
    "cases:referral-screen": Row(
        CASE_WRITERS,
        scoped="referral",
        method="post",
        ok=400,
        data=TOO_LONG,
        reaches_other_agency=SEES_ALL_REFERRALS,
    ),
    "cases:referral-decide": Row(
        CASE_WRITERS, scoped="referral", reaches_other_agency=SEES_ALL_REFERRALS
    ),
    "cases:referral-decide POST": Row(
        CASE_WRITERS,
        scoped="referral",
        method="post",
        ok=400,
        reaches_other_agency=SEES_ALL_REFERRALS,
    ),
    "api:referral-list": Row(ALL_ROLES, anonymous=401),
    "api:referral-list POST": Row(NOT_ADMIN, method="post", ok=400, anonymous=401),
    "api:referral-detail": Row(
        ALL_ROLES, scoped="referral", anonymous=401, reaches_other_agency=SEES_ALL_REFERRALS
    ),
    "api:referral-screen": Row(
        CASE_WRITERS,
        scoped="referral",
        method="post",
        ok=400,
        data=TOO_LONG,
        anonymous=401,
        reaches_other_agency=SEES_ALL_REFERRALS,
    ),
    # Withdrawing: the referring agency's own referrals (the chair: any); another
    # agency's referral is 404 even where it is visible. An empty reason is a field error.
    "cases:referral-withdraw": Row(NOT_ADMIN, scoped="own_referral"),
    "cases:referral-withdraw POST": Row(NOT_ADMIN, scoped="own_referral", method="post", ok=400),
    "api:referral-withdraw": Row(
        NOT_ADMIN, scoped="own_referral", method="post", ok=400, anonymous=401
    ),
    "api:referral-decide": Row(
        CASE_WRITERS,
        scoped="referral",
        method="post",
        ok=400,
        anonymous=401,
        reaches_other_agency=SEES_ALL_REFERRALS,
    ),
}


def own_referral_scopes(ctx, role):
    """own: an undecided referral made by the role's agency; other_agency: one made by
    another agency of the partnership (police's, or advocacy's for police roles)."""
    world = ctx.world
    member = world.members[role]
    own = ctx.once(f"referral_by_{member.agency_id}", lambda: make_referral(member))
    other_member = world.members[Role.ADVOCATE if role in POLICE else Role.INVESTIGATOR]
    other = ctx.once(f"referral_by_{other_member.agency_id}", lambda: make_referral(other_member))
    other_partnership = ctx.once(
        "referral_other_partnership", lambda: make_referral(world.other_partnership_member)
    )
    return {"own": own, "other_agency": other, "other_partnership": other_partnership}


SCOPES = {"own_referral": own_referral_scopes}
