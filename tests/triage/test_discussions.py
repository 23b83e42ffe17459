"""Recording a case's discussion: CAS versions, actions in the same transaction, what
carries forward to the case core, validation, audit rows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from cases.models import CodeList, ReferenceCode
from cases.services import core as case_services
from tests.factories_triage import AgendaItemFactory
from triage.models import Action, CaseDiscussion, MeetingStatus
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services


@pytest.fixture
def item(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    return AgendaItemFactory(meeting=meeting, case=world.own_case)


def _record(world, item, **overrides):
    chair = world.members[Role.CLINIC_CHAIR]
    values = {
        "summary": "Ex-partner, 40 messages a day.",
        "risk_judgement": "medium",
        "decision": "accept",
        "next_review_on": timezone.localdate() + timedelta(days=28),
    }
    values.update(overrides)
    return discussion_services.discussion_record(
        actor=chair.user, membership=chair, item=item, **values
    )


def test_each_save_is_a_new_version(world, item):
    first = _record(world, item)
    second = _record(world, item, summary="Now also at her workplace.")
    assert (first.version, second.version) == (1, 2)
    assert CaseDiscussion.objects.get(pk=first.pk).summary == "Ex-partner, 40 messages a day."
    events = AccessEvent.objects.filter(object_type="triage.CaseDiscussion", action="create")
    assert sorted(event.detail["version"] for event in events) == [1, 2]
    assert {event.case_id for event in events} == {world.own_case.pk}


def test_actions_are_created_with_the_discussion(world, item):
    police = world.agencies["police"]
    investigator = world.members[Role.INVESTIGATOR].user
    # An action goes to an agency the case is shared with (see the test below).
    case_services.case_share(
        actor=investigator,
        membership=world.members[Role.INVESTIGATOR],
        case=world.own_case,
        agency=world.agencies["advocacy"],
        reason="Referred to ISAC at clinic",
    )
    due = timezone.localdate() + timedelta(days=7)
    discussion = _record(
        world,
        item,
        actions=[
            {
                "description": "Serve SPO papers",
                "owner_agency": police,
                "owner": investigator,
                "due_on": due,
            },
            {
                "description": "Refer to ISAC",
                "owner_agency": world.agencies["advocacy"],
                "owner": None,
                "due_on": due,
            },
        ],
    )
    actions = Action.objects.filter(discussion=discussion).order_by("pk")
    assert [a.description for a in actions] == ["Serve SPO papers", "Refer to ISAC"]
    assert actions[0].owner == investigator and actions[0].partnership == world.partnership
    assert AccessEvent.objects.filter(object_type="triage.Action", action="create").count() == 2


def test_agreed_fields_carry_forward_to_the_case(world, item):
    rejected = ReferenceCode.objects.get(code_list=CodeList.TYPOLOGY, code="rejected")
    resentful = ReferenceCode.objects.get(code_list=CodeList.TYPOLOGY, code="resentful")
    _record(
        world,
        item,
        classification="stalking",
        typologies=[rejected, resentful],
        tier="3",
        priority="high",
        decision_note="Meets the stalking definition.",
    )
    case = world.own_case
    case.refresh_from_db()
    assert (case.classification, case.tier, case.priority) == ("stalking", "3", "high")
    assert "Meets the stalking definition." in case.classification_reason
    assert set(case.typologies.all()) == {rejected, resentful}
    assert case.history.first().tier == "3"  # simple_history kept
    event = AccessEvent.objects.get(object_type="cases.Case", action="update")
    assert set(event.detail["changed"]) >= {"classification", "tier", "priority", "typologies"}


def test_blank_fields_keep_the_case_values(world, item):
    case = world.own_case
    case.tier, case.priority = "2", "low"
    case.save()
    _record(world, item)
    case.refresh_from_db()
    assert (case.tier, case.priority) == ("2", "low")
    assert not AccessEvent.objects.filter(object_type="cases.Case", action="update").exists()


def test_validation_is_field_keyed_and_saves_nothing(world, item):
    with pytest.raises(ValidationError) as error:
        _record(
            world,
            item,
            summary=" ",
            risk_judgement="high",
            decision="",
            next_review_on=timezone.localdate() - timedelta(days=1),
            tier="9",
            actions=[{"description": "", "owner_agency": None, "due_on": None}],
        )
    assert set(error.value.message_dict) == {
        "summary",
        "risk_rationale",
        "decision",
        "next_review_on",
        "tier",
        "actions-0-description",
        "actions-0-owner_agency",
        "actions-0-due_on",
    }
    assert not CaseDiscussion.objects.exists() and not Action.objects.exists()


def test_accept_needs_a_review_date(world, item):
    with pytest.raises(ValidationError) as error:
        _record(world, item, next_review_on=None)
    assert "next_review_on" in error.value.message_dict
    assert _record(world, item, decision="close", next_review_on=None).version == 1


def test_an_action_owner_must_belong_to_the_agency(world, item):
    with pytest.raises(ValidationError) as error:
        _record(
            world,
            item,
            actions=[
                {
                    "description": "Call",
                    "owner_agency": world.agencies["health"],
                    "owner": world.members[Role.INVESTIGATOR].user,
                    "due_on": timezone.localdate(),
                }
            ],
        )
    assert "actions-0-owner" in error.value.message_dict


def test_only_a_chair_records_and_only_in_a_running_meeting(world, item, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        discussion_services.discussion_record(
            actor=investigator.user,
            membership=investigator,
            item=item,
            summary="x",
            risk_judgement="low",
            decision="close",
        )
    meeting.status = MeetingStatus.PLANNED
    meeting.save()
    item.meeting.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _record(world, item)
    assert "meeting" in error.value.message_dict


def test_start_and_close_are_audited_and_signal(world, meeting, django_capture_on_commit_callbacks):
    chair = world.members[Role.CLINIC_CHAIR]
    heard = []

    def receiver(sender, meeting, **kwargs):
        heard.append(meeting.pk)

    clinic_services.meeting_closed.connect(receiver)
    try:
        clinic_services.meeting_start_run(
            actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
        )
        with pytest.raises(ValidationError):
            clinic_services.meeting_start_run(
                actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
            )
        with django_capture_on_commit_callbacks(execute=True):
            clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=meeting)
    finally:
        clinic_services.meeting_closed.disconnect(receiver)
    assert heard == [meeting.pk]
    statuses = [
        event.detail["status"]
        for event in AccessEvent.objects.filter(object_type="triage.Meeting").order_by("pk")
    ]
    assert statuses == ["in_progress", "closed"]


def test_attendance_by_person_agency_and_guest(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR]
    investigator = world.members[Role.INVESTIGATOR]
    rows = clinic_services.attendance_record(
        actor=chair.user,
        membership=chair,
        meeting=meeting,
        rows=[
            {"user": investigator.user, "agency": investigator.agency, "status": "present"},
            {
                "user": None,
                "name": "CPS lawyer",
                "agency": world.agencies["cps"],
                "status": "apologies",
            },
        ],
    )
    assert len(rows) == 2
    with pytest.raises(ValidationError) as error:
        clinic_services.attendance_record(
            actor=chair.user,
            membership=chair,
            meeting=meeting,
            rows=[
                {"user": investigator.user, "agency": world.agencies["health"], "status": "late"}
            ],
        )
    assert set(error.value.message_dict) == {"rows-0-user", "rows-0-status"}
    assert meeting.attendance.count() == 2
    event = AccessEvent.objects.get(object_type="triage.Meeting", action="update")
    assert event.detail["attendance"] == {"present": 1, "apologies": 1, "absent": 0}


def test_an_action_goes_only_to_an_agency_the_case_is_shared_with(world, item):
    """Otherwise its owners could not see it, and the reminders about it would name a case
    their agency may not see."""
    due = timezone.localdate() + timedelta(days=7)
    advocate = world.members[Role.ADVOCATE].user
    with pytest.raises(ValidationError) as error:
        _record(
            world,
            item,  # own_case: police only
            actions=[
                {
                    "description": "Refer",
                    "owner_agency": world.agencies["advocacy"],
                    "owner": advocate,
                    "due_on": due,
                },
            ],
        )
    assert set(error.value.message_dict) == {"actions-0-owner_agency"}
    assert not CaseDiscussion.objects.exists() and not Action.objects.exists()
    assert not AccessEvent.objects.filter(object_type="triage.CaseDiscussion").exists()
    # A member of the agency who does not work actions (or has left) is not an owner.
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    supervisor.active = False
    supervisor.save(update_fields=["active"])
    with pytest.raises(ValidationError) as error:
        _record(
            world,
            item,
            actions=[
                {
                    "description": "Call",
                    "owner_agency": world.agencies["police"],
                    "owner": supervisor.user,
                    "due_on": due,
                },
            ],
        )
    assert set(error.value.message_dict) == {"actions-0-owner"}


def test_discussions_for_case_are_scoped_in_the_query(world, item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from triage.selectors import clinics as selectors

    _record(world, item)
    _record(world, item, summary="Second version.")
    with CaptureQueriesContext(connection) as captured:
        versions = [
            d.version
            for d in selectors.discussions_for_case(world.members[Role.INVESTIGATOR], item.case)
        ]
    assert versions == [2, 1]
    # One query for the versions (scope as a subquery), then the prefetches.
    assert len(captured) == 3
    # own_case is police only: an advocate gets nothing, whoever calls this.
    assert list(selectors.discussions_for_case(world.members[Role.ADVOCATE], item.case)) == []
