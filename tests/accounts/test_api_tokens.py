"""API tokens (issue 9, item 4): hashed, named, expiring, revocable; issued only after
two-factor sign-in or by the management command; refused at once for a locked, closed or
lapsed account; every issue, revoke and refused use audited."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role
from audit.models import AccessEvent, Action
from tests.factories import PASSWORD, MembershipFactory

ACCOUNT = reverse("accounts:account")
ME = "/api/v1/me/"


def _two_factor_login(client, membership):
    """Signed in and verified with a confirmed TOTP device, as after the real sign-in."""
    device = TOTPDevice.objects.create(user=membership.user, name="phone", confirmed=True)
    client.force_login(membership.user)
    session = client.session
    session["membership_id"] = membership.pk
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _issue(member, name="Nightly export", days=30):
    token, secret = ApiToken.objects.create(
        user=member.user, name=name, expiry=timedelta(days=days)
    )
    return token, secret


def _api(secret, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}", **headers)
    return client


def _denials(user=None):
    events = AccessEvent.objects.filter(action=Action.DENIAL)
    return events.filter(actor=user) if user is not None else events


@pytest.fixture
def member(world):
    return world.members[Role.INVESTIGATOR]


def test_token_made_on_own_page_after_two_factor_is_shown_once_and_stored_hashed(client, member):
    _two_factor_login(client, member)
    page = client.get(ACCOUNT)
    assert page.status_code == 200
    assert page.context["form"]["expires_in_days"].initial == 90  # the default expiry
    response = client.post(ACCOUNT, {"name": "Force analytics", "expires_in_days": "90"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.get(user=member.user)
    assert token.name == "Force analytics"
    assert token.issued_by == member.user
    assert secret not in (token.digest, token.token_key)  # only a digest and a prefix
    assert len(token.digest) == 128
    assert abs(token.expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    issued = AccessEvent.objects.get(action=Action.CREATE, object_type="accounts.ApiToken")
    assert issued.actor == member.user
    assert issued.detail["api_token"] == "Force analytics"
    assert secret not in str(issued.detail)

    # The secret works, once shown it is never shown again, and the list shows its use.
    assert _api(secret).get(ME).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    again = client.get(ACCOUNT)
    assert secret not in again.content.decode()
    assert "Force analytics" in again.content.decode()
    assert again.context["tokens"][0].last_used_at is not None


def test_no_token_without_two_factor_sign_in(client, login, member):
    login(member)  # password only
    response = client.post(ACCOUNT, {"name": "Sneaky", "expires_in_days": "90"})
    assert response.status_code == 200
    assert "two-factor" in str(response.context["form"].non_field_errors())
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_field_errors_for_bad_token_form(client, member):
    _two_factor_login(client, member)
    response = client.post(ACCOUNT, {"name": " ", "expires_in_days": "5000"})
    assert set(response.context["form"].errors) == {"name", "expires_in_days"}
    assert "govuk-error-summary" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_plain_drf_tokens_are_gone():
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "rest_framework.authentication.TokenAuthentication" not in classes
    assert "rest_framework.authentication.SessionAuthentication" in classes


def test_unknown_token_is_401_json_and_audited(world):
    response = _api("spcm_" + "0" * 64).get(ME)
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert _denials().filter(detail__reason__icontains="unknown or revoked").exists()


def test_locked_out_users_token_stops_working_at_once(client, member, settings):
    """The adversarial finding: a locked-out user's token still worked."""
    settings.AXES_FAILURE_LIMIT = 3
    _token, secret = _issue(member)
    assert _api(secret).get(ME).status_code == 200
    sign_in = reverse("accounts:sign-in")
    for _ in range(3):
        client.post(sign_in, {"username": member.user.email, "password": "wrong-password-123"})
    locked = client.post(sign_in, {"username": member.user.email, "password": PASSWORD})
    assert locked.status_code == 429
    response = _api(secret).get(ME)
    assert response.status_code == 401
    assert "locked" in response.json()["errors"]["detail"][0]
    denial = _denials(member.user).get(detail__reason__icontains="locked")
    assert denial.object_type == "accounts.ApiToken"
    assert denial.partnership_id == member.agency.partnership_id


