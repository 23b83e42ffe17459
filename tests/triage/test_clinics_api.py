"""The clinics API: agendas scoped to the reader's agency, chair-only writes (403 by role,
404 out of scope), field-keyed 400s, CAS versions with actions, fixed query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent
from cases.models import CodeList, ReferenceCode
from tests.factories import open_case
from tests.factories_triage import AgendaItemFactory, MeetingFactory
from triage.models import Action, AgendaItem, CaseDiscussion, Clinic, MeetingStatus


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


@pytest.fixture
def agenda(world, meeting):
    return [
        AgendaItemFactory(meeting=meeting, case=case, position=index)
        for index, case in enumerate(
            (world.own_case, world.health_case, world.advocacy_case), start=1
        )
    ]


def test_meeting_detail_lists_only_the_readers_cases(world, meeting, agenda, api):
    response = api(world.members[Role.ADVOCATE]).get(
        reverse("api:meeting-detail", args=[meeting.pk])
    )
    assert response.status_code == 200
    assert [row["case"] for row in response.json()["agenda"]] == [world.advocacy_case.pk]
    assert world.own_case.reference not in response.content.decode()
    response = api(world.members[Role.CLINIC_CHAIR]).get(
        reverse("api:meeting-detail", args=[meeting.pk])
    )
    assert len(response.json()["agenda"]) == 3
    event = AccessEvent.objects.filter(object_type="triage.Meeting", action="view").last()
    assert event.detail["api"] == "meeting"


def test_meetings_of_clinics_not_attended_are_404_and_unlisted(world, clinic, api):
    clinic.agencies.set([world.agencies["police"]])
    meeting = MeetingFactory(clinic=clinic)
    client = api(world.members[Role.ADVOCATE])
    assert client.get(reverse("api:meeting-detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("api:meeting-list")).json()["results"] == []
    assert client.get(reverse("api:clinic-list")).json()["results"] == []


def _discussion(item, **overrides):
    body = {
        "agenda_item": item.pk,
        "summary": "Known: daily messages.",
        "risk_judgement": "medium",
        "decision": "accept",
        "next_review_on": str(timezone.localdate() + timedelta(days=14)),
        "typologies": [ReferenceCode.objects.get(code_list=CodeList.TYPOLOGY, code="rejected").pk],
        "tier": "2",
    }
    body.update(overrides)
    return body


def test_discussion_versions_with_actions(world, meeting, agenda, api):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    chair = api(world.members[Role.CLINIC_CHAIR])
    police = world.agencies["police"]
    due = str(timezone.localdate() + timedelta(days=5))
    body = _discussion(
        agenda[0], actions=[{"description": "Visit", "owner_agency": police.pk, "due_on": due}]
    )
    first = chair.post(reverse("api:discussion-list"), body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["version"] == 1 and len(first.json()["actions"]) == 1
    second = chair.post(reverse("api:discussion-list"), _discussion(agenda[0]), format="json")
    assert second.json()["version"] == 2
    world.own_case.refresh_from_db()
    assert world.own_case.tier == "2"
    listed = api(world.members[Role.INVESTIGATOR]).get(
        reverse("api:case-discussion-list", kwargs={"case_pk": world.own_case.pk})
    )
    assert [row["version"] for row in listed.json()] == [2, 1]
    hidden = api(world.members[Role.ADVOCATE]).get(
        reverse("api:case-discussion-list", kwargs={"case_pk": world.own_case.pk})
    )
    assert hidden.status_code == 404


def test_discussion_errors_are_field_keyed_and_nothing_saved(world, meeting, agenda, api):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    chair = api(world.members[Role.CLINIC_CHAIR])
    response = chair.post(
        reverse("api:discussion-list"),
        _discussion(agenda[0], summary="", decision="maybe", next_review_on=None),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"summary", "decision"}
    response = chair.post(
        reverse("api:discussion-list"),
        _discussion(agenda[0], risk_judgement="high", next_review_on=None),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"risk_rationale", "next_review_on"}
    assert not CaseDiscussion.objects.exists() and not Action.objects.exists()


def test_only_the_chair_records_and_out_of_scope_items_are_404(world, meeting, agenda, api):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    response = api(world.members[Role.INVESTIGATOR]).post(
        reverse("api:discussion-list"), _discussion(agenda[0]), format="json"
    )
    assert response.status_code == 403
    other = MeetingFactory(
        clinic__partnership=world.other_partnership_member.agency.partnership,
        status=MeetingStatus.IN_PROGRESS,
    )
    foreign = AgendaItemFactory(meeting=other, case=world.other_partnership_case)
    response = api(world.members[Role.CLINIC_CHAIR]).post(
        reverse("api:discussion-list"), _discussion(foreign), format="json"
    )
    assert response.status_code == 404


def test_chair_changes_the_agenda(world, meeting, agenda, api):
    chair = api(world.members[Role.CLINIC_CHAIR])
    response = chair.post(
        reverse("api:meeting-reorder", args=[meeting.pk]),
        {"items": [agenda[2].pk, agenda[0].pk, agenda[1].pk]},
        format="json",
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["agenda"]] == [
        agenda[2].pk,
        agenda[0].pk,
        agenda[1].pk,
    ]
    response = chair.post(
        reverse("api:agenda-item-remove", args=[agenda[1].pk]), {"reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = chair.post(
        reverse("api:agenda-item-remove", args=[agenda[1].pk]),
        {"reason": "Discussed at MARAC"},
        format="json",
    )
    assert response.status_code == 200
    assert AgendaItem.objects.get(pk=agenda[1].pk).removed_reason == "Discussed at MARAC"


def test_move_takes_up_or_down_and_refuses_any_other_body(world, meeting, agenda, api):
    """Found by the schema fuzz: a JSON number as the body was a server error."""
    chair = api(world.members[Role.CLINIC_CHAIR])
    url = reverse("api:agenda-item-move", args=[agenda[1].pk])
    for body in (2185, ["up"], {"direction": "sideways"}, {}):
        response = chair.post(url, body, format="json")
        assert response.status_code == 400, body
        assert (
            "direction" in response.json()["errors"]
            or "non_field_errors" in (response.json()["errors"])
        )
    moved = chair.post(url, {"direction": "up"}, format="json")
    assert moved.status_code == 200
    assert (
        AgendaItem.objects.get(pk=agenda[1].pk).position
        < AgendaItem.objects.get(pk=agenda[0].pk).position
    )


def test_member_adds_only_a_case_they_can_see(world, meeting, api):
    advocate = api(world.members[Role.ADVOCATE])
    url = reverse("api:meeting-items", args=[meeting.pk])
    response = advocate.post(url, {"case": world.own_case.pk}, format="json")
    assert response.status_code == 400 and "case" in response.json()["errors"]
    response = advocate.post(url, {"case": world.advocacy_case.pk, "note": "Urgent"}, format="json")
    assert response.status_code == 201 and response.json()["reasons"] == ["added"]


def test_attendance_and_clinic_set_up(world, meeting, api):
    chair = api(world.members[Role.CLINIC_CHAIR])
    investigator = world.members[Role.INVESTIGATOR]
    response = chair.post(
        reverse("api:meeting-attendance", args=[meeting.pk]),
        {
            "rows": [
                {
                    "user": investigator.user.pk,
                    "agency": investigator.agency.pk,
                    "status": "present",
                },
                {"name": "CPS lawyer", "agency": world.agencies["cps"].pk, "status": "apologies"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200 and len(response.json()) == 2
    admin = api(world.members[Role.PARTNERSHIP_ADMIN])
    body = {
        "name": "Oversight",
        "kind": "oversight",
        "cadence": "monthly",
        "first_meeting_on": "2026-01-08",
        "starts_at": "14:00",
        "duration_minutes": 90,
        "agencies": [world.agencies["police"].pk],
    }
    response = admin.post(reverse("api:clinic-list"), body, format="json")
    assert response.status_code == 201
    response = admin.post(reverse("api:clinic-list"), body, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert Clinic.objects.filter(name="Oversight").count() == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_meeting_detail_query_count_is_fixed(world, clinic, api):
    investigator = world.members[Role.INVESTIGATOR]
    client = api(world.members[Role.INVESTIGATOR])
    small = MeetingFactory(clinic=clinic)
    large = MeetingFactory(clinic=clinic, held_on=small.held_on + timedelta(days=1))
    for index in range(20):
        case = open_case(investigator)
        if index < 5:
            AgendaItemFactory(meeting=small, case=case)
        AgendaItemFactory(meeting=large, case=case)
    _queries(client, reverse("api:meeting-detail", args=[small.pk]))
    assert _queries(client, reverse("api:meeting-detail", args=[small.pk])) == _queries(
        client, reverse("api:meeting-detail", args=[large.pk])
    )


def test_meeting_list_query_count_is_fixed(world, clinic, api):
    client = api(world.members[Role.ADVOCATE])
    url = reverse("api:meeting-list")
    start = timezone.localdate()
    for offset in range(2):
        MeetingFactory(clinic=clinic, held_on=start + timedelta(days=offset))
    _queries(client, url)
    few = _queries(client, url)
    for offset in range(2, 20):
        MeetingFactory(clinic=clinic, held_on=start + timedelta(days=offset))
    assert client.get(url).json()["count"] == 20
    assert _queries(client, url) == few
