"""Interventions: programmes (data), enrolments of a person on a case, and dated sessions.

Session notes are the provider's clinical record (DESIGN.md §4): they are read through
interventions.selectors only, whose one rule (accounts.access.interventions_agency_id) lets
in the members of the health agency delivering the enrolment. Every other reader of the
case learns status-level facts only (interventions.selectors.interventions_on_case).

Nothing about progress is typed: start, end, completion and drop-out follow from the dated
session rows and the withdrawal (``Enrolment.status`` and friends), and lists compute the
same thing in SQL (interventions.selectors.with_progress)."""

from .compliance import ComplianceFlag, FlagKind, RiskIndicator  # noqa: F401
from .eligibility import (  # noqa: F401
    CriterionAnswer,
    EligibilityAssessment,
    EligibilityCriterion,
    EligibilityOutcome,
)
from .enrolments import (  # noqa: F401
    DROP_OUT_REASONS,
    Enrolment,
    EnrolmentStatus,
    Pathway,
    ReferralRoute,
    WithdrawalGroup,
    WithdrawalReason,
)
from .measures import Measure, MeasureTiming  # noqa: F401
from .programmes import (  # noqa: F401
    CompletionRule,
    Component,
    Delivery,
    Programme,
    ProgrammeKind,
    Recipient,
)
from .reports import EndReport, OutcomeRating  # noqa: F401
from .sessions import (  # noqa: F401
    ATTENDED,
    Attendance,
    CancellationReason,
    Modality,
    Session,
    SessionStatus,
)