def test_closed_account_and_lapsed_vetting_stop_tokens(world):
    closed = world.members[Role.ADVOCATE]
    _t, closed_secret = _issue(closed)
    lapsed = world.members[Role.CLINICIAN]
    _t, lapsed_secret = _issue(lapsed)
    assert _api(closed_secret).get(ME).status_code == 200
    assert _api(lapsed_secret).get(ME).status_code == 200

    closed.user.is_active = False
    closed.user.save()
    lapsed.vetting_expires_on = timezone.localdate() - timedelta(days=1)
    lapsed.save()

    assert _api(closed_secret).get(ME).status_code == 401
    assert _denials(closed.user).filter(detail__reason__icontains="closed").exists()
    response = _api(lapsed_secret).get(ME)
    assert response.status_code == 401
    assert "vetting" in response.json()["errors"]["detail"][0]
    assert _denials(lapsed.user).filter(detail__reason__icontains="vetting").exists()


def test_expired_token_is_refused_and_audited(member):
    token, secret = _issue(member)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    response = _api(secret).get(ME)
    assert response.status_code == 401
    assert "expired" in response.json()["errors"]["detail"][0]
    assert _denials(member.user).filter(detail__reason__icontains="expired").exists()
    assert ApiToken.objects.filter(pk=token.pk).exists()  # still listed, as expired


def test_owner_revokes_their_token_and_it_stops(client, login, member):
    token, secret = _issue(member)
    login(member)
    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert _api(secret).get(ME).status_code == 401
    revoked = AccessEvent.objects.get(action=Action.DELETE, object_type="accounts.ApiToken")
    assert revoked.actor == member.user
    assert revoked.detail["revoked_by"] == "owner"


def test_nobody_revokes_another_users_token_from_their_own_page(client, login, world):
    token, _secret = _issue(world.members[Role.ADVOCATE])
    chair = world.members[Role.CLINIC_CHAIR]  # partnership-wide, still not someone else's
    login(chair)
    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    denial = _denials(chair.user).get()
    assert (denial.object_type, denial.object_id) == ("accounts.ApiToken", str(token.pk))
    assert "Nightly" not in str(denial.detail)  # records what was asked for, nothing else


def test_partnership_admin_lists_and_revokes_the_partnerships_tokens(client, login, world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    ours, _s = _issue(world.members[Role.ADVOCATE], name="Advocacy sync")
    theirs, _s = _issue(world.other_partnership_member, name="Southmoor sync")
    login(admin)
    page = client.get(reverse("accounts:partnership-api-tokens"))
    body = page.content.decode()
    assert "Advocacy sync" in body and "Southmoor sync" not in body
    response = client.post(reverse("accounts:partnership-api-token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    response = client.post(reverse("accounts:partnership-api-token-revoke", args=[ours.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=ours.pk).exists()
    event = AccessEvent.objects.get(action=Action.DELETE, object_type="accounts.ApiToken")
    assert event.actor == admin.user
    assert event.detail["revoked_by"] == "partnership admin"
    assert event.partnership_id == world.partnership.pk


def test_partnership_token_list_query_count_is_fixed(client, login, world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    login(admin)
    url = reverse("accounts:partnership-api-tokens")
    _issue(world.members[Role.ADVOCATE])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for role in (Role.CLINICIAN, Role.MANAGER, Role.PARTNER, Role.INVESTIGATOR):
        _issue(world.members[role])
        _issue(world.members[role], name="second")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_management_command_issues_for_a_service_account(world):
    service = MembershipFactory(
        agency=world.agencies["police"], role=Role.INVESTIGATOR, user__email="rms@example.org"
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "RMS@example.org", name="RMS sync", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=service.user)
    assert token.name == "RMS sync"
    assert abs(token.expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    issued = AccessEvent.objects.get(action=Action.CREATE, object_type="accounts.ApiToken")
    assert issued.actor is None and issued.detail["via"] == "issue_api_token command"
    assert _api(secret).get(ME).status_code == 200

    with pytest.raises(CommandError, match="1 to 365"):
        call_command("issue_api_token", "rms@example.org", name="x", days=0, stdout=out)
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_api_token", "nobody@example.org", name="x", stdout=out)


def test_token_acts_under_the_agency_header_or_the_default_membership(world):
    member = world.members[Role.INVESTIGATOR]
    second = MembershipFactory(
        user=member.user, agency=world.agencies["advocacy"], role=Role.MANAGER
    )
    _t, secret = _issue(member)
    default = _api(secret).get(ME).json()["acting_as"]["agency"]
    assert default == "advocacy agency"  # the first by agency name, as for sessions
    chosen = _api(secret, HTTP_X_AGENCY_ID=str(member.agency_id)).get(ME).json()
    assert chosen["acting_as"]["agency"] == "police agency"
    assert second.agency_id != member.agency_id
