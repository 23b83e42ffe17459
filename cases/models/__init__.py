"""Cases, people, referrals, the crime screen and the rest of the case record."""

from .case import (  # noqa: F401
    MONITORING_MONTHS,
    VICTIM_ROLES,
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CaseParty,
    CaseUserObjectPermission,
    Classification,
    OffenceLevel,
    PartyRole,
    Priority,
    Tier,
    add_months,
)
from .events import (  # noqa: F401
    ENHANCED_RIGHTS_WORKING_DAYS,
    STANDARD_RIGHTS_WORKING_DAYS,
    CaseEvent,
    CaseEventKind,
    ContactChannel,
    NotificationOutcome,
    NotificationTrigger,
    VictimNotification,
)
from .external import (  # noqa: F401
    EXTERNAL_ID_MAX,
    EXTERNAL_SOURCE_MAX,
    ExternallyIdentified,
    external_id_filter,
    external_id_unique,
)
from .people import (  # noqa: F401
    NOT_KNOWN,
    Gender,
    IdentifierKind,
    Person,
    PersonAlias,
    PersonIdentifier,
)
from .record import (  # noqa: F401
    CriminalJusticeOutcome,
    OrderBreach,
    OrderDecision,
    OrderKind,
    ProtectiveOrder,
    ReoffendingEvent,
    ReoffendingSource,
    ReoffendingVictim,
)
from .reference import SHOWS_CODE, CodeList, ReferenceCode, code_choices  # noqa: F401
from .referral import DECISIONS, Referral, ReferralStatus, SharingBasis  # noqa: F401
from .screening import (  # noqa: F401
    CrimeScreenEntry,
    ImportRun,
    ImportStatus,
    ReclassificationOutcome,
    ScreeningAction,
    ScreeningActionKind,
)
