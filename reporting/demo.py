"""Demo data for reports: two local areas, a year of training, staff FTE for every agency,
and enough casework in the last full quarter (referrals from several sources with every
kind of decision, victims supported by the advocate, stalking protection orders, closures)
that the demo manager sees a non-trivial Home Office return. Then the daily reminders, so
demo users see a notification badge.

Everything goes through the services (dates checked, audit rows real), dated relative to
today. Runs once: nothing is added when the partnership already has a local area. No
report runs are queued here."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import AgencyKind, Role
from reporting.models import LocalArea, TrainingAudience
from reporting.periods import Quarter, quarter_containing, quarter_just_ended
from reporting.services import inputs as input_services

# (name, agency kinds, police areas as the demo crime screen records them: see
# static/samples/crime-screen-sample.csv)
LOCAL_AREAS = [
    (
        "Northtown",
        (AgencyKind.POLICE, AgencyKind.ADVOCACY),
        ("Northtown Central", "Northtown East", "Riverside"),
    ),
    (
        "Hillbrook and Westfield",
        (AgencyKind.HEALTH, AgencyKind.PROBATION),
        ("Hillbrook", "Westfield", "Marsh End"),
    ),
]

# (days into the quarter, topic, audience, attendees, delivering agency kind, area index)
TRAINING = [
    (
        9,
        "Recognising stalking: FOUR and the S-DASH",
        TrainingAudience.POLICE,
        24,
        AgencyKind.POLICE,
        0,
    ),
    (
        37,
        "Stalking and coercive control for GPs",
        TrainingAudience.HEALTH,
        18,
        AgencyKind.HEALTH,
        1,
    ),
    (
        66,
        "Supporting victims of stalking",
        TrainingAudience.VOLUNTARY,
        12,
        AgencyKind.ADVOCACY,
        None,
    ),
]
# Staff FTE a year, by agency kind.
FTE = {
    AgencyKind.POLICE: Decimal("4.0"),
    AgencyKind.HEALTH: Decimal("2.6"),
    AgencyKind.ADVOCACY: Decimal("3.5"),
    AgencyKind.PROBATION: Decimal("1.0"),
    AgencyKind.CPS: Decimal("0.2"),
}


def seed(*, partnership, agencies, members):
    from reporting.services.reminders import send_daily_reminders

    admin = members.get(Role.PARTNERSHIP_ADMIN)
    if admin is not None and not LocalArea.objects.filter(partnership=partnership).exists():
        by_kind = {}
        for agency in agencies:
            by_kind.setdefault(agency.kind, agency)
        areas = _seed_local_areas(admin, by_kind)
        _seed_training(admin, by_kind, areas)
        _seed_fte(admin, agencies)
        _seed_last_quarter(members)
        _seed_runs(members)
    # In-app only: the demo does not print a digest email per user.
    return send_daily_reminders(today=timezone.localdate(), email=False)


def _seed_runs(members):
    """The last full quarter's return and a year's evaluation pack, asked for by the demo
    manager: the jobs build them after the demo's transaction commits (in-process without
    Redis), so the manager opens Reports to finished runs."""
    from reporting.models import ReportKind
    from reporting.periods import quarter_just_ended
    from reporting.services.reports import report_run_start

    manager = members.get(Role.MANAGER)
    if manager is None:
        return
    today = timezone.localdate()
    quarter = quarter_just_ended(today)
    report_run_start(
        **_me(manager),
        kind=ReportKind.QUARTERLY_RETURN,
        period_start=quarter.start,
        period_end=quarter.end,
    )
    report_run_start(
        **_me(manager),
        kind=ReportKind.EVALUATION_PACK,
        period_start=quarter.start.replace(year=quarter.start.year - 1),
        period_end=quarter.end,
        parameters={"anchor": "referral"},
    )


def _me(member):
    return {"actor": member.user, "membership": member}


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _seed_local_areas(admin, by_kind):
    return [
        input_services.local_area_create(
            **_me(admin),
            name=name,
            agencies=[by_kind[kind] for kind in kinds if kind in by_kind],
            police_areas=list(police_areas),
        )
        for name, kinds, police_areas in LOCAL_AREAS
    ]


def _seed_training(admin, by_kind, areas):
    """Three sessions in each of the last four full quarters: twelve in all."""
    quarter = quarter_just_ended(timezone.localdate())
    for _ in range(4):
        for days, topic, audience, attendees, kind, area in TRAINING:
            if kind not in by_kind:
                continue
            input_services.training_event_create(
                **_me(admin),
                delivered_on=quarter.start + timedelta(days=days),
                topic=topic,
                audience=audience,
                attendee_count=attendees + quarter.number,
                delivered_by=by_kind[kind],
                local_area=areas[area] if area is not None else None,
            )
        quarter = quarter.previous()


def _seed_fte(admin, agencies):
    """Last financial year and this one, for every agency; advocacy grew by one post this
    year."""
    year = quarter_containing(timezone.localdate()).year
    for agency in agencies:
        fte = FTE.get(agency.kind, Decimal("0.5"))
        for first_year, value in (
            (year - 1, fte),
            (year, fte + (1 if agency.kind == AgencyKind.ADVOCACY else 0)),
        ):
            input_services.staff_fte_create(
                **_me(admin),
                agency=agency,
                period_start=Quarter(first_year, 1).start,
                period_end=Quarter(first_year + 1, 1).start - timedelta(days=1),
                fte=value,
                note="Posts funded by the partnership",
            )


# The last full quarter's casework


def _seed_last_quarter(members):
    quarter = quarter_just_ended(timezone.localdate())
    _seed_referrals(members, quarter)
    _seed_orders(members, quarter)
    _seed_support(members, quarter)
    _seed_closures(members, quarter)


def _open_cases(member, *, opened_before, shared_with=None):
    from cases.models import Case, PartyRole

    cases = Case.objects.filter(
        partnership_id=member.agency.partnership_id,
        closed_on__isnull=True,
        opened_on__lt=opened_before,
        parties__role=PartyRole.PERPETRATOR,
    )
    if shared_with is not None:
        cases = cases.filter(case_agencies__agency=shared_with)
    return cases.distinct().order_by("opened_on", "pk")


def _seed_referrals(members, quarter):
    """Referrals from probation, health, MARAC and the police received in the quarter: one
    joins a case already open (a case referred twice), one is not stalking, one declined,
    one screened and awaiting a decision."""
    from cases.models import CodeList, ReferenceCode, ReferralStatus
    from cases.services import referrals as referral_services

    chair = members.get(Role.CLINIC_CHAIR)
    if chair is None:
        return
    sources = {c.code: c for c in ReferenceCode.objects.of(CodeList.REFERRAL_SOURCE).current()}
    existing = _open_cases(chair, opened_before=quarter.start).first()
    plan = [
        (Role.PROBATION_OFFICER, "probation", 5, ReferralStatus.ACCEPTED, existing, ""),
        (
            Role.CLINICIAN,
            "health",
            19,
            ReferralStatus.NOT_STALKING,
            None,
            "A single incident between neighbours: no fixation or repetition.",
        ),
        (
            Role.ADVOCATE,
            "marac",
            33,
            ReferralStatus.DECLINED,
            None,
            "The victim declined the service after the MARAC discussion.",
        ),
        (Role.INVESTIGATOR, "police", 61, None, None, ""),
    ]
    for role, source, days, decision, case, reason in plan:
        referrer = members.get(role)
        if referrer is None or source not in sources:
            continue
        received = quarter.start + timedelta(days=days)
        referral = referral_services.referral_record(
            **_me(referrer),
            source=sources[source],
            received_on=received,
            reason="Repeated unwanted contact; referred for multi-agency triage.",
        )
        referral = referral_services.referral_screen(
            **_me(chair), referral=referral, screened_on=received + timedelta(days=1)
        )
        if decision is None or (decision == ReferralStatus.ACCEPTED and case is None):
            continue
        referral_services.referral_decide(
            **_me(chair),
            referral=referral,
            decision=decision,
            reason=reason,
            case=case,
            decided_on=received + timedelta(days=2),
        )


def _seed_orders(members, quarter):
    """An interim stalking protection order applied for and granted in the quarter, and a
    full order applied for and awaiting the court."""
    from cases.models import OrderDecision, OrderKind, PartyRole
    from cases.services import record as record_services

    investigator = members.get(Role.INVESTIGATOR)
    if investigator is None:
        return
    cases = _open_cases(
        investigator, opened_before=quarter.start, shared_with=investigator.agency
    ).filter(parties__role=PartyRole.VICTIM)
    plan = [
        (OrderKind.SPO_INTERIM, 14, OrderDecision.GRANTED),
        (OrderKind.SPO_FULL, 48, OrderDecision.PENDING),
    ]
    for case, (kind, days, decision) in zip(cases[:2], plan, strict=False):
        applied = quarter.start + timedelta(days=days)
        record_services.order_create(
            **_me(investigator),
            case=case,
            subject=case.parties.filter(role=PartyRole.PERPETRATOR).first().person,
            protected=case.parties.filter(role=PartyRole.VICTIM).first().person,
            kind=kind,
            applied_on=applied,
            decision=decision,
            decided_on=applied + timedelta(days=2) if decision == OrderDecision.GRANTED else None,
            conditions="Not to contact the victim directly or indirectly.",
        )
        _told(case, members)


def _seed_support(members, quarter):
    """Three victims referred to the advocate in the quarter, each contacted twice."""
    from advocacy.models import Channel, Direction, ReferralRoute, SupportEpisode
    from advocacy.services import episodes as episode_services
    from cases.models import VICTIM_ROLES, CaseParty

    advocate = members.get(Role.ADVOCATE)
    if advocate is None:
        return
    supported = SupportEpisode.objects.filter(closed_on__isnull=True).values("victim_id")
    victims = (
        CaseParty.objects.filter(
            role__in=VICTIM_ROLES,
            case__case_agencies__agency=advocate.agency,
            case__closed_on__isnull=True,
            case__opened_on__lt=quarter.start,
        )
        .exclude(pk__in=supported)
        .order_by("case_id", "pk")
    )
    routes = [ReferralRoute.CLINIC, ReferralRoute.POLICE_SCREENING, ReferralRoute.HELPLINE]
    seen = set()
    for party in victims:
        if party.case_id in seen or len(seen) == len(routes):
            continue
        route = routes[len(seen)]
        seen.add(party.case_id)
        referred = quarter.start + timedelta(days=10 + 20 * len(seen))
        episode = episode_services.episode_start(
            **_me(advocate),
            victim=party,
            referral_route=route,
            referred_on=referred,
            advocate=advocate.user,
        )
        for days, channel, summary in (
            (1, Channel.PHONE, "First contact: explained the service and agreed safe times."),
            (15, Channel.IN_PERSON, "Reviewed the safety plan; evidence diary started."),
        ):
            episode_services.contact_log(
                **_me(advocate),
                episode=episode,
                at=_at(referred + timedelta(days=days), 11),
                channel=channel,
                direction=Direction.OUTGOING,
                made=True,
                duration_minutes=40,
                safe_to_talk=True,
                summary=summary,
            )


def _seed_closures(members, quarter):
    """Two cases closed in the quarter, with different reasons."""
    from cases.models import CodeList, ReferenceCode
    from cases.services import record as record_services

    chair = members.get(Role.CLINIC_CHAIR)
    if chair is None:
        return
    reasons = {c.code: c for c in ReferenceCode.objects.of(CodeList.CLOSURE_REASON).current()}
    from advocacy.models import SupportEpisode

    supported = SupportEpisode.objects.filter(closed_on__isnull=True).values("case_id")
    cases = (
        _open_cases(chair, opened_before=quarter.start - timedelta(days=60))
        .exclude(orders__isnull=False)
        .exclude(pk__in=supported)
    )
    plan = [("risk_reduced", 40), ("victim_declined", 75)]
    for case, (code, days) in zip(list(cases.reverse()[:2]), plan, strict=False):
        if code not in reasons:
            continue
        record_services.case_close(
            **_me(chair),
            case=case,
            reason=reasons[code],
            note="Closed at triage clinic review; monitored for six months.",
            closed_on=quarter.start + timedelta(days=days),
        )
        _told(case, members)


def _told(case, members):
    """The victim was told of the order or closure on time (so no stale task is left)."""
    from cases.demo import _told_in_time

    _told_in_time(case, members)
