"""Demo advocacy casework for the demo advocate: one victim awaiting first contact, one
engaged with a contact log, needs, a safety plan in two versions and two target-hardening
measures, one whose support has closed, and one referral waiting in the agency's queue
(made the way the police make it: the crime screen's "Victim advocacy (ISAC) referral" on
a crime, which refers the victim once the crime is linked to a case). Everything goes
through the services, so dates are checked and audit rows are real. Idempotent: no
episodes are added when the advocate's agency already holds one, no plan or measures when
the engaged episode already has them, and no referral when its queue has ever held one."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.roles import AgencyKind, Role
from advocacy.models import (
    AdvocacyReferral,
    Channel,
    ClosureReason,
    ConsentMethod,
    ContactFrequency,
    Direction,
    LawfulBasis,
    MeasureKind,
    NeedArea,
    NeedOutcome,
    PlanItemOwner,
    ReferralRoute,
    RiskUpdate,
    SafetyPlan,
    SupportEpisode,
    TargetHardening,
    Urgency,
)
from advocacy.selectors import disclosures as disclosure_selectors
from advocacy.selectors import questionnaires as questionnaire_selectors
from advocacy.selectors import safety as safety_selectors
from advocacy.services import disclosures as disclosure_services
from advocacy.services import episodes as episode_services
from advocacy.services import questionnaires as questionnaire_services
from advocacy.services import referrals as referral_services
from advocacy.services import safety as safety_services
from cases.models import VICTIM_ROLES, CaseParty, ScreeningActionKind
from cases.selectors import core as case_selectors
from cases.selectors import screening as screening_selectors
from cases.services import screening as screening_services


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _victims(agency):
    """One victim party per case shared with the agency, oldest case first."""
    parties = CaseParty.objects.filter(
        role__in=VICTIM_ROLES, case__case_agencies__agency=agency, case__closed_on__isnull=True
    ).order_by("case_id", "pk")
    seen, victims = set(), []
    for party in parties.select_related("case"):
        if party.case_id not in seen:
            seen.add(party.case_id)
            victims.append(party)
    return victims


def seed(*, partnership, agencies, members):
    advocate = members.get(Role.ADVOCATE)
    if advocate is not None:
        if not SupportEpisode.objects.filter(advocacy_agency=advocate.agency).exists():
            _seed_episodes(advocate)
            _seed_self_referral(advocate)
        _seed_safety(advocate)
        _seed_disclosures(advocate)
        _seed_questionnaire(advocate)
    _seed_referral(members)


def _seed_self_referral(advocate):
    """A victim who rang the agency directly: an advocacy-only case that the demo police,
    health and probation users cannot see."""
    referred = timezone.localdate() - timedelta(days=6)
    episode = referral_services.self_referral_start(
        actor=advocate.user,
        membership=advocate,
        victim={"given_names": "Morgan", "family_name": "Ashdown", "postcode": "NS4 7QT"},
        summary="Rang the helpline about a former colleague; does not want police involved yet.",
        referral_route=ReferralRoute.HELPLINE,
        referred_on=referred,
        advocate=advocate.user,
        needs=[NeedArea.SAFETY, NeedArea.DIGITAL_SAFETY],
        contact_frequency=ContactFrequency.WEEKLY,
    )
    episode_services.contact_log(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        at=_at(referred + timedelta(days=1), 10),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=True,
        duration_minutes=30,
        safe_to_talk=True,
        summary="First contact: talked through options, including reporting to police.",
    )


def _seed_questionnaire(advocate):
    """The start-of-support questionnaire of the engaged episode (once)."""
    engaged = (
        SupportEpisode.objects.filter(
            advocacy_agency=advocate.agency,
            advocate=advocate.user,
            referral_route=ReferralRoute.CLINIC,
            closed_on__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    instruments = questionnaire_selectors.questionnaire_instruments(advocate)
    voice = next((i for i in instruments if i.code == "victim-voice"), None)
    if engaged is None or voice is None or engaged.questionnaires.exists():
        return
    answers = ("3", "2", "4", "3", "2", "prefer_not", "2")
    questionnaire_services.questionnaire_record(
        actor=advocate.user,
        membership=advocate,
        episode=engaged,
        instrument=voice,
        instruments=instruments,
        timing="start",
        taken_on=engaged.referred_on + timedelta(days=2),
        answers={f"VV-0{n}": value for n, value in enumerate(answers, start=1)},
    )


def _seed_referral(members):
    """A crime on the screen, screened "Victim advocacy (ISAC) referral" and then linked
    to an open case whose only victim the agency does not support yet."""
    advocate, investigator = members.get(Role.ADVOCATE), members.get(Role.INVESTIGATOR)
    if advocate is None or investigator is None:
        return
    if AdvocacyReferral.objects.filter(advocacy_agency=advocate.agency).exists():
        return
    supported = SupportEpisode.objects.filter(advocacy_agency=advocate.agency).values("victim_id")
    case = None
    for candidate in case_selectors.cases_visible_to(investigator).filter(closed_on__isnull=True):
        victims = list(CaseParty.objects.filter(case=candidate, role__in=VICTIM_ROLES))
        if len(victims) == 1 and not supported.filter(victim_id=victims[0].pk).exists():
            case = candidate
            break
    entry = (
        screening_selectors.entries_visible_to(investigator)
        .filter(case__isnull=True, screened_at__isnull=True)
        .order_by("recorded_on", "pk")
        .first()
    )
    if case is None or entry is None:
        return
    me = {"actor": investigator.user, "membership": investigator}
    screening_services.actions_record(
        **me,
        entry=entry,
        kinds=[ScreeningActionKind.ADVOCACY_REFERRAL],
        note="Victim asked for support from the ISAC service.",
    )
    screening_services.entry_link_case(**me, entry=entry, case=case)


def _seed_episodes(advocate):
    victims = _victims(advocate.agency)[:3]
    if len(victims) < 3:
        return
    today = timezone.localdate()
    me = {"actor": advocate.user, "membership": advocate}

    # 1. Referred yesterday by the crime screen: first contact still due.
    episode_services.episode_start(
        **me,
        victim=victims[0],
        referral_route=ReferralRoute.POLICE_SCREENING,
        referred_on=today - timedelta(days=1),
        advocate=advocate.user,
        needs=[NeedArea.SAFETY],
    )

    # 2. Referred by the clinic a month ago: contacted, consenting, a contact log.
    referred = today - timedelta(days=30)
    engaged = episode_services.episode_start(
        **me,
        victim=victims[1],
        referral_route=ReferralRoute.CLINIC,
        referred_on=referred,
        advocate=advocate.user,
        needs=[NeedArea.SAFETY, NeedArea.CIVIL_ORDERS, NeedArea.DIGITAL_SAFETY],
        contact_frequency=ContactFrequency.WEEKLY,
    )
    log = [
        (0, 10, Channel.PHONE, False, "", None),
        (
            1,
            14,
            Channel.PHONE,
            True,
            "Introduced the service; agreed weekly calls on the work mobile, safe after 6pm.",
            7,
        ),
        (8, 18, Channel.IN_PERSON, True, "Safety plan started; alarm requested.", 7),
        (15, 18, Channel.PHONE, True, "Discussed applying for a stalking protection order.", 7),
        (22, 19, Channel.TEXT, True, "Confirmed court date; victim feels supported.", 14),
    ]
    for days, hour, channel, made, summary, next_in in log:
        day = referred + timedelta(days=days)
        episode_services.contact_log(
            **me,
            episode=engaged,
            at=_at(day, hour),
            channel=channel,
            direction=Direction.OUTGOING,
            made=made,
            duration_minutes=30 if made else None,
            safe_to_talk=made and channel != Channel.TEXT,
            summary=summary,
            next_contact_due=day + timedelta(days=next_in) if next_in else None,
        )
    episode_services.episode_update(
        **me,
        episode=engaged,
        support_consent_on=referred + timedelta(days=1),
        support_consent_method=ConsentMethod.VERBAL,
        share_consent_on=referred + timedelta(days=1),
        share_consent_with="The officer in charge and the triage clinic",
        share_consent_purpose="Risk updates and bail or order conditions",
        share_consent_method=ConsentMethod.VERBAL,
    )

    # 3. Support from MARAC four months ago, now closed as complete.
    referred = today - timedelta(days=120)
    closed = episode_services.episode_start(
        **me,
        victim=victims[2],
        referral_route=ReferralRoute.MARAC,
        referred_on=referred,
        advocate=advocate.user,
        needs=[NeedArea.HOUSING, NeedArea.CRIMINAL_JUSTICE],
        contact_frequency=ContactFrequency.FORTNIGHTLY,
    )
    episode_services.contact_log(
        **me,
        episode=closed,
        at=_at(referred + timedelta(days=3), 11),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=True,
        duration_minutes=45,
        safe_to_talk=True,
        summary="First contact (late: three working days).",
    )
    episode_services.episode_update(
        **me,
        episode=closed,
        support_consent_on=referred + timedelta(days=3),
        support_consent_method=ConsentMethod.WRITTEN,
    )
    episode_services.episode_close(
        **me,
        episode=closed,
        closed_on=today - timedelta(days=20),
        closure_reason=ClosureReason.SUPPORT_COMPLETE,
        outcomes={
            NeedArea.HOUSING: NeedOutcome.ACHIEVED,
            NeedArea.CRIMINAL_JUSTICE: NeedOutcome.PARTLY,
        },
    )


def _engaged_episode(advocate):
    """The demo advocate's open episode referred by the clinic (seeded above), or None."""
    return (
        SupportEpisode.objects.filter(
            advocacy_agency=advocate.agency,
            advocate=advocate.user,
            referral_route=ReferralRoute.CLINIC,
            closed_on__isnull=True,
        )
        .select_related("case")
        .order_by("pk")
        .first()
    )


