"""A practitioner records their own professional registration (body and number), audited;
both or neither; shown on their account."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db


def test_own_registration_both_or_neither(world, client, login):
    member = world.members[Role.CLINICIAN]
    login(member)
    url = reverse("accounts:registration")
    assert client.get(url).status_code == 200
    for data, field in [
        ({"registration_body": "HCPC"}, "registration_number"),
        ({"registration_number": "PYL12345"}, "registration_body"),
        ({"registration_body": "HCPC", "registration_number": "PYL 12345!"}, "registration_number"),
    ]:
        bad = client.post(url, data)
        assert bad.status_code == 400 and field in bad.context["form"].errors, data
    member.user.refresh_from_db()
    assert member.user.registration == ""
    ok = client.post(url, {"registration_body": "HCPC", "registration_number": "pyl12345"})
    assert ok.status_code == 302
    member.user.refresh_from_db()
    assert member.user.registration == "HCPC PYL12345"
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, actor=member.user, detail__registration="HCPC PYL12345"
    ).exists()
    assert "HCPC PYL12345" in client.get(reverse("accounts:account")).content.decode()
