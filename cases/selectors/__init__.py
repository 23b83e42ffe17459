"""Every read of case data for a request, scoped to the acting membership.

Split by topic; import from here (``from cases import selectors``)."""

from .core import (  # noqa: F401
    VIEW_CASE,
    PartyView,
    active_break_glass,
    advocates_for_case,
    agencies_to_share_with,
    case_by_reference_in_partnership,
    case_list,
    cases_visible_to,
    get_case_or_404,
    is_case_visible_by_link,
    parties_for,
    partnership_agencies,
    person_contact_for,
    police_officers,
    referral_list,
    referrals_visible_to,
    shared_agencies,
    visible_case_ids,
)
