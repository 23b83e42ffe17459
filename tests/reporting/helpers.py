"""Helpers for the reminder tests: rows made directly with the shared factories."""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import Role
from reporting.models import Notification
from reporting.services.reminders import send_daily_reminders
from tests.factories_risk import make_assessment, make_instrument
from tests.factories_triage import (
    ActionFactory,
    AgendaItemFactory,
    CaseDiscussionFactory,
    ClinicFactory,
    MeetingFactory,
)

TODAY = timezone.localdate()


def day(offset):
    return TODAY + timedelta(days=offset)


def run(offset=0, **kwargs):
    return send_daily_reminders(today=day(offset), **kwargs)


def action(world, *, due, owner=None, agency="police", case=None, **kwargs):
    return ActionFactory(
        case=case or world.own_case,
        owner_agency=world.agencies[agency],
        owner=owner,
        due_on=due,
        created_by=world.members[Role.INVESTIGATOR].user,
        description="Visit Jane Victim at 1 Private Road",
        **kwargs,
    )


def assessment(world, *, review_due_on, role=Role.INVESTIGATOR, case=None, **kwargs):
    return make_assessment(
        case or world.own_case, world.members[role], review_due_on=review_due_on, **kwargs
    )


def tool(world, code="local-tool"):
    return make_instrument(partnership=world.partnership, code=code).versions.get()


def discussion(world, *, next_review_on, case=None):
    return CaseDiscussionFactory(
        case=case or world.own_case,
        next_review_on=next_review_on,
        recorded_by=world.members[Role.CLINIC_CHAIR].user,
    )


def meeting(
    world,
    *,
    held_on,
    agencies=("police", "health", "probation"),
    cases=(),
    name="Northshire triage clinic",
    **kwargs,
):
    clinic = ClinicFactory(
        partnership=world.partnership,
        name=name,
        chair=world.members[Role.CLINIC_CHAIR].user,
        agencies=[world.agencies[a] for a in agencies],
    )
    meeting = MeetingFactory(clinic=clinic, held_on=held_on, **kwargs)
    for case in cases:
        AgendaItemFactory(meeting=meeting, case=case)
    return meeting


def notified(kind=None, **filters):
    """{(recipient email, event key)} of notifications, optionally of one kind."""
    rows = Notification.objects.filter(**filters)
    if kind:
        rows = rows.filter(kind=kind)
    return {(n.recipient.email, n.event_key) for n in rows.select_related("recipient")}


def emails_of(world, *roles):
    return {world.members[role].user.email for role in roles}
