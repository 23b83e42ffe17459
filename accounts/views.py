from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

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
    form = TokenForm(request.POST or None)
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
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.confirm_enrolment(request=request, device=device, token=form.cleaned_data["token"]):
            return redirect("home")
        form.add_error("token", "The security code is wrong or has expired.")
    context = {"form": form, "qr_svg": otp.qr_svg(device), "secret": otp.secret_base32(device)}
    return render(request, "accounts/otp_enrol.html", context)


@require_POST
@member_required()
def switch_agency(request):
    form = SwitchAgencyForm(request.POST)
    if form.is_valid():
        wanted = form.cleaned_data["membership"]
        if usable_memberships(request.user).filter(pk=wanted).exists():
            request.session[SESSION_MEMBERSHIP_KEY] = wanted
    return redirect("home")


def accessibility(request):
    return render(request, "accessibility.html")
