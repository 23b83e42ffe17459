"""What a meeting page and a case's sections link to: minutes once closed, the actions
review at the oversight meeting, and the clinic and risk sections of the case record."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories_triage import MeetingFactory
from triage.models import MeetingKind, MeetingStatus


def _page(client, meeting):
    return client.get(reverse("triage:meeting-detail", args=[meeting.pk])).content.decode()


def test_closed_meeting_links_to_its_minutes(world, meeting, login, client):
    login(world.members[Role.ADVOCATE])
    minutes_url = reverse("triage:meeting-minutes-pdf", args=[meeting.pk])
    assert minutes_url not in _page(client, meeting)
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    html = _page(client, meeting)
    assert minutes_url in html
    assert reverse("triage:meeting-minutes", args=[meeting.pk]) in html


def test_oversight_meeting_leads_the_chair_to_the_actions_review(world, clinic, login, client):
    triage_meeting = MeetingFactory(clinic=clinic)
    clinic.kind = MeetingKind.OVERSIGHT
    clinic.save()
    oversight_meeting = MeetingFactory(clinic=clinic, held_on=triage_meeting.held_on.replace(day=1))
    review_url = reverse("triage:actions-all")
    login(world.members[Role.CLINIC_CHAIR])
    assert f"{review_url}?show=overdue" in _page(client, oversight_meeting)
    client.logout()
    login(world.members[Role.ADVOCATE])
    assert f"{review_url}?show=overdue" not in _page(client, oversight_meeting)


def test_case_sections_include_risk_and_clinic_discussions(world, login, client):
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    html = client.get(reverse("cases:record", args=[case.pk])).content.decode()
    assert reverse("risk:case-risk", args=[case.pk]) in html
    assert reverse("triage:clinic-case-discussions", args=[case.pk]) in html
    page = client.get(reverse("triage:clinic-case-discussions", args=[case.pk]))
    assert (
        'aria-current="page" href="{}"'.format(
            reverse("triage:clinic-case-discussions", args=[case.pk])
        )
        in page.content.decode()
    )
