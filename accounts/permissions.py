from django.conf import settings
from django_otp import user_has_device
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from accounts.access import AGENCY_HEADER, InvalidAgencyHeader, resolve_membership
from audit import context
from audit.services import record_agency_header_refusal


class IsActiveMember(BasePermission):
    """Signed in, two-factor verified for browser sessions, and holding a usable membership.

    API tokens are issued only from a two-factor session (or by the management command), so
    a token call is not asked for a second factor again; ``ApiTokenAuthentication`` has
    already refused tokens of locked, closed or lapsed accounts. A wrong ``X-Agency-Id``
    answers 400 rather than acting under another agency. Sets ``request.membership`` for the
    selectors.
    """

    message = "You need an active membership with in-date vetting to use the API."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if isinstance(request.successful_authenticator, SessionAuthentication):
            verified = getattr(user, "is_verified", lambda: False)()
            if not verified and (settings.OTP_REQUIRED or user_has_device(user)):
                self.message = "Complete two-factor sign-in first."
                return False
        try:
            membership = resolve_membership(request, user)
        except InvalidAgencyHeader as error:
            record_agency_header_refusal(user, request.headers.get(AGENCY_HEADER))
            raise exceptions.ValidationError({AGENCY_HEADER: [str(error)]}) from None
        if membership is None:
            return False
        request.membership = membership
        request._request.membership = membership
        context.set_membership(membership)
        return True
