from django.conf import settings
from django_otp import user_has_device
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from accounts.access import resolve_membership
from audit import context


class IsActiveMember(BasePermission):
    """Signed in, two-factor verified for browser sessions, and holding a usable membership.

    Sets ``request.membership`` for the selectors.
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
        membership = resolve_membership(request, user)
        if membership is None:
            return False
        request.membership = membership
        request._request.membership = membership
        context.set_membership(membership)
        return True
