"""The record kinds a migration can bring in, by name."""

from .cases import CasesKind, ClosuresKind
from .people import PeopleKind

KINDS = {kind.name: kind for kind in (PeopleKind, CasesKind, ClosuresKind)}


def kind_for(name, *, partnership_id, source, actor=None):
    return KINDS[name](partnership_id, source, actor)
