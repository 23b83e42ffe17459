"""Enrolments and sessions for tests: through the services where the provider is a real
member, or straight into the table for another agency's or partnership's enrolment."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.roles import AgencyKind, Role
from cases.models import PartyRole
from interventions.models import Attendance, Enrolment, Modality, Pathway, Programme
from interventions.selectors.eligibility import criteria_of
from interventions.services import eligibility as eligibility_services
from interventions.services import enrolments as enrolment_services
from interventions.services import sessions as session_services
from tests.factories import AgencyFactory, MembershipFactory, add_party


def fact():
    """The national fACT programme (loaded by migration)."""
    return Programme.objects.get(partnership__isnull=True, code="fact")


def at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def refer(member, case, *, party=None, referred_on=None, consent_on=None, **kwargs):
    """An enrolment on fACT referred by ``member`` (a clinician) for a (new) perpetrator on
    ``case``; with ``consent_on``, the consent recorded that day and the person recorded
    eligible (every criterion met) that day, so sessions can be booked."""
    party = party or add_party(case, role=PartyRole.PERPETRATOR)
    enrolment = enrolment_services.enrolment_refer(
        actor=member.user,
        membership=member,
        party=party,
        programme=kwargs.pop("programme", None) or fact(),
        pathway=kwargs.pop("pathway", Pathway.CONDITIONAL_CAUTION),
        referred_on=referred_on or timezone.localdate(),
        practitioner=kwargs.pop("practitioner", member.user),
        **kwargs,
    )
    if consent_on is not None:
        enrolment_services.consent_record(
            actor=member.user,
            membership=member,
            enrolment=enrolment,
            consent_signed_on=consent_on,
            shares_progress=True,
            shares_compliance=True,
        )
        record_eligible(member, enrolment, on=consent_on)
    return enrolment


def record_eligible(member, enrolment, *, on=None):
    """Every criterion of the programme met, outcome eligible."""
    return eligibility_services.eligibility_record(
        actor=member.user,
        membership=member,
        enrolment=enrolment,
        answers={c.code: "met" for c in criteria_of(enrolment.programme)},
        outcome="eligible",
        assessed_on=on or timezone.localdate(),
        pathway=enrolment.pathway or Pathway.VOLUNTARY,
    )


def book(member, enrolment, when, modality=Modality.VIDEO):
    return session_services.session_schedule(
        actor=member.user,
        membership=member,
        enrolment=enrolment,
        scheduled_at=when,
        modality=modality,
    )


def attend(member, session, attendance=Attendance.ATTENDED_ENGAGED, *, minutes=None, **kwargs):
    attended = attendance in (
        Attendance.ATTENDED_ENGAGED,
        Attendance.ATTENDED_NOT_ENGAGED,
        Attendance.LATE,
    )
    return session_services.attendance_record(
        actor=member.user,
        membership=member,
        session=session,
        attendance=attendance,
        minutes=minutes if minutes is not None else (60 if attended else None),
        **kwargs,
    )


def enrolment_with_sessions(member, case, codes, *, start=None, **kwargs):
    """A consented enrolment with one weekly session per attendance code, recorded."""
    start = start or timezone.localdate() - timedelta(days=7 * len(codes) + 14)
    enrolment = refer(member, case, referred_on=start, consent_on=start, **kwargs)
    for week, code in enumerate(codes, start=1):
        attend(member, book(member, enrolment, at(start + timedelta(days=7 * week))), code)
    return enrolment


def raw_enrolment(case, agency, *, created_by, party=None):
    """An enrolment delivered by ``agency`` written directly (no access check): another
    agency's or another partnership's record for scope tests."""
    party = party or add_party(case, role=PartyRole.PERPETRATOR)
    return Enrolment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        party=party,
        programme=fact(),
        provider_agency=agency,
        referred_on=timezone.localdate(),
        pathway=Pathway.VOLUNTARY,
        planned_sessions=6,
        created_by=created_by,
    )


def second_health_agency(partnership, name="Second health trust"):
    agency = AgencyFactory(partnership=partnership, name=name, kind=AgencyKind.HEALTH)
    member = MembershipFactory(agency=agency, role=Role.CLINICIAN)
    return agency, member


def take_measure(member, enrolment, code="aaq-ii", timing="pre", value=4, taken_on=None):
    """A psychometric measure with every item answered ``value``, through the service."""
    from interventions.services.measures import measure_record
    from risk.models import Instrument

    instrument = Instrument.objects.get(partnership=None, code=code)
    items = instrument.versions.order_by("-version").first().definition["sections"][0]["items"]
    return measure_record(
        actor=member.user,
        membership=member,
        enrolment=enrolment,
        instrument=instrument,
        timing=timing,
        taken_on=taken_on or timezone.localdate(),
        answers={item["code"]: str(value) for item in items},
    )
