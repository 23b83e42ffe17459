from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from audit.models import AccessEvent, Action
from tests.factories import PASSWORD, MembershipFactory

SIGN_IN = reverse("accounts:sign-in")


def _sign_in(client, email, password=PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def member(db):
    return MembershipFactory(user__email="officer@example.org")


def test_sign_in_with_email_and_password_is_audited(client, member):
    response = _sign_in(client, "Officer@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AccessEvent.objects.get(action=Action.SIGN_IN)
    assert event.actor == member.user
    assert event.ip_address == "127.0.0.1"
    assert event.request_id


def test_wrong_password_shows_error_and_logs_failure(client, member):
    response = _sign_in(client, "officer@example.org", "wrong-password-123")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.FAILED_SIGN_IN, actor_email="officer@example.org"
    ).exists()
    assert "_auth_user_id" not in client.session


def test_sign_in_form_field_errors_for_blank_input(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"username", "password"}
    assert "govuk-error-summary" in response.content.decode()


def test_account_locks_after_repeated_failures(client, member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _sign_in(client, "officer@example.org", "wrong-password-123")
    response = _sign_in(client, "officer@example.org")  # right password, but locked
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_out_ends_the_accounts_open_sessions(client, member, settings):
    from django.test import Client

    settings.AXES_FAILURE_LIMIT = 3
    signed_in = Client()
    signed_in.force_login(member.user)
    assert signed_in.get(reverse("home")).status_code == 200
    for _ in range(3):  # someone else fails to sign in as this account
        _sign_in(client, "officer@example.org", "wrong-password-123")
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    event = AccessEvent.objects.get(detail__sessions_ended__isnull=False)
    assert event.detail["sessions_ended"] == "locked out after failed sign-ins"
    # Once the cool-off is over (or an admin resets it) the user signs in as before.
    from axes.utils import reset

    reset(username="officer@example.org")
    assert _sign_in(Client(), "officer@example.org").status_code == 302


def test_sessions_from_before_any_ending_keep_working(client, member):
    client.force_login(member.user)
    member.user.refresh_from_db()
    assert member.user.session_generation == 0
    assert client.get(reverse("home")).status_code == 200


def test_lapsed_vetting_blocks_access_with_reason(client, login, member):
    member.vetting_expires_on = timezone.localdate() - timedelta(days=1)
    member.save()
    login(member)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your vetting expired on" in body
    assert AccessEvent.objects.filter(action=Action.DENIAL, actor=member.user).exists()
    assert client.get(reverse("api:case-list")).status_code == 403


def test_inactive_membership_blocks_access(client, login, member):
    member.active = False
    member.save()
    login(member)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 403
    assert "made inactive" in response.content.decode()


def test_vetting_expiring_today_still_allows_access(client, login, member):
    member.vetting_expires_on = timezone.localdate()
    member.save()
    login(member)
    assert client.get(reverse("home")).status_code == 200


def test_idle_session_expires(client, member, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    _sign_in(client, "officer@example.org")
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_each_request_renews_the_idle_window(client, member):
    _sign_in(client, "officer@example.org")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get(reverse("home"))
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + timedelta(minutes=29)


def test_two_factor_enrolment_is_required_when_mandatory(client, member, settings):
    settings.OTP_REQUIRED = True
    _sign_in(client, "officer@example.org")
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp-enrol")
    assert client.get(reverse("api:case-list")).status_code == 403

    page = client.get(reverse("accounts:otp-enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    bad = client.post(reverse("accounts:otp-enrol"), {"token": "000000"})
    assert "wrong or has expired" in bad.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    # django-otp throttles after a failure; a person would wait a moment before retrying.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    client.post(reverse("accounts:otp-enrol"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("cases:list")).status_code == 200


def test_enrolled_user_must_enter_code_even_when_optional(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _sign_in(client, "officer@example.org")
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-verify"))

    wrong = client.post(reverse("accounts:otp-verify"), {"token": "12345x"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["token"]
    assert client.get(reverse("cases:list")).status_code == 302

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    client.post(reverse("accounts:otp-verify"), {"token": _code(device)})
    assert client.get(reverse("cases:list")).status_code == 200


def test_wrong_code_is_logged_as_failed_sign_in(client, member):
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _sign_in(client, "officer@example.org")
    client.post(reverse("accounts:otp-verify"), {"token": "000000"})
    assert AccessEvent.objects.filter(
        action=Action.FAILED_SIGN_IN, actor=member.user, detail__two_factor="wrong code"
    ).exists()


def test_password_validators_refuse_weak_passwords():
    with pytest.raises(ValidationError):
        validate_password("short")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("Correct-Horse-Battery-9")


def test_switching_agency_changes_what_is_visible(client, login, world):
    user = world.members[Role.INVESTIGATOR].user
    second = MembershipFactory(user=user, agency=world.agencies["advocacy"], role=Role.MANAGER)
    login(world.members[Role.INVESTIGATOR])
    police_view = client.get(reverse("cases:list")).context["page"].paginator.count
    choices = client.get(reverse("accounts:switch-agency")).content.decode()
    assert "advocacy agency" in choices and "police agency" in choices
    client.post(reverse("accounts:switch-agency"), {"membership": second.pk})
    response = client.get(reverse("cases:list"))
    assert "advocacy agency" in response.content.decode()
    advocacy_refs = {c.reference for c in response.context["page"].object_list}
    assert advocacy_refs == {world.advocacy_case.reference}
    assert police_view == 2  # the police-only case and the one shared with health


def test_cannot_switch_to_someone_elses_membership(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    other = world.members[Role.CLINICIAN]
    refused = client.post(reverse("accounts:switch-agency"), {"membership": other.pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["membership"] == ["Choose one of your agencies."]
    empty = client.post(reverse("accounts:switch-agency"), {})
    assert empty.context["form"].errors["membership"] == ["Choose an agency."]
    response = client.get(reverse("home"))
    assert response.context["membership"] == world.members[Role.INVESTIGATOR]
