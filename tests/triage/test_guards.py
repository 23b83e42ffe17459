"""Guards on what cannot be undone in a clinic: closing a meeting asks first and lists the
cases not yet discussed, which carry to the clinic's next agenda with the reason "carried
over"."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories_triage import AgendaItemFactory, CaseDiscussionFactory, MeetingFactory
from triage.models import AgendaItem, AgendaReason, MeetingStatus, MinutesFile
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


# ---------------------------------------------------------------- starting early


def test_starting_more_than_a_day_early_asks_are_you_sure(world, meeting, client, login):
    """The meeting is three days away: the start button leads to a question, the service
    refuses without confirm_early, and the confirming POST starts it (audited as early)."""
    chair = world.members[Role.CLINIC_CHAIR]
    with pytest.raises(ValidationError) as caught:
        clinic_services.meeting_start_run(actor=chair.user, membership=chair, meeting=meeting)
    assert "confirm_early" in caught.value.message_dict
    login(chair)
    url = reverse("triage:meeting-start", args=[meeting.pk])
    page = client.get(reverse("triage:meeting-detail", args=[meeting.pk])).content.decode()
    assert f'href="{url}"' in page and f'action="{url}"' not in page
    response = client.post(url)  # an unconfirmed POST only asks
    assert response.status_code == 200
    assert "more than a day away. Are you sure" in response.content.decode()
    assert 'name="confirm_early" value="yes"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert client.post(url, {"confirm_early": "yes"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS
    event = AccessEvent.objects.filter(object_type="triage.Meeting").latest("pk")
    assert event.detail == {"status": "in_progress", "started_early": True}


def test_starting_on_the_day_needs_no_confirmation(world, clinic, client, login):
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate())
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("triage:meeting-start", args=[meeting.pk])
    assert client.post(url).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS


def test_api_start_early_needs_confirm_early(world, meeting, client, login):
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("api:meeting-start", args=[meeting.pk])
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400
    assert "confirm_early" in response.json()["errors"]
    response = client.post(url, {"confirm_early": True}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


# ---------------------------------------------------------------- reopening


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _close_with_minutes(world, meeting, django_capture_on_commit_callbacks):
    chair = world.members[Role.CLINIC_CHAIR]
    with django_capture_on_commit_callbacks(execute=True):
        clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_reopen_within_7_days_makes_a_new_version_and_keeps_the_old_one(
    world, running, client, login, django_capture_on_commit_callbacks, _media
):
    chair = world.members[Role.CLINIC_CHAIR]
    meeting = _close_with_minutes(world, running, django_capture_on_commit_callbacks)
    first = set(MinutesFile.objects.filter(meeting=meeting).values_list("pk", flat=True))
    assert first and all(f.version == 1 for f in MinutesFile.objects.filter(meeting=meeting))
    login(chair)
    url = reverse("triage:meeting-reopen", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Reopen the meeting</button>" in page and "version 2" in page
    # A reason is required.
    assert client.post(url, {"reason": " "}).status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    assert client.post(url, {"reason": "Health case was missed"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS
    assert meeting.minutes_version == 2 and meeting.reopen_reason == "Health case was missed"
    old = MinutesFile.objects.filter(pk__in=first)
    assert all(f.superseded_at is not None for f in old)
    event = AccessEvent.objects.filter(
        object_type="triage.Meeting", detail__status="reopened"
    ).get()
    assert event.reason == "Health case was missed"
    assert event.detail["superseded_files"] == len(first)

    # Discuss the missed case and close again: version 2, the health case now in it.
    CaseDiscussionFactory(case=world.health_case, meeting=meeting, recorded_by=chair.user)
    meeting = _close_with_minutes(world, meeting, django_capture_on_commit_callbacks)
    current = MinutesFile.objects.filter(meeting=meeting, superseded_at__isnull=True)
    assert current.exists() and all(f.version == 2 for f in current)
    assert MinutesFile.objects.filter(pk__in=first).count() == len(first)  # kept

    # The clinician's list: their version 2 (current) and version 1 (superseded).
    login(world.members[Role.CLINICIAN])
    page = client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).content.decode()
    table = page.split('id="minutes-files"')[1].split("</table>")[0]
    assert "Superseded" in table and "Current" in table
    old_file = next(
        f
        for f in MinutesFile.objects.filter(pk__in=first)
        if world.agencies["health"].pk in f.agency_ids
    )
    response = client.get(reverse("triage:meeting-minutes-file", args=[meeting.pk, old_file.pk]))
    assert response.status_code == 200
    assert "-v1-superseded.pdf" in response["Content-Disposition"]
    b"".join(response.streaming_content)
    download = AccessEvent.objects.filter(object_type="triage.MinutesFile", action="download")
    assert download.get().detail["superseded"] is True
    assert old_file.prepared_for == "advocacy agency, health agency"  # both saw no case
    # The file holding the police-only case is not on the clinician's list, nor
    # downloadable by its id.
    police = MinutesFile.objects.get(pk__in=first, case_ids=[world.own_case.pk])
    assert f"/files/{police.pk}.pdf" not in table
    assert f"/files/{old_file.pk}.pdf" in table
    assert (
        client.get(reverse("triage:meeting-minutes-file", args=[meeting.pk, police.pk])).status_code
        == 404
    )


def test_reopen_is_refused_after_7_days(world, running):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=running)
    running.refresh_from_db()
    running.closed_at = timezone.now() - timedelta(days=7, minutes=1)
    running.save()
    with pytest.raises(ValidationError) as caught:
        clinic_services.meeting_reopen(
            actor=chair.user, membership=chair, meeting=running, reason="Too late"
        )
    assert "status" in caught.value.message_dict
    running.refresh_from_db()
    assert running.status == MeetingStatus.CLOSED and running.minutes_version == 1


def test_only_the_chair_reopens(world, running):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=running)
    running.refresh_from_db()
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    with pytest.raises(PermissionDenied):
        clinic_services.meeting_reopen(
            actor=admin.user, membership=admin, meeting=running, reason="Admin"
        )


def test_api_reopen(world, running, client, login):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=running)
    login(chair)
    url = reverse("api:meeting-reopen", args=[running.pk])
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(url, {"reason": "Missed a case"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.json()["minutes_version"] == 2
