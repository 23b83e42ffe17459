"""Clinic guests can come from any organisation (not only the partnership's agencies),
and the minutes name the organisation and say they were a guest."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from triage.models import Attendance
from triage.selectors import minutes as minutes_selectors
from triage.services import minutes as minutes_services


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _post(client, meeting, **guest):
    data = {f"g0-{key}": value for key, value in guest.items()}
    return client.post(reverse("triage:meeting-attendance", args=[meeting.pk]), data)


def test_a_guest_from_another_organisation_is_recorded_and_named_in_the_minutes(
    world, meeting, login, client
):
    login(world.members[Role.CLINIC_CHAIR])
    response = _post(
        client, meeting, name="Sam Okafor", organisation="Northshire Housing", status="present"
    )
    assert response.status_code == 302
    guest = Attendance.objects.get(meeting=meeting)
    assert (guest.agency, guest.organisation) == (None, "Northshire Housing")
    chair = world.members[Role.CLINIC_CHAIR]
    audience = minutes_selectors.audience_for(chair, meeting)
    html = minutes_services.render_minutes_html(
        meeting, audience, prepared_for="Partnership", document=False
    )
    assert "Guests from other organisations" in html
    assert "Sam Okafor, Northshire Housing (guest): Present" in html
    page = client.get(reverse("triage:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Sam Okafor (guest), Northshire Housing" in page


def test_a_guest_needs_an_agency_or_an_organisation_not_both(world, meeting, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    response = _post(client, meeting, name="Sam Okafor", status="present")
    assert response.status_code == 400
    assert "g0-agency" in response.context["form"].errors
    response = _post(
        client,
        meeting,
        name="Sam Okafor",
        agency=str(world.agencies["police"].pk),
        organisation="Northshire Housing",
        status="present",
    )
    assert "g0-organisation" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_api_records_a_guest_from_another_organisation(world, meeting, api):
    client = api(world.members[Role.CLINIC_CHAIR])
    url = reverse("api:meeting-attendance", args=[meeting.pk])
    body = {
        "rows": [{"name": "Sam Okafor", "organisation": "Northshire Housing", "status": "present"}]
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert Attendance.objects.get(meeting=meeting).organisation == "Northshire Housing"
