"""The referral decision form reports every problem in one pass (its own, the case
reference's and the service's), with error-summary links that reach their controls."""

from datetime import timedelta

from django.urls import reverse

from accounts.roles import Role
from cases.models import Person
from tests.cases.test_order_parties import summary_targets_resolve
from tests.factories import make_referral


def test_every_decision_error_at_once(client, login, world):
    probation = world.members[Role.PROBATION_OFFICER]
    perp = Person.objects.create(partnership=world.partnership, given_names="C", family_name="V")
    referral = make_referral(probation, perpetrator=perp, reason="Breach of licence")
    login(world.members[Role.INVESTIGATOR])
    too_early = referral.received_on - timedelta(days=2)
    response = client.post(
        reverse("cases:referral-decide", args=[referral.pk]),
        {
            "decision": "accepted",
            "decided_on": too_early.strftime("%d/%m/%Y"),
            "case_reference": "NO-SUCH-CASE",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["case_reference"] == ["No case you can see has that reference."]
    assert errors["decision"] == ["Screen the referral before deciding on it."]
    assert "before the referral was received" in errors["decided_on"][0]
    summary_targets_resolve(response.content.decode())
    referral.refresh_from_db()
    assert not referral.decision
