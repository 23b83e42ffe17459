"""The screening-actions form reports every problem in one pass, and its error-summary
links reach their controls (the first checkbox has the id the summary links to)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import ScreeningAction
from tests.cases.test_order_parties import summary_targets_resolve
from tests.factories_screening import CrimeScreenEntryFactory


def test_every_screening_action_error_at_once(client, login, world):
    entry = CrimeScreenEntryFactory(partnership=world.partnership)
    login(world.members[Role.INVESTIGATOR])
    response = client.post(
        reverse("screening:entry-actions", args=[entry.pk]),
        {
            "kinds": ["reclassification", "no_further_action"],
            "acted_on": (entry.recorded_on - timedelta(days=3)).strftime("%d/%m/%Y"),
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"kinds", "reason", "requested_offence", "acted_on"}
    assert errors["acted_on"] == ["The date of the action cannot be before the crime was recorded."]
    targets = summary_targets_resolve(response.content.decode())
    assert "id_kinds_0" in targets
    assert not ScreeningAction.objects.exists()


def test_no_action_chosen_and_a_bad_date_are_both_reported(client, login, world):
    entry = CrimeScreenEntryFactory(partnership=world.partnership)
    login(world.members[Role.INVESTIGATOR])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("screening:entry-actions", args=[entry.pk]),
        {"acted_on": tomorrow.strftime("%d/%m/%Y")},
    )
    assert set(response.context["form"].errors) == {"kinds", "acted_on"}
    summary_targets_resolve(response.content.decode())
