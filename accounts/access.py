"""The access policy: which membership a request acts under, and the compartment rules.

Case visibility lives in ``cases.selectors.cases_visible_to``; the rules for the
compartments inside a visible case live here, so every view, API and document asks
the same question in the same place.
"""

from django.utils import timezone

from accounts.models import Membership
from accounts.roles import SCREENING_ROLES, AgencyKind, Cap, Role, is_partnership_wide, role_can

SESSION_MEMBERSHIP_KEY = "membership_id"
AGENCY_HEADER = "X-Agency-Id"


def usable_memberships(user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.usable()
        .filter(user=user)
        .select_related("agency", "agency__partnership", "user")
        .order_by("agency__name")
    )


def resolve_membership(request, user):
    """The membership this request acts under: the chosen one if still usable, else the first."""
    memberships = list(usable_memberships(user))
    if not memberships:
        return None
    wanted = request.headers.get(AGENCY_HEADER) or (
        request.session.get(SESSION_MEMBERSHIP_KEY) if hasattr(request, "session") else None
    )
    for membership in memberships:
        if str(membership.pk) == str(wanted) or str(membership.agency_id) == str(wanted):
            return membership
    return memberships[0]


def blocked_reasons(user):
    """Why a signed-in user has no usable membership, one line per membership."""
    today = timezone.localdate()
    memberships = Membership.objects.filter(user=user).select_related("agency")
    reasons = [f"{m.agency.name}: {m.blocked_reason(today)}" for m in memberships]
    return [r for r in reasons if not r.endswith(": ")] or [
        "You are not a member of any agency in a partnership."
    ]


def can(membership, capability) -> bool:
    return membership is not None and role_can(membership.role, capability)


def sees_whole_partnership(membership) -> bool:
    return is_partnership_wide(membership.role)


def can_screen(membership):
    """Investigators and police supervisors of a police agency use the crime screen."""
    return (
        membership is not None
        and membership.role in SCREENING_ROLES
        and membership.agency.kind == AgencyKind.POLICE
    )


def can_edit_case_core(membership) -> bool:
    """Case core (parties, classification, sharing) is written by police and the clinic chair."""
    if not can(membership, Cap.EDIT_CASE_CORE):
        return False
    return membership.role == Role.CLINIC_CHAIR or membership.agency.kind == AgencyKind.POLICE


def can_read_victim_contact(membership, case, party) -> bool:
    """Victim address, phone, email and workplace: the victim's advocate and the police OIC.

    Contact details of perpetrators and other parties follow case visibility.
    """
    if not party.is_victim:
        return True
    if membership is None:
        return False
    user_id = membership.user_id
    is_oic = case.officer_in_charge_id == user_id and membership.agency.kind == AgencyKind.POLICE
    is_their_advocate = party.advocate_id == user_id and membership.role == Role.ADVOCATE
    return is_oic or is_their_advocate


CONTACT_FIELDS = ("address", "postcode", "phone", "email", "workplace")


def person_contact_for(membership, case, party):
    """The contact details this reader may see, or None when they are withheld."""
    if not can_read_victim_contact(membership, case, party):
        return None
    return {field: getattr(party.person, field) for field in CONTACT_FIELDS}