def _seed_safety(advocate):
    """The engaged episode's safety plan (two versions: the second adds the order and a
    police item) and two measures: an alarm provided, a doorbell camera requested."""
    engaged = _engaged_episode(advocate)
    if engaged is None:
        return
    me = {"actor": advocate.user, "membership": advocate}
    today = timezone.localdate()
    if not SafetyPlan.objects.filter(episode=engaged).exists():
        first_items = [
            {
                "text": "Keep the phone charged and on; 999 and press 55 if unable to speak.",
                "owner": PlanItemOwner.VICTIM,
            },
            {
                "text": "Vary the route to work; park in the staffed car park.",
                "owner": PlanItemOwner.VICTIM,
            },
            {
                "text": "Refer for a personal alarm and a doorbell camera.",
                "owner": PlanItemOwner.ADVOCATE,
                "due_on": today,
                "done": True,
            },
        ]
        safety_services.safety_plan_save(
            **me, episode=engaged, review_on=today + timedelta(days=7), items=first_items
        )
        second_items = [
            *first_items,
            {
                "text": "Support the application for a stalking protection order.",
                "owner": PlanItemOwner.ADVOCATE,
                "due_on": today + timedelta(days=14),
            },
            {
                "text": "Flag the address for an urgent response (treat as priority).",
                "owner": PlanItemOwner.POLICE,
            },
        ]
        safety_services.safety_plan_save(
            **me,
            episode=engaged,
            review_on=today + timedelta(days=28),
            items=second_items,
            order_ids=safety_selectors.case_order_ids(engaged)[:1],
            notes="Reviewed after the victim saw the stalker outside work.",
        )
    if not TargetHardening.objects.filter(episode=engaged).exists():
        start = max(engaged.referred_on, today - timedelta(days=22))
        safety_services.measure_record(
            **me,
            episode=engaged,
            kind=MeasureKind.PERSONAL_ALARM,
            requested_on=start,
            provided_on=min(start + timedelta(days=4), today),
            provider="Police crime prevention alarm scheme",
        )
        safety_services.measure_record(
            **me,
            episode=engaged,
            kind=MeasureKind.DOORBELL_CAMERA,
            requested_on=min(start + timedelta(days=7), today),
        )


