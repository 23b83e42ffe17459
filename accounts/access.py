"""The access policy: which membership a request acts under, and the compartment rules.

Case visibility lives in ``cases.selectors.cases_visible_to``; the rules for the
compartments inside a visible case live here, so every view, API and document asks
the same question in the same place.
"""

from django.http import HttpRequest
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


class InvalidAgencyHeader(ValueError):
    """The X-Agency-Id header names no agency the caller may act for: answer 400, never guess."""


def _header_membership(memberships, header):
    value = header.strip()
    if not value.isdigit() or not value.isascii():
        raise InvalidAgencyHeader(
            f"{AGENCY_HEADER} must be the id (a whole number) of an agency you work for: "
            + _agency_choices(memberships)
        )
    for membership in memberships:
        if membership.agency_id == int(value):
            return membership
    raise InvalidAgencyHeader(
        f"You have no membership in date with agency {value}: " + _agency_choices(memberships)
    )


def _agency_choices(memberships):
    choices = ", ".join(f"{m.agency_id} ({m.agency.name})" for m in memberships)
    return f"use one of {choices}, or leave the header out to act for {memberships[0].agency}."


def resolve_membership(request, user):
    """The membership this request acts under.

    With the ``X-Agency-Id`` header (the API): the usable membership in that agency, or
    ``InvalidAgencyHeader`` when the value is not the id of one of them, so a typo never acts
    under another agency. Without it: the one chosen in the session if still usable, else the
    first. None when the user has no usable membership at all.
    """
    memberships = list(usable_memberships(user))
    if not memberships:
        return None
    header = request.headers.get(AGENCY_HEADER)
    if header is not None:
        return _header_membership(memberships, header)
    wanted = request.session.get(SESSION_MEMBERSHIP_KEY) if hasattr(request, "session") else None
    for membership in memberships:
        if str(membership.pk) == str(wanted):
            return membership
    return memberships[0]


def has_usable_membership(user) -> bool:
    return usable_memberships(user).exists()


def is_locked_out(user, request=None) -> bool:
    """Whether django-axes has locked this account after failed sign-ins (cool-off counted)."""
    from axes.handlers.proxy import AxesProxyHandler

    if request is None:
        request = HttpRequest()
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


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


def advocacy_agency_id(membership):
    """The advocacy compartment (DESIGN.md §4, issue 11 item 7), the one rule: support
    episodes, their contacts and needs are read and written only by advocates and managers
    of the advocacy agency that holds them. Returns that agency's id for such a member, else
    None: police, health, probation, the clinic chair, the partnership admin and any
    break-glass grant (which opens the case core only) get nothing of the compartment.
    advocacy.selectors scopes every episode query by it."""
    if not can(membership, Cap.WORK_ADVOCACY):
        return None
    if membership.agency.kind != AgencyKind.ADVOCACY:
        return None
    return membership.agency_id


def can_work_advocacy(membership) -> bool:
    """Whether the member may use the advocacy pages and API at all (403 otherwise)."""
    return membership is not None and advocacy_agency_id(membership) is not None


def interventions_agency_id(membership):
    """The clinical compartment (DESIGN.md §4, issue 12 item 4), the one rule: enrolments,
    their sessions and session notes (later formulation and psychometric answers) are read
    and written only by clinicians, and a clinic chair who is a member, of the health agency
    delivering the enrolment. Returns that agency's id for such a member, else None: police,
    probation, advocacy, partners, managers, the partnership admin, a chair in another agency
    and any break-glass grant get nothing of the compartment. They learn status-level facts
    (attendance, dates, derived status, completion) from
    interventions.selectors.interventions_on_case, which reads no notes.
    interventions.selectors scopes every enrolment query by it."""
    if not can(membership, Cap.WORK_INTERVENTIONS):
        return None
    if membership.agency.kind != AgencyKind.HEALTH:
        return None
    return membership.agency_id


def can_work_interventions(membership) -> bool:
    """Whether the member may use the interventions pages and API at all (403 otherwise)."""
    return membership is not None and interventions_agency_id(membership) is not None


CONTACT_FIELDS = ("address", "postcode", "phone", "email", "workplace")


def person_contact_for(membership, case, party):
    """The contact details this reader may see, or None when they are withheld."""
    if not can_read_victim_contact(membership, case, party):
        return None
    return {field: getattr(party.person, field) for field in CONTACT_FIELDS}
