from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import otp
from accounts.access import SESSION_MEMBERSHIP_KEY, usable_memberships
from accounts.decorators import member_required
from accounts.forms import SignInForm, SwitchAgencyForm, TokenForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


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


def accessibility(request):
    return render(request, "accessibility.html")
