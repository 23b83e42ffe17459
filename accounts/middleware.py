from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import user_has_device

from accounts.access import (
    AGENCY_HEADER,
    SESSION_MEMBERSHIP_KEY,
    InvalidAgencyHeader,
    blocked_reasons,
    resolve_membership,
)
from audit import context
from audit.models import Action
from audit.services import record_agency_header_refusal, record_event

# Paths a signed-in user reaches before two-factor and membership checks pass.
OPEN_PREFIXES = ("/static/", "/healthz", "/accessibility", "/api/")


def _open_path(path):
    if path.startswith(OPEN_PREFIXES):
        return True
    return path in {
        reverse("accounts:sign-in"),
        reverse("accounts:sign-out"),
        reverse("accounts:otp-verify"),
        reverse("accounts:otp-enrol"),
    }


class AccessGateMiddleware:
    """For signed-in users: enforce two-factor, then pick the acting membership.

    A user whose memberships have all lapsed (vetting expired, membership or agency
    inactive) sees a page saying why and nothing else. The API does the same checks
    in its permission class after DRF authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = request.user
        if not user.is_authenticated or _open_path(request.path):
            return self.get_response(request)

        if not user.is_verified():
            if user_has_device(user):
                return redirect(f"{reverse('accounts:otp-verify')}?next={request.path}")
            if settings.OTP_REQUIRED:
                return redirect(reverse("accounts:otp-enrol"))

        try:
            membership = resolve_membership(request, user)
        except InvalidAgencyHeader as error:
            # A page asked for with a wrong X-Agency-Id header: refuse, never guess.
            record_agency_header_refusal(user, request.headers.get(AGENCY_HEADER))
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
        if membership is None:
            record_event(
                action=Action.DENIAL, actor=user, detail={"reason": "no usable membership"}
            )
            return render(
                request,
                "accounts/blocked.html",
                {"reasons": blocked_reasons(user)},
                status=403,
            )
        request.membership = membership
        request.session[SESSION_MEMBERSHIP_KEY] = membership.pk
        context.set_membership(membership)
        return self.get_response(request)
