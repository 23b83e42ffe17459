"""Victim advocacy: the referral queue, support episodes, their allocation history, needs
and the contact log.

Everything here is the advocacy agency's confidential casework (DESIGN.md §4): it is read
through advocacy.selectors only, whose one rule (accounts.access.advocacy_agency_id) lets
in the members of the agency that holds the episode and nobody else.

Status is never stored: it follows from the dated fields (``EpisodeStatus.of``), and the
caseload filters by the same rule as an annotation (advocacy.selectors.status_expression)."""

from .disclosures import (  # noqa: F401
    CONSENT_BASES,
    LawfulBasis,
    RiskUpdate,
    RiskUpdateRecipient,
    Urgency,
)
from .episodes import (  # noqa: F401
    Channel,
    ClosureReason,
    ConsentMethod,
    Contact,
    ContactFrequency,
    Direction,
    EpisodeAllocation,
    EpisodeStatus,
    FirstContact,
    NeedArea,
    NeedOutcome,
    ReferralRoute,
    SupportEpisode,
    SupportNeed,
    first_contact_target,
)
from .questionnaires import QuestionnaireResponse, QuestionnaireTiming  # noqa: F401
from .referrals import (  # noqa: F401
    DIRECT_ROUTES,
    AdvocacyReferral,
    DeclineReason,
    ReferralStatus,
)
from .safety import (  # noqa: F401
    MeasureKind,
    MeasureState,
    PlanItemOwner,
    SafetyPlan,
    SafetyPlanItem,
    SafetyPlanOrder,
    TargetHardening,
    check_orders_on_plan_case,
)
