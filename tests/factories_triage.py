"""Factories for clinics, meetings, agenda items, discussions and actions.

Rows are made directly (fast); the services that write them are tested on their own.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from tests.factories import PartnershipFactory, UserFactory
from triage.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaReason,
    Attendance,
    AttendanceStatus,
    Cadence,
    CaseDiscussion,
    Clinic,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RiskJudgement,
)

LONDON = ZoneInfo("Europe/London")


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Triage clinic {n}")
    kind = MeetingKind.TRIAGE_CLINIC
    cadence = Cadence.FORTNIGHTLY
    first_meeting_on = date(2026, 1, 6)
    starts_at = time(10, 0)
    duration_minutes = 120
    location = "Room 1, Northshire HQ"

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        """ClinicFactory(agencies=[...]) sets the attending agencies."""
        if create and extracted:
            self.agencies.set(extracted)


def _meeting_start(meeting):
    clinic = meeting.clinic
    return datetime.combine(meeting.held_on, clinic.starts_at, tzinfo=LONDON)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    clinic = factory.SubFactory(ClinicFactory)
    partnership = factory.LazyAttribute(lambda o: o.clinic.partnership)
    held_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    starts_at = factory.LazyAttribute(_meeting_start)
    status = MeetingStatus.PLANNED
    chair = factory.LazyAttribute(lambda o: o.clinic.chair)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    case = None  # pass a case of the meeting's partnership
    position = factory.Sequence(lambda n: n + 1)
    reasons = factory.LazyFunction(lambda: [AgendaReason.ADDED])


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    agency = None  # pass an agency
    status = AttendanceStatus.PRESENT


class CaseDiscussionFactory(factory.django.DjangoModelFactory):
    """CaseDiscussionFactory(case=..., recorded_by=user); version follows the case's last."""

    class Meta:
        model = CaseDiscussion
        skip_postgeneration_save = True

    case = None
    meeting = None
    version = factory.LazyAttribute(
        lambda o: (
            CaseDiscussion.objects.filter(case=o.case).order_by("-version").first().version + 1
            if CaseDiscussion.objects.filter(case=o.case).exists()
            else 1
        )
    )
    summary = "Known: repeated unwanted contact."
    classification = "stalking"
    risk_judgement = RiskJudgement.MEDIUM
    decision = Decision.ACCEPT
    next_review_on = None
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def typologies(self, create, extracted, **kwargs):
        if create and extracted:
            self.typologies.set(extracted)


class ActionFactory(factory.django.DjangoModelFactory):
    """ActionFactory(case=..., owner_agency=..., created_by=user)."""

    class Meta:
        model = Action

    case = None
    partnership = factory.LazyAttribute(lambda o: o.case.partnership)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner_agency = None
    owner = None
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    status = ActionStatus.OPEN
    created_by = factory.SubFactory(UserFactory)


__all__ = [
    "ActionFactory",
    "AgendaItemFactory",
    "AttendanceFactory",
    "CaseDiscussionFactory",
    "ClinicFactory",
    "MeetingFactory",
]
