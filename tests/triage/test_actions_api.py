"""The actions and minutes API: same scope and rules as the pages, field-keyed 400s,
403 by role, audited downloads."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent
from audit.models import Action as AuditAction
from tests.factories_triage import (
    ActionFactory,
    CaseDiscussionFactory,
    ClinicFactory,
    MeetingFactory,
)
from triage.models import Action, ActionStatus, MeetingStatus, MinutesFile

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _action(world, case=None, agency="police", **kwargs):
    return ActionFactory(
        case=case or world.health_case,
        owner_agency=world.agencies[agency],
        created_by=world.members[Role.CLINIC_CHAIR].user,
        **kwargs,
    )


def _list_url():
    return reverse("api:action-list")


def test_list_is_scoped_and_filters(world, api):
    investigator = world.members[Role.INVESTIGATOR]
    mine = _action(world, owner=investigator.user, due_on=TODAY() - timedelta(days=1))
    done = _action(world, status=ActionStatus.DONE)
    _action(world, case=world.advocacy_case, agency="advocacy")  # not visible to police
    client = api(investigator)
    response = client.get(_list_url())
    assert response.status_code == 200
    assert {row["id"] for row in response.data["results"]} == {mine.pk, done.pk}
    assert response.data["count_capped"] is False
    row = next(r for r in response.data["results"] if r["id"] == mine.pk)
    assert row["overdue"] is True and row["case_reference"] == world.health_case.reference
    assert row["owner_name"] == str(investigator.user)
    ids = lambda **q: {r["id"] for r in client.get(_list_url(), q).data["results"]}  # noqa: E731
    assert ids(overdue="true") == {mine.pk}
    assert ids(status="done") == {done.pk}
    assert ids(status="open") == {mine.pk}
    assert ids(owner="me") == {mine.pk}
    assert ids(case=world.own_case.pk) == set()
    assert ids(agency=world.agencies["advocacy"].pk) == set()
    assert AccessEvent.objects.filter(action=AuditAction.LIST, detail__api="actions").exists()


def test_list_query_count_is_fixed(world, api):
    client = api(world.members[Role.CLINIC_CHAIR])
    for _ in range(5):
        _action(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_list_url()).status_code == 200
    for _ in range(45):
        _action(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_list_url())
    assert len(response.data["results"]) == 50
    assert len(many) == len(few)


def test_detail_404_outside_scope_and_403_for_admin(world, api):
    hidden = _action(world, case=world.own_case)
    assert (
        api(world.members[Role.CLINICIAN])
        .get(reverse("api:action-detail", args=[hidden.pk]))
        .status_code
        == 404
    )
    response = api(world.members[Role.INVESTIGATOR]).get(
        reverse("api:action-detail", args=[hidden.pk])
    )
    assert response.status_code == 200 and response.data["id"] == hidden.pk
    admin = api(world.members[Role.PARTNERSHIP_ADMIN])
    assert admin.get(reverse("api:action-detail", args=[hidden.pk])).status_code == 403


def test_create_on_a_visible_case(world, api):
    chair = world.members[Role.CLINIC_CHAIR]
    clinician = world.members[Role.CLINICIAN]
    due = (TODAY() + timedelta(days=10)).isoformat()
    data = {
        "case": world.health_case.pk,
        "description": "Psychology review",
        "owner_agency": world.agencies["health"].pk,
        "owner": clinician.user.pk,
        "due_on": due,
    }
    response = api(chair).post(_list_url(), data, format="json")
    assert response.status_code == 201, response.data
    action = Action.objects.get(pk=response.data["id"])
    assert action.owner == clinician.user and action.created_by == chair.user
    assert AccessEvent.objects.filter(
        action=AuditAction.CREATE, object_type="triage.Action", object_id=str(action.pk)
    ).exists()
    # A clinician may not add actions.
    assert api(clinician).post(_list_url(), data, format="json").status_code == 403
    # Police cannot add to a case they cannot see: a field error, no hint it exists.
    investigator = api(world.members[Role.INVESTIGATOR])
    response = investigator.post(
        _list_url(), {**data, "case": world.advocacy_case.pk}, format="json"
    )
    assert response.status_code == 400 and "case" in response.data["errors"]
    response = investigator.post(
        _list_url(),
        {**data, "owner_agency": world.agencies["cps"].pk, "description": ""},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) >= {"owner_agency", "description"}
    assert Action.objects.count() == 1


def test_complete_cancel_reassign_due_date(world, api):
    investigator = world.members[Role.INVESTIGATOR]
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    client = api(investigator)
    action = _action(world)
    url = lambda name: reverse(f"api:action-{name}", args=[action.pk])  # noqa: E731
    response = client.post(url("reassign"), {"owner": supervisor.user.pk}, format="json")
    assert response.status_code == 200 and response.data["owner"] == supervisor.user.pk
    new_due = (TODAY() + timedelta(days=20)).isoformat()
    response = client.post(url("due-date"), {"due_on": new_due}, format="json")
    assert response.status_code == 200 and response.data["due_on"] == new_due
    response = client.post(url("cancel"), {}, format="json")
    assert response.status_code == 400 and "reason" in response.data["errors"]
    response = client.post(url("cancel"), {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.data["errors"]
    response = client.post(url("complete"))
    assert response.status_code == 200
    assert response.data["status"] == "done"
    assert response.data["completed_by"] == investigator.user.pk
    response = client.post(url("complete"))
    assert response.status_code == 400 and "status" in response.data["errors"]
    changes = list(
        AccessEvent.objects.filter(
            action=AuditAction.UPDATE, object_id=str(action.pk), object_type="triage.Action"
        )
        .order_by("pk")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["reassigned", "due_date", "completed"]


def test_another_agency_cannot_change_an_action(world, api):
    action = _action(world)  # police-owned, health can see the case
    client = api(world.members[Role.CLINICIAN])
    for name, data in (
        ("complete", {}),
        ("cancel", {"reason": "Not needed"}),
        ("reassign", {"owner": None}),
        ("due-date", {"due_on": (TODAY() + timedelta(days=3)).isoformat()}),
    ):
        response = client.post(reverse(f"api:action-{name}", args=[action.pk]), data, format="json")
        assert response.status_code == 403, name
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.owner is None


def test_minutes_versions_and_audited_download(world, api, settings):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership,
        chair=chair.user,
        agencies=[world.agencies["police"], world.agencies["health"]],
    )
    meeting = MeetingFactory(clinic=clinic, status=MeetingStatus.IN_PROGRESS)
    CaseDiscussionFactory(
        case=world.own_case, meeting=meeting, recorded_by=chair.user, summary="Ospreyfact"
    )
    CaseDiscussionFactory(
        case=world.health_case, meeting=meeting, recorded_by=chair.user, summary="Heronfact"
    )
    clinician = api(world.members[Role.CLINICIAN])
    list_url = reverse("api:meeting-minutes-list", kwargs={"meeting_pk": meeting.pk})
    download_url = reverse("api:meeting-minutes-download", kwargs={"meeting_pk": meeting.pk})
    assert clinician.get(list_url).data == []
    assert clinician.get(download_url).status_code == 404
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    response = clinician.get(list_url)
    assert response.status_code == 200
    (version,) = response.data
    assert version["cases"] == [
        {"id": world.health_case.pk, "reference": world.health_case.reference}
    ]
    assert version["generated"] is False and version["contact_withheld"] is True
    response = clinician.get(download_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "Heronfact" in text and "Ospreyfact" not in text
    assert world.own_case.reference not in text
    event = AccessEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.detail["api"] is True and event.detail["case_ids"] == [world.health_case.pk]
    assert clinician.get(list_url).data[0]["generated"] is True
    assert MinutesFile.objects.count() == 1
    # The CPS does not attend: 404.
    assert api(world.members[Role.PARTNER]).get(list_url).status_code == 404


def test_reassign_to_a_member_who_left_or_to_another_partnership_is_a_field_error(world, api):
    investigator = world.members[Role.INVESTIGATOR]
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    action = _action(world)
    url = reverse("api:action-reassign", args=[action.pk])
    supervisor.active = False
    supervisor.save(update_fields=["active"])
    client = api(investigator)
    for user in (supervisor.user, world.other_partnership_member.user):
        response = client.post(url, {"owner": user.pk}, format="json")
        assert response.status_code == 400 and set(response.data["errors"]) == {"owner"}
    action.refresh_from_db()
    assert action.owner is None
    assert not AccessEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="triage.Action"
    ).exists()
