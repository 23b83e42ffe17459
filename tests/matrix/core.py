"""Rows for the foundation: shell, accounts, cases, audit, API root (referrals: referrals.py)."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories import make_referral, open_case
from tests.matrix import (
    ADMIN_ONLY,
    ALL_ROLES,
    CASE_WRITERS,
    NOT_ADMIN,
    POLICE,
    Row,
)


def _unshare_url(name, obj, ctx):
    return reverse(name, args=[obj.pk, ctx.world.agencies["cps"].pk])


def _party_list_url(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


ROWS = {
    "home": Row(ALL_ROLES),
    "accessibility": Row(ALL_ROLES, anonymous=200),
    "healthz": Row(ALL_ROLES, anonymous=200),
    "api-schema": Row(ALL_ROLES, anonymous=401),  # signed-in members only (issue 9)
    "api-docs": Row(ALL_ROLES),
    "accounts:sign-in": Row(ALL_ROLES, anonymous=200, signed_in_ok=302),
    "accounts:sign-out": Row(ALL_ROLES, method="post", ok=302),
    # A stale sign-out link (GET) shows a page, signed in or not; it signs nobody out.
    "accounts:sign-out GET": Row(ALL_ROLES, anonymous=200),
    "accounts:otp-verify": Row(ALL_ROLES),
    "accounts:otp-enrol": Row(ALL_ROLES),
    "accounts:switch-agency": Row(ALL_ROLES),
    "accounts:registration": Row(ALL_ROLES),
    "accounts:registration POST": Row(
        ALL_ROLES, method="post", ok=400, data={"registration_body": "HCPC"}
    ),
    "cases:list": Row(ALL_ROLES),
    "cases:new": Row(CASE_WRITERS),
    "cases:break-glass": Row(NOT_ADMIN),
    "cases:detail": Row(ALL_ROLES, scoped="case"),
    "cases:party-add": Row(CASE_WRITERS, scoped="case"),
    "cases:share": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:unshare": Row(CASE_WRITERS, scoped="case", method="post", ok=302, url=_unshare_url),
    "audit:search": Row(ADMIN_ONLY),
    "audit:export": Row(ADMIN_ONLY),
    "api:api-root": Row(ALL_ROLES, anonymous=401),
    "api:me": Row(ALL_ROLES, anonymous=401),
    "api:case-list": Row(ALL_ROLES, anonymous=401),
    "api:case-list POST": Row(CASE_WRITERS, method="post", ok=400, anonymous=401),
    "api:case-detail": Row(ALL_ROLES, scoped="case", anonymous=401),
    "api:case-party-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_party_list_url),
    "api:case-party-list POST": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401, url=_party_list_url
    ),
}


def _shared_case(ctx):
    """A case shared with every agency of the partnership: in scope for every role."""
    world = ctx.world
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    return ctx.once(
        "shared_case", lambda: open_case(world.members[Role.INVESTIGATOR], shared_with=agencies)
    )


def case_scopes(ctx, role):
    world = ctx.world
    return {
        "own": _shared_case(ctx),
        # Police: the advocacy self-referral; everyone else: the police-only case.
        "other_agency": world.advocacy_case if role in POLICE else world.own_case,
        "other_partnership": world.other_partnership_case,
    }


def referral_scopes(ctx, role):
    world = ctx.world
    investigator = world.members[Role.INVESTIGATOR]
    shared = ctx.once("shared_ref", lambda: make_referral(investigator, case=_shared_case(ctx)))
    police = ctx.once("police_ref", lambda: make_referral(investigator, case=world.own_case))
    advocacy = ctx.once(
        "advocacy_ref",
        lambda: make_referral(world.members[Role.ADVOCATE], case=world.advocacy_case),
    )
    other = ctx.once(
        "other_ref",
        lambda: make_referral(world.other_partnership_member, case=world.other_partnership_case),
    )
    return {
        "own": shared,
        "other_agency": advocacy if role in POLICE else police,
        "other_partnership": other,
    }


SCOPES = {"case": case_scopes, "referral": referral_scopes}
