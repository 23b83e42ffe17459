"""The record kinds a migration can bring in, by name, in the order to load them."""

from .cases import CasesKind, ClosuresKind
from .crimes import CrimesKind
from .people import PeopleKind
from .risk_ratings import RiskRatingsKind

KINDS = {
    kind.name: kind for kind in (PeopleKind, CasesKind, CrimesKind, RiskRatingsKind, ClosuresKind)
}


def kind_for(name, *, partnership_id, source, actor=None):
    return KINDS[name](partnership_id, source, actor)
