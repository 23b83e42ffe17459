"""Guards on what cannot be undone in a clinic: closing a meeting asks first and lists the
cases not yet discussed, which carry to the clinic's next agenda with the reason "carried
over"."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories_triage import AgendaItemFactory, CaseDiscussionFactory, MeetingFactory
from triage.models import AgendaItem, AgendaReason, MeetingStatus
from triage.services import agenda as agenda_services
from triage.services import clinics as clinic_services


@pytest.fixture
def running(world, meeting):
    """A meeting in progress: own_case discussed, health_case not, advocacy_case taken off."""
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    chair = world.members[Role.CLINIC_CHAIR].user
    items = {
        key: AgendaItemFactory(meeting=meeting, case=getattr(world, key), position=index)
        for index, key in enumerate(("own_case", "health_case", "advocacy_case"), start=1)
    }
    CaseDiscussionFactory(
        case=world.own_case, meeting=meeting, agenda_item=items["own_case"], recorded_by=chair
    )
    items["advocacy_case"].removed_at = meeting.starts_at
    items["advocacy_case"].removed_reason = "Discussed at MARAC"
    items["advocacy_case"].save()
    return meeting


def _next(meeting, days=14):
    return MeetingFactory(clinic=meeting.clinic, held_on=meeting.held_on + timedelta(days=days))


def _carried(meeting):
    return {
        item.case_id
        for item in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        if AgendaReason.CARRIED_OVER in item.reasons
    }


def test_close_asks_first_and_lists_the_cases_not_yet_discussed(world, running, client, login):
    following = _next(running)
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("triage:meeting-close", args=[running.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    undiscussed = page.split('id="undiscussed"')[1].split("</ul>")[0]
    assert world.health_case.reference in undiscussed
    assert world.own_case.reference not in undiscussed  # discussed
    assert world.advocacy_case.reference not in undiscussed  # taken off
    assert following.held_on.strftime("%-d %B %Y") in page
    running.refresh_from_db()
    assert running.status == MeetingStatus.IN_PROGRESS  # the GET changed nothing

    response = client.post(url)
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == MeetingStatus.CLOSED
    # The next meeting's agenda now has the undiscussed case, with the reason.
    assert _carried(following) == {world.health_case.pk}
    event = AccessEvent.objects.filter(
        object_type="triage.Meeting", object_id=str(running.pk), detail__status="closed"
    ).get()
    assert event.detail["carried_over_case_ids"] == [world.health_case.pk]
    assert event.detail["next_meeting_id"] == following.pk


def test_the_meeting_page_links_to_the_confirmation_not_a_one_click_close(
    world, running, client, login
):
    login(world.members[Role.CLINIC_CHAIR])
    page = client.get(reverse("triage:meeting-detail", args=[running.pk])).content.decode()
    close_url = reverse("triage:meeting-close", args=[running.pk])
    assert f'href="{close_url}"' in page
    assert f'action="{close_url}"' not in page


def test_close_page_for_a_meeting_not_in_progress_offers_no_button(world, meeting, client, login):
    login(world.members[Role.CLINIC_CHAIR])
    response = client.get(reverse("triage:meeting-close", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only a meeting in progress can be closed." in page
    assert "Close the meeting</button>" not in page


def test_carried_cases_reach_a_next_meeting_scheduled_later(world, running):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=running)
    following = _next(running)
    agenda_services.build_agenda(following)
    assert _carried(following) == {world.health_case.pk}
    # Only to the next meeting: the one after it carries what the next one leaves.
    later = _next(running, days=28)
    agenda_services.build_agenda(later)
    assert _carried(later) == set()


def test_nothing_carries_from_a_meeting_still_open(world, running):
    following = _next(running)
    agenda_services.build_agenda(following)
    assert _carried(following) == set()
