"""Rows for risk tools, the case risk page, assessments and the risk API."""

from django.urls import reverse

from accounts.roles import Role
from risk.models import AssessmentStatus
from tests.factories_risk import make_assessment, make_instrument
from tests.matrix import ADMIN_ONLY, ALL_ROLES, Row
from tests.matrix.core import _shared_case, case_scopes

# Roles with Cap.ASSESS_RISK; partners, managers and the partnership admin read only.
ASSESSORS = frozenset(
    {
        Role.INVESTIGATOR,
        Role.POLICE_SUPERVISOR,
        Role.CLINIC_CHAIR,
        Role.CLINICIAN,
        Role.ADVOCATE,
        Role.PROBATION_OFFICER,
    }
)


def _case_kw(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


ROWS = {
    "risk:instrument-list": Row(ALL_ROLES),
    # Local tools belong to the partnership: every member of it reads them.
    "risk:instrument-detail": Row(ALL_ROLES, scoped="instrument", reaches_other_agency=ALL_ROLES),
    "risk:instrument-new": Row(ADMIN_ONLY),
    "risk:instrument-new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "risk:instrument-edit": Row(ADMIN_ONLY, scoped="instrument"),
    "risk:instrument-edit POST": Row(ADMIN_ONLY, scoped="instrument", method="post", ok=400),
    "risk:case-risk": Row(ALL_ROLES, scoped="case", url=_case_kw),
    "risk:assessment-start": Row(ASSESSORS, scoped="case", url=_case_kw),
    "risk:assessment-start POST": Row(
        ASSESSORS, scoped="case", method="post", ok=400, url=_case_kw
    ),
    "risk:assessment-detail": Row(ALL_ROLES, scoped="assessment"),
    "risk:assessment-answers": Row(ASSESSORS, scoped="assessment"),
    # An empty POST saves the draft as it is (a draft may be incomplete) and redirects.
    "risk:assessment-answers POST": Row(ASSESSORS, scoped="assessment", method="post", ok=302),
    "risk:assessment-override": Row(ASSESSORS, scoped="assessment"),
    # The scoped assessment is a draft: overriding it is refused with a form error.
    "risk:assessment-override POST": Row(ASSESSORS, scoped="assessment", method="post", ok=400),
    "risk:assessment-review-date": Row(ASSESSORS, scoped="assessment"),
    "risk:assessment-review-date POST": Row(ASSESSORS, scoped="assessment", method="post", ok=400),
    "api:risk-instrument-list": Row(ALL_ROLES, anonymous=401),
    "api:risk-instrument-detail": Row(
        ALL_ROLES, scoped="instrument", anonymous=401, reaches_other_agency=ALL_ROLES
    ),
    "api:risk-assessment-list": Row(ALL_ROLES, anonymous=401),
    "api:risk-assessment-list POST": Row(ASSESSORS, method="post", ok=400, anonymous=401),
    # An empty body: field errors once the role check passes.
    "api:risk-assessment-historic": Row(ASSESSORS, method="post", ok=400, anonymous=401),
    "api:risk-assessment-detail": Row(ALL_ROLES, scoped="assessment", anonymous=401),
    # The matrix client sends PATCH bodies as application/octet-stream: 415 once the role
    # and scope checks pass.
    "api:risk-assessment-detail PATCH": Row(
        ASSESSORS, scoped="assessment", method="patch", ok=415, anonymous=401
    ),
    "api:risk-assessment-complete": Row(
        ASSESSORS, scoped="assessment", method="post", ok=400, anonymous=401
    ),
    "api:risk-assessment-override": Row(
        ASSESSORS, scoped="assessment", method="post", ok=400, anonymous=401
    ),
}


def instrument_scopes(ctx, role):
    """Local tools: the partnership's own (every member reads it; the admin edits it) and
    another partnership's (404)."""
    world = ctx.world
    own = ctx.once("instrument_own", lambda: make_instrument(world.partnership, code="local"))
    other = ctx.once(
        "instrument_other",
        lambda: make_instrument(
            world.other_partnership_member.agency.partnership, code="elsewhere"
        ),
    )
    return {"own": own, "other_agency": own, "other_partnership": other}


def assessment_scopes(ctx, role):
    """Drafts made by the role's own agency: on a case shared with every agency ("own"),
    on a case outside the role's agency scope ("other_agency": visible only to
    partnership-wide roles), and in another partnership."""
    world = ctx.world
    member = world.members[role]
    cases = case_scopes(ctx, role)

    def draft(case, by):
        return make_assessment(case, by, status=AssessmentStatus.DRAFT)

    return {
        "own": ctx.once(f"assessment_own_{role}", lambda: draft(_shared_case(ctx), member)),
        "other_agency": ctx.once(
            f"assessment_other_{role}", lambda: draft(cases["other_agency"], member)
        ),
        "other_partnership": ctx.once(
            "assessment_elsewhere",
            lambda: draft(world.other_partnership_case, world.other_partnership_member),
        ),
    }


SCOPES = {"instrument": instrument_scopes, "assessment": assessment_scopes}
