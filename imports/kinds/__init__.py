"""The record kinds a migration can bring in, by name."""

from .outcomes import OutcomesKind
from .people import PeopleKind
from .referrals import ReferralsKind
from .reoffending import ReoffendingKind

KINDS = {
    kind.name: kind
    for kind in (
        PeopleKind,
        ReferralsKind,
        OutcomesKind,
        ReoffendingKind,
    )
}


def kind_for(name, *, partnership_id, source, actor=None):
    return KINDS[name](partnership_id, source, actor)
