"""The record kinds a migration can bring in, by name, in the order to load them."""

from .advocacy import AdvocacyEpisodesKind
from .cases import CasesKind, ClosuresKind
from .crimes import CrimesKind
from .interventions import InterventionsKind
from .outcomes import OutcomesKind
from .people import PeopleKind
from .referrals import ReferralsKind
from .reoffending import ReoffendingKind
from .risk_ratings import RiskRatingsKind
from .sessions import SessionsKind

KINDS = {
    kind.name: kind
    for kind in (
        PeopleKind,
        CasesKind,
        ReferralsKind,
        CrimesKind,
        OutcomesKind,
        RiskRatingsKind,
        ReoffendingKind,
        ClosuresKind,
        AdvocacyEpisodesKind,
        InterventionsKind,
        SessionsKind,
    )
}


def kind_for(name, *, partnership_id, source, actor=None):
    return KINDS[name](partnership_id, source, actor)


def kind_of(batch):
    """The batch's record kind, reading as its uploader for its partnership and source."""
    return kind_for(
        batch.kind,
        partnership_id=batch.partnership_id,
        source=batch.source_system,
        actor=batch.uploaded_by,
    )
