from django.conf import settings

from accounts.access import (
    InvalidAgencyHeader,
    can,
    can_screen,
    can_work_advocacy,
    can_work_interventions,
    resolve_membership,
    usable_memberships,
)
from accounts.roles import Cap


def navigation(request):
    """Header facts: the service name, acting agency, other agencies and what the role may use."""
    membership = getattr(request, "membership", None)
    verified = getattr(request.user, "is_verified", lambda: False)()
    if (
        membership is None
        and request.user.is_authenticated
        and (verified or not settings.OTP_REQUIRED)
    ):
        # Pages open before the access gate (accessibility, 2FA) still show who you are.
        try:
            membership = resolve_membership(request, request.user)
        except InvalidAgencyHeader:
            membership = None
    data = {"service_name": settings.SERVICE_NAME, "membership": membership}
    if membership is None:
        return data
    data["other_memberships"] = [
        m for m in usable_memberships(request.user) if m.pk != membership.pk
    ]
    data["nav"] = {
        "cases": can(membership, Cap.VIEW_CASES),
        "new_case": can(membership, Cap.CREATE_CASE),
        "referrals": can(membership, Cap.VIEW_CASES),
        "new_referral": can(membership, Cap.RECORD_REFERRAL),
        "break_glass": can(membership, Cap.BREAK_GLASS),
        "audit": can(membership, Cap.REVIEW_AUDIT),
        "screening": can_screen(membership),
        "reference_data": can(membership, Cap.MANAGE_PARTNERSHIP),
        "imports": can(membership, Cap.MANAGE_PARTNERSHIP),
        "reports": can(membership, Cap.VIEW_REPORTS),
        "merge_people": can(membership, Cap.MERGE_PEOPLE),
        "people": can(membership, Cap.VIEW_CASES),
        "clinics": can(membership, Cap.VIEW_CASES),
        "actions": can(membership, Cap.WORK_ACTIONS),
        "risk_tools": can(membership, Cap.MANAGE_INSTRUMENTS),
        "advocacy": can_work_advocacy(membership),
        "interventions": can_work_interventions(membership),
    }
    return data
