"""The agenda builder: each rule, reasons kept, removed items stay off, positions stable."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories import make_referral, open_case
from tests.factories_risk import make_assessment
from tests.factories_triage import ActionFactory, CaseDiscussionFactory, MeetingFactory
from triage.models import AgendaItem, AgendaReason, MeetingStatus
from triage.services import agenda as agenda_services


def _reasons(meeting):
    return {
        item.case_id: item.reasons
        for item in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
    }


def test_new_referral_since_last_meeting(world, clinic, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    MeetingFactory(clinic=clinic, held_on=meeting.held_on - timedelta(days=14))
    make_referral(investigator, world.own_case, received_on=timezone.localdate())
    # Received before the previous meeting: discussed there, not new.
    make_referral(investigator, world.health_case, received_on=meeting.held_on - timedelta(days=20))
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {world.own_case.pk: [AgendaReason.NEW_REFERRAL]}


def test_review_due_reads_the_latest_discussion(world, clinic, meeting):
    chair = world.members[Role.CLINIC_CHAIR].user
    CaseDiscussionFactory(case=world.own_case, recorded_by=chair, next_review_on=meeting.held_on)
    # Health case: an old discussion was due, but the latest moved the review later.
    CaseDiscussionFactory(case=world.health_case, recorded_by=chair, next_review_on=meeting.held_on)
    CaseDiscussionFactory(
        case=world.health_case,
        recorded_by=chair,
        next_review_on=meeting.held_on + timedelta(days=30),
    )
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {world.own_case.pk: [AgendaReason.REVIEW_DUE]}


def test_high_risk_from_the_latest_complete_assessment(world, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    make_assessment(world.own_case, investigator, level="high")
    make_assessment(world.health_case, investigator, level="medium")
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {world.own_case.pk: [AgendaReason.HIGH_RISK]}


def test_overdue_actions(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR].user
    police = world.agencies["police"]
    ActionFactory(
        case=world.own_case,
        owner_agency=police,
        created_by=chair,
        due_on=meeting.held_on - timedelta(days=1),
    )
    # Due on the meeting day: not overdue. Done: not open.
    ActionFactory(
        case=world.health_case, owner_agency=police, created_by=chair, due_on=meeting.held_on
    )
    ActionFactory(
        case=world.advocacy_case,
        owner_agency=police,
        created_by=chair,
        due_on=meeting.held_on - timedelta(days=5),
        status="done",
    )
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {world.own_case.pk: [AgendaReason.OVERDUE_ACTIONS]}


def test_every_reason_kept_and_strongest_first(world, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    make_referral(investigator, world.own_case)
    make_assessment(world.own_case, investigator, level="high")
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {
        world.own_case.pk: [AgendaReason.HIGH_RISK, AgendaReason.NEW_REFERRAL]
    }


def test_only_cases_shared_with_an_attending_agency(world, clinic, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    clinic.agencies.set([world.agencies["advocacy"]])
    make_referral(investigator, world.own_case)  # police only
    make_referral(investigator, world.advocacy_case)
    make_referral(world.other_partnership_member, world.other_partnership_case)
    agenda_services.build_agenda(meeting)
    assert set(_reasons(meeting)) == {world.advocacy_case.pk}


def test_closed_cases_are_left_off(world, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    make_referral(investigator, world.own_case)
    world.own_case.closed_on = timezone.localdate()
    world.own_case.save()
    agenda_services.build_agenda(meeting)
    assert _reasons(meeting) == {}


def test_rebuild_keeps_positions_adds_new_and_skips_removed(world, meeting):
    investigator = world.members[Role.INVESTIGATOR]
    chair = world.members[Role.CLINIC_CHAIR]
    make_referral(investigator, world.own_case)
    make_referral(investigator, world.health_case)
    agenda_services.build_agenda(meeting)
    items = {item.case_id: item for item in AgendaItem.objects.filter(meeting=meeting)}
    agenda_services.agenda_remove_item(
        actor=chair.user, membership=chair, item=items[world.health_case.pk], reason="Dealt with"
    )
    make_assessment(world.own_case, investigator, level="high")
    extra = open_case(investigator)
    make_referral(investigator, extra)
    added, updated = agenda_services.build_agenda(meeting)
    assert [item.case_id for item in added] == [extra.pk]
    assert [item.case_id for item in updated] == [world.own_case.pk]
    rows = {item.case_id: item for item in AgendaItem.objects.filter(meeting=meeting)}
    assert rows[world.own_case.pk].position == items[world.own_case.pk].position
    assert rows[world.own_case.pk].reasons == [AgendaReason.HIGH_RISK, AgendaReason.NEW_REFERRAL]
    assert rows[world.health_case.pk].removed_at is not None
    assert rows[extra.pk].position == max(item.position for item in items.values()) + 1
    # A third run adds nothing.
    assert agenda_services.build_agenda(meeting) == ([], [])


def test_build_is_audited(world, meeting):
    agenda_services.build_agenda(meeting)
    event = AccessEvent.objects.get(object_type="triage.Meeting", object_id=str(meeting.pk))
    assert event.detail == {"agenda_built": {"added": 0, "updated": 0}}


def _build_queries(meeting):
    with CaptureQueriesContext(connection) as captured:
        agenda_services.build_agenda(meeting)
    return len(captured)


@pytest.mark.parametrize("dummy", [None])
def test_build_query_count_is_fixed(world, clinic, dummy):
    investigator = world.members[Role.INVESTIGATOR]
    small = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=1))
    large = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=2))
    cases = [open_case(investigator) for _ in range(40)]
    for case in cases[:5]:
        make_referral(investigator, case)
        make_assessment(case, investigator, level="high")
    small_count = _build_queries(small)
    assert AgendaItem.objects.filter(meeting=small).count() == 5
    for case in cases[5:]:
        make_referral(investigator, case, received_on=timezone.localdate())
        make_assessment(case, investigator, level="high")
    large_count = _build_queries(large)
    assert AgendaItem.objects.filter(meeting=large).count() == 40
    assert small_count == large_count


def test_member_adds_a_visible_case_only(world, meeting):
    advocate = world.members[Role.ADVOCATE]
    item = agenda_services.agenda_add_case(
        actor=advocate.user,
        membership=advocate,
        meeting=meeting,
        case=world.advocacy_case,
        note="Escalating contact",
    )
    assert item.reasons == [AgendaReason.ADDED] and item.added_by == advocate.user
    assert AccessEvent.objects.filter(
        object_type="triage.AgendaItem", object_id=str(item.pk), action="create"
    ).exists()
    with pytest.raises(ValidationError) as error:
        agenda_services.agenda_add_case(
            actor=advocate.user, membership=advocate, meeting=meeting, case=world.own_case
        )
    assert "case" in error.value.message_dict
    with pytest.raises(ValidationError):
        agenda_services.agenda_add_case(
            actor=advocate.user, membership=advocate, meeting=meeting, case=world.advocacy_case
        )


def test_adding_a_removed_case_puts_it_back(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR]
    item = agenda_services.agenda_add_case(
        actor=chair.user, membership=chair, meeting=meeting, case=world.own_case
    )
    agenda_services.agenda_remove_item(
        actor=chair.user, membership=chair, item=item, reason="Not ready"
    )
    again = agenda_services.agenda_add_case(
        actor=chair.user, membership=chair, meeting=meeting, case=world.own_case
    )
    assert again.pk == item.pk and again.removed_at is None


def test_remove_needs_a_reason_and_a_chair(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR]
    investigator = world.members[Role.INVESTIGATOR]
    item = agenda_services.agenda_add_case(
        actor=chair.user, membership=chair, meeting=meeting, case=world.own_case
    )
    with pytest.raises(ValidationError):
        agenda_services.agenda_remove_item(
            actor=chair.user, membership=chair, item=item, reason=" "
        )
    with pytest.raises(PermissionDenied):
        agenda_services.agenda_remove_item(
            actor=investigator.user, membership=investigator, item=item, reason="x"
        )
    agenda_services.agenda_remove_item(
        actor=chair.user, membership=chair, item=item, reason="Dealt with elsewhere"
    )
    event = AccessEvent.objects.get(object_type="triage.AgendaItem", action="delete")
    assert event.reason == "Dealt with elsewhere"


def test_move_and_reorder(world, meeting):
    chair = world.members[Role.CLINIC_CHAIR]
    items = [
        agenda_services.agenda_add_case(
            actor=chair.user, membership=chair, meeting=meeting, case=case
        )
        for case in (world.own_case, world.health_case, world.advocacy_case)
    ]
    agenda_services.agenda_move_item(
        actor=chair.user, membership=chair, item=items[2], direction="up"
    )
    order = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("pk", flat=True)
    )
    assert order == [items[0].pk, items[2].pk, items[1].pk]
    # The top item cannot go higher.
    agenda_services.agenda_move_item(
        actor=chair.user, membership=chair, item=items[0], direction="up"
    )
    agenda_services.agenda_reorder(
        actor=chair.user,
        membership=chair,
        meeting=meeting,
        item_ids=[items[1].pk, items[0].pk, items[2].pk],
    )
    order = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("pk", flat=True)
    )
    assert order == [items[1].pk, items[0].pk, items[2].pk]
    with pytest.raises(ValidationError):
        agenda_services.agenda_reorder(
            actor=chair.user, membership=chair, meeting=meeting, item_ids=[items[0].pk]
        )


def test_closed_meeting_agenda_cannot_change(world, meeting):
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    with pytest.raises(ValidationError):
        agenda_services.build_agenda(meeting)
