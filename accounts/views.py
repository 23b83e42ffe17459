from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import otp, selectors, services
from accounts.access import SESSION_MEMBERSHIP_KEY, can, usable_memberships
from accounts.decorators import member_required
from accounts.forms import (
    ApiTokenForm,
    RegistrationForm,
    SignInForm,
    SwitchAgencyForm,
    TokenForm,
)
from accounts.roles import Cap
from audit.services import deny


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Signing out is a POST (the header's button). A GET, such as a stale or bookmarked
    sign-out link, shows a page instead of a bare 405: a button to sign out when still
    signed in, or confirmation that the session has ended."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/sign_out.html")


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(fallback)


@login_required
def otp_verify(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if otp.verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_safe_next(request))
        form.add_error("token", "The security code is wrong or has expired.")
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
def otp_enrol(request):
    if request.user.is_verified():
        return redirect("home")
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if otp.confirm_enrolment(request=request, device=device, token=form.cleaned_data["token"]):
            return redirect("home")
        form.add_error("token", "The security code is wrong or has expired.")
    context = {"form": form, "qr_svg": otp.qr_svg(device), "secret": otp.secret_base32(device)}
    return render(request, "accounts/otp_enrol.html", context)


@member_required()
def switch_agency(request):
    """The MOJ organisation switcher: choose which agency's membership to act under."""
    memberships = list(usable_memberships(request.user))
    form = SwitchAgencyForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial={"membership": request.membership.pk},
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_MEMBERSHIP_KEY] = form.cleaned_data["membership"]
        return redirect("home")
    return render(request, "accounts/switch_agency.html", {"form": form})


TWO_FACTOR_FIRST = "Set up two-factor sign-in before you create an API token."


@never_cache
@member_required()
def account(request):
    """The user's own account: memberships, two-factor, and their API tokens.

    A token is made only from a session that passed two-factor sign-in; its secret is shown
    in this one response and never again (the page is not cached).
    """
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    two_factor = request.user.is_verified()
    secret = None
    if request.method == "POST":
        if not two_factor:
            form.is_valid()
            form.add_error(None, TWO_FACTOR_FIRST)
        elif form.is_valid():
            try:
                token, secret = services.token_issue(
                    actor=request.user,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["expires_in_days"],
                    membership=request.membership,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                form = ApiTokenForm()
    context = {
        "form": form,
        "two_factor": two_factor,
        "secret": secret,
        "tokens": selectors.tokens_of_user(request.user),
        "memberships": usable_memberships(request.user),
        "can_manage_partnership": can(request.membership, Cap.MANAGE_PARTNERSHIP),
    }
    return render(request, "accounts/account.html", context)


def _token_not_found(request, token_id):
    """Someone else's token answers as one that does not exist; the denial is audited
    like every other (audit.services.deny: the kind and the id asked for)."""
    deny(
        request.membership,
        kind="accounts.ApiToken",
        pk=token_id,
        reason="API token not found or not yours",
    )


@require_POST
@member_required()
def api_token_revoke(request, token_id):
    token = selectors.token_of_user(request.user, token_id)
    if token is None:
        _token_not_found(request, token_id)
    services.token_revoke(actor=request.user, membership=request.membership, token=token)
    messages.success(request, f"API token “{token.name}” revoked. It no longer works.")
    return redirect("accounts:account")


@member_required(Cap.MANAGE_PARTNERSHIP)
def partnership_api_tokens(request):
    tokens = selectors.tokens_in_partnership(request.membership.agency.partnership_id)
    return render(
        request,
        "accounts/partnership_api_tokens.html",
        {"tokens": tokens, "partnership": request.membership.agency.partnership},
    )


@require_POST
@member_required(Cap.MANAGE_PARTNERSHIP)
def partnership_api_token_revoke(request, token_id):
    token = selectors.token_in_partnership(request.membership.agency.partnership_id, token_id)
    if token is None:
        _token_not_found(request, token_id)
    services.token_revoke(actor=request.user, membership=request.membership, token=token)
    messages.success(request, f"API token “{token.name}” of {token.user} revoked.")
    return redirect("accounts:partnership-api-tokens")


def accessibility(request):
    return render(request, "accessibility.html")


@member_required()
def registration(request):
    """The user's own professional registration, shown where they are allocated."""
    user = request.user
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        initial={
            "registration_body": user.registration_body,
            "registration_number": user.registration_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_set(
                actor=user, membership=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Professional registration saved.")
            return redirect("accounts:account")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/registration.html", {"form": form}, status=status)
