"""Demo records for clinics: a fortnightly triage clinic, a daily morning meeting and a
monthly oversight meeting; a past closed meeting with discussions and actions; upcoming
meetings with built agendas."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.roles import Role
from cases.models import Case, CodeList, ReferenceCode
from triage.models import (
    Action,
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
from triage.services.clinics import meeting_start, schedule_meetings
from triage.services.discussions import carry_forward


def seed(*, partnership, agencies, members):
    """Demo records for this area on the demo partnership's cases."""
    seed_clinics(partnership=partnership, agencies=agencies, members=members)
    seed_actions_and_minutes(partnership=partnership, agencies=agencies, members=members)


def _weekday_on_or_before(day, weekday):
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def seed_clinics(*, partnership, agencies, members):
    if Clinic.objects.filter(partnership=partnership).exists():
        return
    today = timezone.localdate()
    chair = members[Role.CLINIC_CHAIR].user
    agencies = list(agencies)
    # Fortnightly on Tuesdays, the last one 14 days before the coming Tuesday.
    last_tuesday = _weekday_on_or_before(today - timedelta(days=1), 1)
    triage = Clinic.objects.create(
        partnership=partnership,
        name="Northshire stalking triage clinic",
        kind=MeetingKind.TRIAGE_CLINIC,
        cadence=Cadence.FORTNIGHTLY,
        first_meeting_on=last_tuesday - timedelta(days=28),
        starts_at=time(10, 0),
        duration_minutes=120,
        location="Conference room 2, Northshire Police HQ (and Teams)",
        chair=chair,
    )
    triage.agencies.set(agencies)
    morning = Clinic.objects.create(
        partnership=partnership,
        name="Stalking unit morning meeting",
        kind=MeetingKind.MORNING_MEETING,
        cadence=Cadence.WEEKDAYS,
        first_meeting_on=today - timedelta(days=30),
        starts_at=time(9, 15),
        duration_minutes=30,
        location="Teams",
        chair=chair,
    )
    morning.agencies.set([a for a in agencies if a.kind in ("police", "advocacy", "health")])
    oversight = Clinic.objects.create(
        partnership=partnership,
        name="Monthly partnership oversight",
        kind=MeetingKind.OVERSIGHT,
        cadence=Cadence.MONTHLY,
        first_meeting_on=_weekday_on_or_before(today.replace(day=7), 3),  # first Thursday
        starts_at=time(14, 0),
        duration_minutes=90,
        location="Northshire County Hall",
        chair=chair,
    )
    oversight.agencies.set(agencies)
    _past_meeting(triage, last_tuesday, members, chair)
    schedule_meetings(today)


def _past_meeting(clinic, day, members, chair):
    meeting = Meeting.objects.create(
        clinic=clinic,
        partnership=clinic.partnership,
        held_on=day,
        starts_at=meeting_start(clinic, day),
        chair=chair,
        status=MeetingStatus.CLOSED,
        agenda_built_at=timezone.make_aware(datetime.combine(day - timedelta(days=1), time(6))),
        closed_at=meeting_start(clinic, day) + timedelta(hours=2),
        closed_by=chair,
    )
    for role, status in (
        (Role.CLINIC_CHAIR, AttendanceStatus.PRESENT),
        (Role.INVESTIGATOR, AttendanceStatus.PRESENT),
        (Role.CLINICIAN, AttendanceStatus.PRESENT),
        (Role.ADVOCATE, AttendanceStatus.PRESENT),
        (Role.PROBATION_OFFICER, AttendanceStatus.APOLOGIES),
    ):
        membership = members.get(role)
        if membership:
            Attendance.objects.create(
                meeting=meeting, user=membership.user, agency=membership.agency, status=status
            )
    police = members[Role.INVESTIGATOR]
    Attendance.objects.create(
        meeting=meeting,
        name="CPS duty lawyer",
        agency=members.get(Role.PARTNER, police).agency,
        status=AttendanceStatus.PRESENT,
    )
    typologies = {c.code: c for c in ReferenceCode.objects.filter(code_list=CodeList.TYPOLOGY)}
    cases = list(Case.objects.filter(partnership=clinic.partnership).order_by("pk")[:6])
    plans = [
        (Decision.ACCEPT, RiskJudgement.HIGH, "3", "high", ["rejected"], 14),
        (
            Decision.REFER_MARAC_MAPPA,
            RiskJudgement.HIGH,
            "4",
            "high",
            ["rejected", "resentful"],
            14,
        ),
        (Decision.MONITOR, RiskJudgement.MEDIUM, "2", "medium", ["intimacy_seeker"], 28),
        (Decision.REFER_INTERVENTION, RiskJudgement.MEDIUM, "3", "medium", ["resentful"], 28),
        (Decision.NOT_STALKING, RiskJudgement.LOW, "1", "low", [], None),
        (Decision.ACCEPT, RiskJudgement.MEDIUM, "2", "medium", ["incompetent_suitor"], 14),
    ]
    for position, (case, plan) in enumerate(zip(cases, plans, strict=False), start=1):
        decision, risk, tier, priority, codes, review_in = plan
        item = AgendaItem.objects.create(
            meeting=meeting, case=case, position=position, reasons=[AgendaReason.NEW_REFERRAL]
        )
        version = CaseDiscussion.objects.filter(case=case).count() + 1
        discussion = CaseDiscussion.objects.create(
            case=case,
            meeting=meeting,
            agenda_item=item,
            version=version,
            summary=case.summary,
            classification="stalking" if decision != Decision.NOT_STALKING else "not_stalking",
            risk_judgement=risk,
            risk_rationale="Fixated, escalating contact." if risk == RiskJudgement.HIGH else "",
            priority=priority,
            tier=tier,
            decision=decision,
            decision_note="Agreed by the partnership.",
            next_review_on=day + timedelta(days=review_in) if review_in else None,
            recorded_by=chair,
            recorded_at=meeting.starts_at + timedelta(minutes=10 * position),
        )
        discussion.typologies.set([typologies[c] for c in codes if c in typologies])
        # As the discussion service does: what the clinic agreed becomes the case record.
        carry_forward(actor=chair, membership=members[Role.CLINIC_CHAIR], discussion=discussion)
        if decision == Decision.NOT_STALKING:
            continue
        # As the discussion service requires: the owner agency is one the case is shared
        # with (the advocate's when it is, else the police).
        from triage.selectors.actions import owner_agencies_for

        advocate = members.get(Role.ADVOCATE)
        if advocate is None or not owner_agencies_for(case).filter(pk=advocate.agency_id).exists():
            advocate = police
        Action.objects.create(
            partnership=clinic.partnership,
            case=case,
            discussion=discussion,
            description="Update the victim on the clinic's decision and safety plan",
            owner_agency=advocate.agency,
            owner=advocate.user,
            # The first two are overdue by the next clinic, so they come back on its agenda.
            due_on=day + timedelta(days=3 if position <= 2 else 21),
            created_by=chair,
        )
        Action.objects.create(
            partnership=clinic.partnership,
            case=case,
            discussion=discussion,
            description="Check for breaches of bail conditions and new reports",
            owner_agency=police.agency,
            owner=police.user,
            due_on=day + timedelta(days=10),
            created_by=chair,
        )
    return meeting


