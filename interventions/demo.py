"""Demo interventions for the demo clinician: a fACT enrolment (eligible, consent signed) with
three sessions attended, a heightened-risk flag sent to the police and probation, and one
booked; one awaiting consent; and one completed (with a session that was moved, AAQ-II taken
before and after) whose end report has been sent.

Everything goes through the services, so dates are checked and audit rows are real.
Idempotent: nothing is added when the clinician's agency already delivers an enrolment."""

from datetime import datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from accounts.roles import Role
from cases.models import CaseParty, PartyRole
from interventions.models import (
    Attendance,
    Component,
    Enrolment,
    FlagKind,
    Modality,
    OutcomeRating,
    Pathway,
    Programme,
)
from interventions.selectors.compliance import compliance_recipients
from interventions.selectors.eligibility import criteria_of
from interventions.selectors.reports import objectives_of
from interventions.services import compliance as compliance_services
from interventions.services import eligibility as eligibility_services
from interventions.services import enrolments as enrolment_services
from interventions.services import measures as measure_services
from interventions.services import reports as report_services
from interventions.services import sessions as session_services
from risk.models import Instrument


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _perpetrators(agency):
    """One perpetrator party per open case shared with the agency, oldest case first."""
    parties = CaseParty.objects.filter(
        role=PartyRole.PERPETRATOR,
        case__case_agencies__agency=agency,
        case__closed_on__isnull=True,
    ).order_by(F("case__officer_in_charge").asc(nulls_last=True), "case_id", "pk")
    seen, found = set(), []
    for party in parties.select_related("case"):
        if party.case_id not in seen:
            seen.add(party.case_id)
            found.append(party)
    return found


NOTES = [
    "Introduced the programme and the sharing contract; formulation of the pattern of contact.",
    "Values work; noticed urges to check her social media and practised letting them pass.",
    "Defusion exercises on 'she owes me an explanation'; agreed a plan for no contact.",
    "Committed actions reviewed; reports no contact attempts this week.",
    "Relapse-prevention plan written together.",
    "Final session: review of the plan and of what has changed.",
]
COMPONENTS = [
    [Component.FORMULATION],
    [Component.FORMULATION, Component.OPEN],
    [Component.OPEN, Component.AWARE],
    [Component.AWARE, Component.ENGAGED],
    [Component.ENGAGED],
    [Component.ENGAGED, Component.FORMULATION],
]


def _attend(me, enrolment, day, index, attendance=Attendance.ATTENDED_ENGAGED):
    session = session_services.session_schedule(
        **me, enrolment=enrolment, scheduled_at=_at(day, 10), modality=Modality.VIDEO
    )
    return session_services.attendance_record(
        **me,
        session=session,
        attendance=attendance,
        minutes=55 if attendance != Attendance.LATE else 40,
        components=COMPONENTS[index],
        notes=NOTES[index],
    )


def _eligible(me, enrolment, on):
    """The EASI checklist: every criterion met, eligible."""
    eligibility_services.eligibility_record(
        **me,
        enrolment=enrolment,
        answers={c.code: "met" for c in criteria_of(enrolment.programme)},
        outcome="eligible",
        assessed_on=on,
    )


