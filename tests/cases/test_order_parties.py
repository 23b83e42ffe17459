"""Protective orders: made against a perpetrator on the case and protecting a victim on
it; the form offers only those, refuses anything else at the field, and reports every
problem in one pass with error-summary links that reach their controls."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import ProtectiveOrder
from tests.factories_people import person_in_case


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _d(day):
    return day.strftime("%d/%m/%Y")


def summary_targets_resolve(page):
    """Every error-summary link names an element id on the page (so focus moves there)."""
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]*)"', summary)
    assert targets, "no links in the error summary"
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    missing = [t for t in targets if t not in ids]
    assert not missing, f"error-summary links without a control: {missing}"
    return targets


def test_the_order_form_offers_only_perpetrators_and_victims(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    form = client.get(reverse("cases:order-new", args=[world.own_case.pk])).context["form"]
    assert list(form.fields["subject"].queryset) == [world.perpetrator.person]
    assert list(form.fields["protected"].queryset) == [world.victim.person]


def test_the_wrong_people_are_refused_at_the_field_with_every_other_error(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    today = timezone.localdate()
    response = client.post(
        reverse("cases:order-new", args=[world.own_case.pk]),
        {
            "subject": world.victim.person.pk,  # a victim, not a perpetrator
            "protected": world.perpetrator.person.pk,
            "kind": "spo_full",
            "applied_on": _d(today - timedelta(days=5)),
            "decision": "granted",
            "decided_on": _d(today - timedelta(days=6)),  # before it was applied for
            "expires_on": _d(today - timedelta(days=7)),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["subject"] == ["Choose a perpetrator on this case."]
    assert errors["protected"] == ["Choose a victim on this case."]
    # The date rules are reported in the same pass, not after the people are fixed.
    assert errors["decided_on"] == ["The decision date cannot be before the date applied."]
    assert set(summary_targets_resolve(response.content.decode())) >= {
        "id_subject",
        "id_protected",
        "id_decided_on",
    }
    assert not ProtectiveOrder.objects.exists()


def test_an_order_against_the_perpetrator_protecting_the_victim_is_saved(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    today = timezone.localdate()
    response = client.post(
        reverse("cases:order-new", args=[world.own_case.pk]),
        {
            "subject": world.perpetrator.person.pk,
            "protected": world.victim.person.pk,
            "kind": "spo_interim",
            "applied_on": _d(today - timedelta(days=2)),
            "decision": "pending",
        },
    )
    assert response.status_code == 302
    order = ProtectiveOrder.objects.get()
    assert (order.subject, order.protected) == (world.perpetrator.person, world.victim.person)
    page = client.get(reverse("cases:orders", args=[world.own_case.pk])).content.decode()
    assert (
        f'Protects</dt><dd class="govuk-summary-list__value">{world.victim.person.full_name}'
        in page
    )


def test_api_refuses_an_order_against_a_victim_at_the_field(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    other_victim = person_in_case(
        world.own_case, role="victim", given_names="Ann", family_name="Lee"
    )
    url = reverse("api:case-order-list", kwargs={"case_pk": world.own_case.pk})
    today = timezone.localdate()
    body = {
        "subject": other_victim.pk,
        "protected": world.victim.person.pk,
        "kind": "spo_full",
        "applied_on": str(today),
        "decision": "pending",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"subject": ["Choose a perpetrator on this case."]}
    response = client.post(url, {**body, "subject": world.perpetrator.person.pk}, format="json")
    assert response.status_code == 201 and response.json()["protected"] == world.victim.person.pk
