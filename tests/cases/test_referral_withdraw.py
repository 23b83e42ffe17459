"""Withdrawing a referral: the referring agency, while it is undecided, with a reason, on
a confirmation page (and in the API); audited; it ends the referral like a decision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from cases.models import ReferralStatus
from cases.services import referrals as referral_services
from tests.factories import make_referral


@pytest.fixture
def referral(world):
    return make_referral(world.members[Role.ADVOCATE])


def test_withdraw_asks_first_then_ends_the_referral(world, referral, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    detail = client.get(reverse("cases:referral-detail", args=[referral.pk])).content.decode()
    url = reverse("cases:referral-withdraw", args=[referral.pk])
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "This cannot be undone" in body and "Withdraw the referral</button>" in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED  # the GET changed nothing
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why the referral is being withdrawn." in response.content.decode()
    response = client.post(url, {"reason": "Victim moved out of the area"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.decided_by == advocate.user
    assert referral.decision_reason == "Victim moved out of the area"
    event = AccessEvent.objects.filter(
        object_type="cases.Referral", object_id=str(referral.pk), action="update"
    ).get()
    assert event.reason == "Victim moved out of the area"
    assert event.detail == {"lifecycle": "withdrawn"}
    # Withdrawn shows in its history and the referral can no longer be decided.
    detail = client.get(reverse("cases:referral-detail", args=[referral.pk])).content.decode()
    assert "Withdrawn by the referrer" in detail and f'href="{url}"' not in detail
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(ValidationError):
        referral_services.referral_screen(
            actor=investigator.user, membership=investigator, referral=referral
        )


def test_a_decided_referral_cannot_be_withdrawn(world, referral, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    referral = referral_services.referral_screen(
        actor=investigator.user, membership=investigator, referral=referral
    )
    referral_services.referral_decide(
        actor=investigator.user,
        membership=investigator,
        referral=referral,
        decision=ReferralStatus.DECLINED,
        reason="Not for this partnership",
    )
    advocate = world.members[Role.ADVOCATE]
    with pytest.raises(ValidationError):
        referral_services.referral_withdraw(
            actor=advocate.user, membership=advocate, referral=referral, reason="Changed mind"
        )
    login(advocate)
    page = client.get(reverse("cases:referral-withdraw", args=[referral.pk])).content.decode()
    assert "Only an undecided referral can be withdrawn." in page
    assert "Withdraw the referral</button>" not in page


def test_only_the_referring_agency_withdraws(world, referral, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        referral_services.referral_withdraw(
            actor=investigator.user, membership=investigator, referral=referral, reason="No"
        )
    # Police see every referral, but another agency's is not theirs to withdraw.
    login(investigator)
    url = reverse("cases:referral-withdraw", args=[referral.pk])
    assert client.get(url).status_code == 404
    detail = client.get(reverse("cases:referral-detail", args=[referral.pk])).content.decode()
    assert f'href="{url}"' not in detail
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_api_withdraw(world, referral, client, login):
    login(world.members[Role.ADVOCATE])
    url = reverse("api:referral-withdraw", args=[referral.pk])
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    response = client.post(
        url, {"reason": "Duplicate of police referral"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == ReferralStatus.WITHDRAWN
    response = client.post(url, {"reason": "Again"}, content_type="application/json")
    assert response.status_code == 400  # already ended
    referral.refresh_from_db()
    assert referral.decided_at <= timezone.now()
