"""Rows for API tokens: the user's own account page, and the partnership admin's list.

Scopes for a token: "own" belongs to the role's user; "other_agency" to another member of
the same partnership; "other_partnership" to a member of another partnership. A user
revokes only their own tokens, so for the partnership-wide roles (whom the matrix lets
reach other agencies' objects) the other_agency slot of the owner's revoke holds their own
token; tests/accounts/test_api_tokens.py checks that a chair gets 404 for anyone else's.
The admin's revoke reaches every token of the partnership and none outside it.
"""

from datetime import timedelta

from accounts.models import ApiToken
from accounts.roles import Role
from tests.matrix import ADMIN_ONLY, ALL_ROLES, PARTNERSHIP_WIDE, Row


def _token(user, name):
    token, _secret = ApiToken.objects.create(user=user, expiry=timedelta(days=30), name=name)
    return token


def _scopes(ctx, role, prefix, own_for_wide):
    world = ctx.world
    user = world.members[role].user
    other_user = world.members[Role.ADVOCATE if role != Role.ADVOCATE else Role.INVESTIGATOR].user
    own = ctx.once(f"{prefix}:{role}", lambda: _token(user, f"{prefix} own {role}"))
    other = ctx.once(f"{prefix}-other:{role}", lambda: _token(other_user, f"{prefix} other {role}"))
    elsewhere = ctx.once(
        f"{prefix}-away:{role}",
        lambda: _token(world.other_partnership_member.user, f"{prefix} away {role}"),
    )
    if own_for_wide and role in PARTNERSHIP_WIDE:
        # A second token of their own: the first is revoked by the "own" request.
        other = ctx.once(f"{prefix}-own2:{role}", lambda: _token(user, f"{prefix} own2 {role}"))
    return {
        "own": own,
        "other_agency": other,
        "other_partnership": elsewhere,
    }


def own_token_scopes(ctx, role):
    return _scopes(ctx, role, "mine", own_for_wide=True)


def partnership_token_scopes(ctx, role):
    return _scopes(ctx, role, "admin", own_for_wide=False)


ROWS = {
    "accounts:account": Row(ALL_ROLES),
    # Signed in without two-factor (as the matrix signs in): the page answers with a field
    # error and makes no token; the two-factor case is in tests/accounts/test_api_tokens.py.
    "accounts:account POST": Row(ALL_ROLES, method="post", data={"name": "x"}),
    "accounts:api-token-revoke": Row(ALL_ROLES, method="post", ok=302, scoped="own_token"),
    "accounts:partnership-api-tokens": Row(ADMIN_ONLY),
    "accounts:partnership-api-token-revoke": Row(
        ADMIN_ONLY, method="post", ok=302, scoped="partnership_token"
    ),
}

SCOPES = {"own_token": own_token_scopes, "partnership_token": partnership_token_scopes}