def _seed_disclosures(advocate):
    """Two risk updates on the engaged episode's case, shared with the police only, so the
    demo police user reads them on the case and the demo health user does not: a routine
    one, and an urgent one (which notifies the officer in charge and police supervisors)."""
    engaged = _engaged_episode(advocate)
    if engaged is None or RiskUpdate.objects.filter(episode=engaged).exists():
        return
    police = [
        agency.pk
        for agency in disclosure_selectors.recipient_choices(engaged)
        if agency.kind == AgencyKind.POLICE
    ]
    if not police:
        return
    consent = disclosure_services.consent_to_share_stands(engaged)
    me = {"actor": advocate.user, "membership": advocate, "episode": engaged}
    disclosure_services.risk_update_submit(
        **me,
        what_changed="The victim has moved to a new address; the perpetrator does not know it.",
        risk_level="medium",
        urgency=Urgency.ROUTINE,
        lawful_basis=LawfulBasis.CONSENT if consent else LawfulBasis.SAFEGUARDING,
        recipient_ids=police,
    )
    disclosure_services.risk_update_submit(
        **me,
        what_changed="The perpetrator was seen outside the victim's workplace twice this week.",
        new_incidents="Tuesday and Thursday, about 5pm, waiting by the staff car park.",
        risk_level="high",
        urgency=Urgency.URGENT,
        lawful_basis=LawfulBasis.VITAL_INTERESTS,
        recipient_ids=police,
    )
