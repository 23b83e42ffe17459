"""Clinic pages: agency scoping of agendas, chair controls without JS and with htmx, the
CAS form's in-place save and validation, query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories import open_case
from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
from triage.models import AgendaItem, CaseDiscussion, Clinic, MeetingStatus
from triage.services import agenda as agenda_services


@pytest.fixture
def agenda(world, meeting):
    return [
        AgendaItemFactory(meeting=meeting, case=case, position=index)
        for index, case in enumerate(
            (world.own_case, world.health_case, world.advocacy_case), start=1
        )
    ]


def test_members_see_only_items_shared_with_their_agency(world, meeting, agenda, login, client):
    login(world.members[Role.ADVOCATE])
    html = client.get(reverse("triage:meeting-detail", args=[meeting.pk])).content.decode()
    assert world.advocacy_case.reference in html
    assert world.own_case.reference not in html
    assert world.health_case.reference not in html
    event = AccessEvent.objects.filter(object_type="triage.Meeting", action="view").last()
    assert event.detail["agenda_case_ids"] == [world.advocacy_case.pk]
    client.logout()
    login(world.members[Role.CLINIC_CHAIR])
    html = client.get(reverse("triage:meeting-detail", args=[meeting.pk])).content.decode()
    assert all(item.case.reference in html for item in agenda)


def test_meetings_of_clinics_not_attended_are_404(world, login, client):
    clinic = ClinicFactory(partnership=world.partnership, agencies=[world.agencies["police"]])
    meeting = MeetingFactory(clinic=clinic)
    login(world.members[Role.ADVOCATE])
    assert client.get(reverse("triage:meeting-detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("triage:clinic-detail", args=[clinic.pk])).status_code == 404
    html = client.get(reverse("triage:clinic-list")).content.decode()
    assert clinic.name not in html


def test_upcoming_meetings_list(world, meeting, agenda, login, client):
    login(world.members[Role.ADVOCATE])
    response = client.get(reverse("triage:clinic-list"))
    assert response.status_code == 200
    assert meeting.clinic.name in response.content.decode()
    assert response.context["upcoming"][0].item_count == 1  # only the shared case


def test_move_without_js_redirects_and_with_htmx_swaps(world, meeting, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("triage:meeting-item-move", args=[agenda[2].pk])
    response = client.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#agenda-row-{agenda[2].pk}")
    order = list(AgendaItem.objects.filter(meeting=meeting).values_list("case_id", flat=True))
    assert order == [world.own_case.pk, world.advocacy_case.pk, world.health_case.pk]
    response = client.post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="agenda">')
    assert "<html" not in html


def test_remove_with_reason_and_add_by_reference(world, meeting, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    url = reverse("triage:meeting-item-remove", args=[agenda[0].pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Discussed at MARAC"}).status_code == 302
    agenda[0].refresh_from_db()
    assert agenda[0].removed_reason == "Discussed at MARAC"
    client.logout()
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    add = reverse("triage:meeting-add-case", args=[meeting.pk])
    response = client.post(add, {"reference": world.own_case.reference})
    assert response.status_code == 400  # not shared with advocacy: same answer as unknown
    assert "Enter the reference of a case you can see" in response.content.decode()
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[advocate.agency])
    response = client.post(add, {"reference": case.reference, "note": "New threats"})
    assert response.status_code == 302
    assert AgendaItem.objects.get(meeting=meeting, case=case).note == "New threats"


def _cas_data(item, **overrides):
    prefix = f"item{item.pk}-"
    data = {
        "summary": "Known: 30 calls a day.",
        "risk_judgement": "high",
        "risk_rationale": "Escalating, threats to kill.",
        "decision": "refer_marac_mappa",
        "next_review_on": (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"),
        "depth": "full",
        "action_rows": "3",
        "actions-0-description": "Refer to MARAC",
        "actions-0-owner_agency": "",
        "actions-0-due_on": (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y"),
    }
    data.update(overrides)
    return {prefix + key: value for key, value in data.items()}


@pytest.fixture
def running(world, meeting, agenda):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    return meeting


def test_cas_without_js_redirects_to_the_item(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    item = agenda[0]
    data = _cas_data(item, **{"actions-0-owner_agency": str(world.agencies["police"].pk)})
    response = client.post(reverse("triage:meeting-item-discussion", args=[item.pk]), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    discussion = CaseDiscussion.objects.get(case=item.case)
    assert discussion.version == 1 and discussion.actions.count() == 1


def test_cas_with_htmx_swaps_the_panel_and_focuses_the_next(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    item = agenda[0]
    data = _cas_data(item, **{"actions-0-owner_agency": str(world.agencies["police"].pk)})
    response = client.post(
        reverse("triage:meeting-item-discussion", args=[item.pk]), data, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="item-{item.pk}"' in html and "Discussion saved as version 1" in html
    assert f'id="item-{agenda[1].pk}"' in html and 'hx-swap-oob="true"' in html
    assert "autofocus" in html


def test_cas_validation_shows_in_place_and_saves_nothing(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    item = agenda[0]
    url = reverse("triage:meeting-item-discussion", args=[item.pk])
    data = _cas_data(item, summary="", risk_rationale="")  # action 0 has no owner agency
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter what is known." in html
    response = client.post(url, _cas_data(item, risk_rationale=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Explain the high risk judgement." in html
    assert "Choose the agency that owns the action." in html
    assert not CaseDiscussion.objects.exists()


def test_add_another_action_without_js(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    item = agenda[0]
    data = _cas_data(item)
    data[f"item{item.pk}-add_action"] = "1"
    response = client.post(reverse("triage:meeting-item-discussion", args=[item.pk]), data)
    assert response.status_code == 200
    assert f"item{item.pk}-actions-3-description" in response.content.decode()
    assert "There is a problem" not in response.content.decode()
    assert not CaseDiscussion.objects.exists()


def test_case_discussions_page_lists_versions(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    item = agenda[0]
    url = reverse("triage:meeting-item-discussion", args=[item.pk])
    police = str(world.agencies["police"].pk)
    client.post(url, _cas_data(item, **{"actions-0-owner_agency": police}))
    blank_action = {"actions-0-description": "", "actions-0-due_on": ""}
    response = client.post(url, _cas_data(item, summary="Second look.", **blank_action))
    assert response.status_code == 302
    client.logout()
    login(world.members[Role.INVESTIGATOR])
    html = client.get(
        reverse("triage:clinic-case-discussions", args=[item.case.pk])
    ).content.decode()
    assert "Version 2" in html and "Version 1" in html and "Second look." in html
    login(world.members[Role.ADVOCATE])
    response = client.get(reverse("triage:clinic-case-discussions", args=[item.case.pk]))
    assert response.status_code == 404


def test_clinic_set_up_form(world, login, client):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    data = {
        "name": "Daily risk meeting",
        "kind": "morning_meeting",
        "cadence": "weekdays",
        "first_meeting_on": "5/1/2026",
        "starts_at": "09:15",
        "duration_minutes": "30",
        "agencies": [world.agencies["police"].pk],
        "active": "on",
    }
    response = client.post(reverse("triage:clinic-new"), data)
    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Daily risk meeting")
    assert list(clinic.agencies.all()) == [world.agencies["police"]]
    response = client.post(reverse("triage:clinic-new"), {**data, "agencies": []})
    assert response.status_code == 400


def _page_queries(client, meeting):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("triage:meeting-detail", args=[meeting.pk])).status_code == 200
    return len(captured)


def test_meeting_page_query_count_is_fixed(world, clinic, login, client):
    investigator = world.members[Role.INVESTIGATOR]
    login(world.members[Role.CLINIC_CHAIR])
    small = MeetingFactory(clinic=clinic, status=MeetingStatus.IN_PROGRESS)
    large = MeetingFactory(
        clinic=clinic,
        held_on=small.held_on + timedelta(days=1),
        status=MeetingStatus.IN_PROGRESS,
    )
    for index in range(20):
        case = open_case(investigator)
        if index < 5:
            AgendaItemFactory(meeting=small, case=case)
        AgendaItemFactory(meeting=large, case=case)
    _page_queries(client, small)  # warm caches (session, reference data)
    assert _page_queries(client, small) == _page_queries(client, large)


def test_case_page_links_to_its_clinic_discussions(world, login, client):
    login(world.members[Role.INVESTIGATOR])
    html = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert reverse("triage:clinic-case-discussions", args=[world.own_case.pk]) in html


def test_running_meeting_opens_the_current_item_only(world, running, agenda, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    html = client.get(reverse("triage:meeting-detail", args=[running.pk])).content.decode()
    assert html.count('name="item') and f'name="item{agenda[0].pk}-summary"' in html
    assert f'name="item{agenda[1].pk}-summary"' not in html
    record = reverse("triage:meeting-item-discussion", args=[agenda[1].pk])
    assert f'hx-get="{record}"' in html and f'href="{record}"' in html
    response = client.get(record, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and f'name="item{agenda[1].pk}-summary"' in body
    assert "autofocus" in body
    # Without JS the same link is a page of its own.
    assert "<html" in client.get(record).content.decode()


def test_meeting_page_reads_the_agenda_once_and_lists_removed_items_for_the_chair(
    world, meeting, agenda, login, client
):
    chair = world.members[Role.CLINIC_CHAIR]
    agenda_services.agenda_remove_item(
        actor=chair.user, membership=chair, item=agenda[2], reason="Discussed at MARAC"
    )
    login(chair)
    url = reverse("triage:meeting-detail", args=[meeting.pk])
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    agenda_reads = [q for q in captured if 'FROM "triage_agendaitem"' in q["sql"]]
    assert len(agenda_reads) == 1
    assert [p["item"].pk for p in response.context["panels"]] == [agenda[0].pk, agenda[1].pk]
    assert [item.pk for item in response.context["removed"]] == [agenda[2].pk]
    assert "Discussed at MARAC" in response.content.decode()
    client.logout()
    login(world.members[Role.CLINICIAN])
    response = client.get(url)
    assert [p["item"].pk for p in response.context["panels"]] == [agenda[1].pk]
    assert response.context["removed"] == []
    assert "Discussed at MARAC" not in response.content.decode()


def test_extra_meeting_is_never_in_the_past_and_comes_with_its_agenda(world, clinic, login, client):
    """The date rule and the agenda build are the service's (one transaction), so every
    caller gets them, not only this page."""
    from tests.factories import make_referral
    from triage.services import clinics as clinic_services

    chair = world.members[Role.CLINIC_CHAIR]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        clinic_services.meeting_create(
            actor=chair.user, membership=chair, clinic=clinic, held_on=today - timedelta(days=1)
        )
    assert set(raised.value.message_dict) == {"held_on"}
    make_referral(world.members[Role.INVESTIGATOR], world.own_case, received_on=today)
    login(chair)
    url = reverse("triage:clinic-meeting-new", args=[clinic.pk])
    yesterday = today - timedelta(days=1)
    response = client.post(url, {"held_on": f"{yesterday.day}/{yesterday.month}/{yesterday.year}"})
    assert response.status_code == 400
    assert "The meeting date cannot be in the past." in response.content.decode()
    assert not clinic.meetings.exists()
    on = today + timedelta(days=3)
    response = client.post(url, {"held_on": f"{on.day}/{on.month}/{on.year}"})
    assert response.status_code == 302
    meeting = clinic.meetings.get()
    assert list(meeting.items.values_list("case_id", flat=True)) == [world.own_case.pk]
    assert AccessEvent.objects.filter(
        action="create", object_type="triage.Meeting", object_id=str(meeting.pk)
    ).exists()


def test_cas_item_page_reads_the_latest_discussion_once(world, running, agenda, login, client):
    chair = world.members[Role.CLINIC_CHAIR]
    from tests.factories_triage import CaseDiscussionFactory

    CaseDiscussionFactory(case=agenda[0].case, recorded_by=chair.user, summary="Earlier CAS")
    login(chair)
    url = reverse("triage:meeting-item-discussion", args=[agenda[0].pk])
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and "Earlier CAS" in response.content.decode()
    reads = [
        q
        for q in captured
        if 'FROM "triage_casediscussion"' in q["sql"]
        and '"triage_casediscussion"."case_id" IN' in q["sql"]
    ]
    assert len(reads) == 1
