"""Every write to case data: keyword-only functions, one transaction, one audit row each.

Split by topic; import from here (``from cases import services``)."""

from .core import (  # noqa: F401
    case_open,
    case_share,
    case_unshare,
    party_add,
    person_create,
    referral_record,
)