# Between-clinic actions for the partner agencies, so each role has its own work waiting.
PARTNER_ACTIONS = (
    (Role.CLINICIAN, "Offer the perpetrator a fACT assessment appointment", 6),
    (Role.PROBATION_OFFICER, "Check the licence conditions cover contact with the victim", 9),
    (Role.PARTNER, "Advise the officer in charge on a charge of stalking (s.2A)", 14),
)


def _seed_partner_actions(chair, members, *, cases):
    from triage.selectors.actions import owner_agencies_for
    from triage.services import actions as action_services

    today = timezone.localdate()
    for role, text, days in PARTNER_ACTIONS:
        member = members.get(role)
        if member is None:
            continue
        case = next(
            (c for c in cases.order_by("pk") if owner_agencies_for(c).filter(pk=member.agency_id)),
            None,
        )
        if case is not None:
            action_services.action_create(
                actor=chair.user,
                membership=chair,
                case=case,
                description=text,
                owner_agency=member.agency,
                owner=member.user,
                due_on=today + timedelta(days=days),
            )


def seed_actions_and_minutes(*, partnership, agencies, members):
    """Work the demo's clinic actions (some done, one cancelled, two added between
    clinics) through the services, so the tracker and audit trail look lived-in, and
    produce the minutes of closed meetings as the Celery job would."""
    from triage.selectors.actions import owner_agencies_for
    from triage.services import actions as action_services
    from triage.services import minutes as minutes_services

    if Action.objects.filter(partnership=partnership).exclude(status="open").exists():
        return
    today = timezone.localdate()
    chair = members[Role.CLINIC_CHAIR]
    police = members[Role.INVESTIGATOR]
    supervisor = members.get(Role.POLICE_SUPERVISOR, police)
    advocate = members.get(Role.ADVOCATE)
    actions = list(
        Action.objects.filter(partnership=partnership, status="open").order_by("due_on", "pk")
    )
    worked = 0
    for action in actions:
        worker = next(
            (
                m
                for m in (advocate, police, supervisor)
                if m is not None and m.agency_id == action.owner_agency_id
            ),
            None,
        )
        if worker is None:
            continue
        if worked in (0, 2, 4):
            action_services.action_complete(actor=worker.user, membership=worker, action=action)
        elif worked == 3:
            action_services.action_cancel(
                actor=worker.user,
                membership=worker,
                action=action,
                reason="Superseded: the victim moved out of the area and support transferred.",
            )
        worked += 1
    cases = list(Case.objects.filter(partnership=partnership).order_by("pk")[6:8])
    for case, (text, days) in zip(
        cases,
        (
            ("Serve the Stalking Protection Order application on the respondent", 5),
            ("Share the safety plan with the victim's GP practice", 12),
        ),
        strict=False,
    ):
        owners = owner_agencies_for(case)
        agency = owners.filter(pk=supervisor.agency_id).first() or owners.first()
        if agency is None:
            continue
        action_services.action_create(
            actor=chair.user,
            membership=chair,
            case=case,
            description=text,
            owner_agency=agency,
            owner=supervisor.user if agency.pk == supervisor.agency_id else None,
            due_on=today + timedelta(days=days),
        )
    _seed_partner_actions(chair, members, cases=Case.objects.filter(partnership=partnership))
    for meeting in Meeting.objects.filter(
        partnership=partnership, status=MeetingStatus.CLOSED
    ).select_related("clinic"):
        minutes_services.minutes_generate_all(meeting=meeting)
