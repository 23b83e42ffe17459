"""Rows for the quarterly return's metric tests, made with the shared factories (or straight
into the tables where a service would refuse a date long past): referrals, contacts,
enrolments and sessions, training, clinic discussions, risk, orders and closures."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from accounts.roles import Role
from advocacy.models import Contact, Direction
from cases.models import CodeList, ContactChannel, PartyRole, ReferenceCode
from interventions.models import (
    Attendance,
    CancellationReason,
    Enrolment,
    Modality,
    Pathway,
    Session,
    SessionStatus,
)
from reporting.models import LocalArea, TrainingAudience, TrainingEvent
from reporting.selectors.scope import Scope
from tests.factories import add_party, make_referral
from tests.factories_advocacy import raw_episode
from tests.factories_interventions import fact
from tests.factories_triage import CaseDiscussionFactory, ClinicFactory, MeetingFactory

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def scope_of(world, quarter, **kwargs):
    return Scope(
        partnership_id=world.partnership.pk, start=quarter.start, end=quarter.end, **kwargs
    )


def london(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def utc(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def source(code):
    return ReferenceCode.objects.get(
        partnership=None, code_list=CodeList.REFERRAL_SOURCE, code=code, version=1
    )


def referral(world, *, on, case=None, code="police", agency="police", **kwargs):
    """A referral received ``on`` from ``code``, made by a member of ``agency``."""
    member = {
        "police": world.members[Role.INVESTIGATOR],
        "advocacy": world.members[Role.ADVOCATE],
        "health": world.members[Role.CLINICIAN],
        "probation": world.members[Role.PROBATION_OFFICER],
    }[agency]
    return make_referral(member, case=case, source=source(code), received_on=on, **kwargs)


def contact(episode, at, *, made=True):
    return Contact.objects.create(
        episode=episode,
        at=at,
        channel=ContactChannel.PHONE,
        direction=Direction.OUTGOING,
        made=made,
        recorded_by=episode.created_by,
    )


def supported(world, case, at, *, victim=None, agency=None, made=True):
    """A support episode for ``victim`` (a new one by default) held by ``agency`` (the
    world's advocacy service by default) with one contact at ``at``."""
    episode = raw_episode(
        case,
        agency or world.agencies["advocacy"],
        created_by=world.members[Role.ADVOCATE].user,
        victim=victim,
    )
    contact(episode, at, made=made)
    return episode


def enrolment(world, case, *, planned=2, programme=None, party=None, referred_on=None):
    """An enrolment on fACT (or ``programme``) delivered by the world's health agency."""
    return Enrolment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        party=party or add_party(case, role=PartyRole.PERPETRATOR),
        programme=programme or fact(),
        provider_agency=world.agencies["health"],
        practitioner=world.members[Role.CLINICIAN].user,
        referred_on=referred_on or date(2025, 1, 6),
        consent_signed_on=referred_on or date(2025, 1, 6),
        pathway=Pathway.VOLUNTARY,
        planned_sessions=planned,
        created_by=world.members[Role.CLINICIAN].user,
    )


def session(enrolment, at, attendance=Attendance.ATTENDED_ENGAGED):
    """A session at ``at`` with its attendance recorded (``None``: still scheduled)."""
    return Session.objects.create(
        enrolment=enrolment,
        scheduled_at=at,
        modality=Modality.VIDEO,
        status=SessionStatus.RECORDED if attendance else SessionStatus.SCHEDULED,
        attendance=attendance or "",
        minutes=60 if attendance else None,
        recorded_at=at if attendance else None,
        created_by=enrolment.created_by,
    )


def rescheduled(enrolment, at, *, to, attendance=Attendance.ATTENDED_ENGAGED):
    """A session booked at ``at``, rescheduled to ``to`` (attended with ``attendance``):
    (the superseded one, its replacement)."""
    replacement = session(enrolment, to, attendance)
    old = Session.objects.create(
        enrolment=enrolment,
        scheduled_at=at,
        modality=Modality.VIDEO,
        status=SessionStatus.RESCHEDULED,
        superseded_by=replacement,
        created_by=enrolment.created_by,
    )
    return old, replacement


def cancelled(enrolment, at):
    return Session.objects.create(
        enrolment=enrolment,
        scheduled_at=at,
        modality=Modality.VIDEO,
        status=SessionStatus.CANCELLED,
        cancellation_reason=CancellationReason.PRACTITIONER_UNAVAILABLE,
        created_by=enrolment.created_by,
    )


def training(world, *, on, attendees, audience=TrainingAudience.POLICE, by="police", area=None):
    return TrainingEvent.objects.create(
        partnership=world.partnership,
        delivered_on=on,
        topic="Recognising stalking",
        audience=audience,
        attendee_count=attendees,
        delivered_by=world.agencies[by],
        local_area=area,
    )


def local_area(world, *, agencies=("police",), police_areas=("Northtown",), name="North"):
    area = LocalArea.objects.create(
        partnership=world.partnership, name=name, police_areas=list(police_areas)
    )
    area.agencies.set([world.agencies[key] for key in agencies])
    return area


def triage_meeting(world, held_on):
    clinic = ClinicFactory(partnership=world.partnership)
    return MeetingFactory(clinic=clinic, held_on=held_on)


def discussed(world, case, meeting, decision):
    return CaseDiscussionFactory(
        case=case,
        meeting=meeting,
        decision=decision,
        recorded_by=world.members[Role.CLINIC_CHAIR].user,
    )
