"""Clinic decisions and minutes text reach the perpetrator's clinicians: a text holding the
victim's postcode or phone (marker values) warns, saves nothing, and saves once the chair
ticks "I have checked: share anyway" (issue 11 item 5)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from tests.factories_triage import AgendaItemFactory
from tests.triage.test_clinics_pages import _cas_data
from triage.models import CaseDiscussion, MeetingStatus
from triage.services import discussions as discussion_services

MARKER_POSTCODE = "ZZ9 9ZZ"
MARKER_PHONE = "07700 900456"


@pytest.fixture
def item(world, meeting):
    person = world.victim.person
    person.postcode, person.phone = MARKER_POSTCODE, MARKER_PHONE
    person.save()
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    return AgendaItemFactory(meeting=meeting, case=world.own_case, position=1)


def test_cas_page_warns_then_saves_with_share_anyway(world, item, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("triage:meeting-item-discussion", args=[item.pk])
    data = _cas_data(
        item,
        decision_note="Victim now lives at zz99zz, call 07700900456.",
        **{"actions-0-owner_agency": str(world.agencies["police"].pk)},
    )
    response = client.post(url, data)
    body = response.content.decode()
    assert "postcode and phone number" in body
    assert f'name="item{item.pk}-share_anyway"' in body and 'type="checkbox"' in body
    assert not CaseDiscussion.objects.exists()
    response = client.post(url, {**data, f"item{item.pk}-share_anyway": "on"})
    assert response.status_code == 302
    assert CaseDiscussion.objects.get().decision_note.startswith("Victim now lives")


def test_the_service_refuses_each_text_field_by_name(world, item):
    chair = world.members[Role.CLINIC_CHAIR]
    with pytest.raises(ValidationError) as error:
        discussion_services.discussion_record(
            actor=chair.user,
            membership=chair,
            item=item,
            summary=f"Seen near {MARKER_POSTCODE}.",
            risk_judgement="medium",
            risk_rationale=f"Calls to {MARKER_PHONE}.",
            decision="monitor",
            next_review_on=None,
        )
    assert {"summary", "risk_rationale"} <= set(error.value.message_dict)
    assert MARKER_POSTCODE not in str(error.value.message_dict)
    assert not CaseDiscussion.objects.exists()
