"""Rows for the case record sections, the reference-data admin and the record API."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories_record import local_code, make_order
from tests.matrix import ADMIN_ONLY, ALL_ROLES, CASE_WRITERS, POLICE, Row
from tests.matrix.core import _shared_case, case_scopes

# Probation officers and advocates also record re-offending (from their own source).
REOFFENDING_WRITERS = CASE_WRITERS | {Role.PROBATION_OFFICER, Role.ADVOCATE}


def _case_api(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


def _order_api(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.case_id, "pk": obj.pk})


ROWS = {
    # Reading sections: every role that can see the case.
    **{
        f"cases:{name}": Row(ALL_ROLES, scoped="case")
        for name in (
            "parties",
            "record",
            "linked-crimes",
            "orders",
            "outcomes",
            "reoffending",
            "closure",
            "timeline",
            "sharing",
        )
    },
    # Writing: police and the clinic chair. Empty POSTs are bad input: 400, nothing saved.
    "cases:record-edit": Row(CASE_WRITERS, scoped="case"),
    "cases:record-edit POST": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:order-new": Row(CASE_WRITERS, scoped="case"),
    "cases:order-new POST": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:order-decide": Row(CASE_WRITERS, scoped="order"),
    "cases:order-decide POST": Row(CASE_WRITERS, scoped="order", method="post", ok=400),
    "cases:breach-new": Row(CASE_WRITERS, scoped="order"),
    "cases:breach-new POST": Row(CASE_WRITERS, scoped="order", method="post", ok=400),
    "cases:outcome-new": Row(CASE_WRITERS, scoped="case"),
    "cases:outcome-new POST": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:reoffending-new": Row(REOFFENDING_WRITERS, scoped="case"),
    "cases:reoffending-new POST": Row(REOFFENDING_WRITERS, scoped="case", method="post", ok=400),
    "cases:closure POST": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:reopen": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    # Reference data: the partnership admin.
    "cases:reference-data": Row(ADMIN_ONLY),
    "cases:reference-code-new": Row(ADMIN_ONLY),
    "cases:reference-code-new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "cases:reference-code-relabel": Row(ADMIN_ONLY, scoped="code"),
    "cases:reference-code-relabel POST": Row(ADMIN_ONLY, scoped="code", method="post", ok=400),
    "cases:reference-code-retire": Row(ADMIN_ONLY, scoped="code"),
    "cases:reference-code-retire POST": Row(ADMIN_ONLY, scoped="code", method="post", ok=400),
    # API. The matrix client sends PATCH bodies as application/octet-stream, so a role that
    # passes the permission and scope checks reaches the parser: 415.
    "api:case-record-detail": Row(ALL_ROLES, scoped="case", anonymous=401),
    "api:case-record-detail PATCH": Row(
        CASE_WRITERS, scoped="case", method="patch", ok=415, anonymous=401
    ),
    "api:case-record-close": Row(CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401),
    "api:case-record-reopen": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401
    ),
    "api:case-record-timeline": Row(ALL_ROLES, scoped="case", anonymous=401),
    "api:case-order-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_case_api),
    "api:case-order-list POST": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401, url=_case_api
    ),
    "api:case-order-detail": Row(ALL_ROLES, scoped="order", anonymous=401, url=_order_api),
    "api:case-order-detail PATCH": Row(
        CASE_WRITERS, scoped="order", method="patch", ok=415, anonymous=401, url=_order_api
    ),
    "api:case-order-breaches": Row(ALL_ROLES, scoped="order", anonymous=401, url=_order_api),
    "api:case-order-breaches POST": Row(
        CASE_WRITERS, scoped="order", method="post", ok=400, anonymous=401, url=_order_api
    ),
    "api:case-outcome-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_case_api),
    "api:case-outcome-list POST": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401, url=_case_api
    ),
    "api:case-reoffending-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_case_api),
    "api:case-reoffending-list POST": Row(
        REOFFENDING_WRITERS, scoped="case", method="post", ok=400, anonymous=401, url=_case_api
    ),
    # Reference codes belong to the partnership: every member reads them.
    "api:reference-code-list": Row(ALL_ROLES, anonymous=401),
    "api:reference-code-list POST": Row(ADMIN_ONLY, method="post", ok=400, anonymous=401),
    "api:reference-code-detail": Row(
        ALL_ROLES, scoped="code", anonymous=401, reaches_other_agency=ALL_ROLES
    ),
    "api:reference-code-relabel": Row(
        ADMIN_ONLY, scoped="code", method="post", ok=400, anonymous=401
    ),
    "api:reference-code-retire": Row(
        ADMIN_ONLY, scoped="code", method="post", ok=400, anonymous=401
    ),
}


def order_scopes(ctx, role):
    world = ctx.world
    cases = case_scopes(ctx, role)
    shared = ctx.once("order_shared", lambda: make_order(_shared_case(ctx)))
    police_only = ctx.once("order_police", lambda: make_order(world.own_case))
    advocacy = ctx.once("order_advocacy", lambda: make_order(world.advocacy_case))
    other = ctx.once("order_other", lambda: make_order(cases["other_partnership"]))
    return {
        "own": shared,
        "other_agency": advocacy if role in POLICE else police_only,
        "other_partnership": other,
    }


def code_scopes(ctx, role):
    """Codes belong to a partnership, not an agency: the admin (partnership-wide) reaches
    every local code of their partnership; another partnership's code is 404."""
    world = ctx.world
    own = ctx.once("code_own", lambda: local_code(world.partnership))
    other = ctx.once(
        "code_other", lambda: local_code(world.other_partnership_member.agency.partnership)
    )
    return {"own": own, "other_agency": own, "other_partnership": other}


SCOPES = {"order": order_scopes, "code": code_scopes}