def seed(*, partnership, agencies, members):
    clinician = members.get(Role.CLINICIAN)
    if clinician is None or Enrolment.objects.filter(provider_agency=clinician.agency).exists():
        return
    parties = _perpetrators(clinician.agency)[:3]
    fact = Programme.objects.filter(partnership__isnull=True, code="fact").first()
    if len(parties) < 3 or fact is None:
        return
    today = timezone.localdate()
    me = {"actor": clinician.user, "membership": clinician}

    # 1. Active: consent signed five weeks ago, three sessions attended, the fourth booked.
    referred = today - timedelta(days=40)
    active = enrolment_services.enrolment_refer(
        **me,
        party=parties[0],
        programme=fact,
        pathway=Pathway.CONDITIONAL_CAUTION,
        referred_on=referred,
        practitioner=clinician.user,
    )
    enrolment_services.consent_record(
        **me,
        enrolment=active,
        consent_signed_on=referred + timedelta(days=5),
        shares_progress=True,
        shares_compliance=True,
        shares_risk_indicators=True,
    )
    _eligible(me, active, referred + timedelta(days=5))
    for week in range(3):
        last = _attend(me, active, referred + timedelta(days=12 + 7 * week), week)
    # The third session raised a heightened-risk indicator (where someone can be told).
    if compliance_recipients(active.case):
        compliance_services.flag_raise(
            **me, session=last, kind=FlagKind.HEIGHTENED_RISK, indicators=["escalation"]
        )
    session_services.session_schedule(
        **me,
        enrolment=active,
        scheduled_at=_at(today + timedelta(days=3), 10),
        modality=Modality.VIDEO,
    )

    # 2. Referred by the clinic this week: allocated, awaiting the signed contract.
    enrolment_services.enrolment_refer(
        **me,
        party=parties[1],
        programme=fact,
        pathway=Pathway.SPO_REQUIREMENT,
        referred_on=today - timedelta(days=3),
        practitioner=clinician.user,
    )

    # 3. Completed: six sessions attended (one moved a day, one late) four months ago.
    referred = today - timedelta(days=130)
    done = enrolment_services.enrolment_refer(
        **me,
        party=parties[2],
        programme=fact,
        pathway=Pathway.REHABILITATIVE_ORDER,
        referred_on=referred,
        practitioner=clinician.user,
    )
    enrolment_services.consent_record(
        **me,
        enrolment=done,
        consent_signed_on=referred + timedelta(days=4),
        shares_progress=True,
        shares_compliance=True,
    )
    _eligible(me, done, referred + timedelta(days=4))
    moved = session_services.session_schedule(
        **me,
        enrolment=done,
        scheduled_at=_at(referred + timedelta(days=10), 10),
        modality=Modality.IN_PERSON,
    )
    first = session_services.session_reschedule(
        **me, session=moved, scheduled_at=_at(referred + timedelta(days=11), 14)
    )
    session_services.attendance_record(
        **me,
        session=first,
        attendance=Attendance.ATTENDED_ENGAGED,
        minutes=60,
        components=COMPONENTS[0],
        notes=NOTES[0],
    )
    for index in range(1, 6):
        attendance = Attendance.LATE if index == 3 else Attendance.ATTENDED_ENGAGED
        _attend(me, done, referred + timedelta(days=11 + 7 * index), index, attendance)

    # Its end report, written and sent to the police and probation on the case.
    done = Enrolment.objects.prefetch_related("sessions").get(pk=done.pk)
    report_services.report_save(
        **me,
        enrolment=done,
        outcomes={code: OutcomeRating.ACHIEVED for code, _label in objectives_of(done)}
        | {"aware": OutcomeRating.PARTLY},
        summary=(
            "Attended all six sessions (one late). Engaged well, completed a relapse-prevention "
            "plan and reports no contact with the victim since the second session."
        ),
        clinical_notes="Formulation: rejected-resentful pattern; rumination reduced by week 4.",
    )
    if not report_services.send_errors(done):
        report_services.report_send(**me, enrolment=done)
    _seed_measures(me, done, referred)


def _seed_measures(me, enrolment, referred):
    """AAQ-II before (high inflexibility) and after (lower) the completed enrolment, so the
    enrolment page and the dashboard show a change."""
    aaq = Instrument.objects.filter(partnership__isnull=True, code="aaq-ii").first()
    if aaq is None:
        return
    for timing, taken_on, answers in (
        ("pre", referred + timedelta(days=4), (6, 5, 6, 5, 6, 6, 5)),
        ("post", referred + timedelta(days=50), (4, 3, 3, 4, 3, 3, 4)),
    ):
        measure_services.measure_record(
            **me,
            enrolment=enrolment,
            instrument=aaq,
            timing=timing,
            taken_on=taken_on,
            answers={f"AAQ2-{n:02d}": str(v) for n, v in enumerate(answers, start=1)},
        )
