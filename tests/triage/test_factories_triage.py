"""The triage factories make valid rows (other engineers build on them)."""

from accounts.roles import Role
from tests.factories_triage import (
    ActionFactory,
    AgendaItemFactory,
    CaseDiscussionFactory,
    ClinicFactory,
    MeetingFactory,
)


def test_factories_make_linked_rows(world):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership, chair=chair.user, agencies=[world.agencies["police"]]
    )
    meeting = MeetingFactory(clinic=clinic)
    item = AgendaItemFactory(meeting=meeting, case=world.own_case)
    first = CaseDiscussionFactory(case=world.own_case, meeting=meeting, recorded_by=chair.user)
    second = CaseDiscussionFactory(case=world.own_case, recorded_by=chair.user)
    action = ActionFactory(
        case=world.own_case, owner_agency=world.agencies["police"], created_by=chair.user
    )
    assert list(clinic.agencies.all()) == [world.agencies["police"]]
    assert meeting.partnership == world.partnership and meeting.chair == chair.user
    assert item.meeting == meeting
    assert (first.version, second.version) == (1, 2)
    assert action.partnership == world.partnership
