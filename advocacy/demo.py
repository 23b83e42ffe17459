"""Demo advocacy casework for the demo advocate: one victim awaiting first contact, one
engaged with a contact log and needs, one whose support has closed. Everything goes
through the services, so dates are checked and audit rows are real. Idempotent: nothing
is added when the advocate's agency already holds an episode."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.roles import Role
from advocacy import services
from advocacy.models import (
    Channel,
    ClosureReason,
    ConsentMethod,
    ContactFrequency,
    Direction,
    NeedArea,
    NeedOutcome,
    ReferralRoute,
    SupportEpisode,
)
from cases.models import VICTIM_ROLES, CaseParty


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
    if advocate is None or SupportEpisode.objects.filter(advocacy_agency=advocate.agency).exists():
        return
    victims = _victims(advocate.agency)[:3]
    if len(victims) < 3:
        return
    today = timezone.localdate()
    me = {"actor": advocate.user, "membership": advocate}

    # 1. Referred yesterday by the crime screen: first contact still due.
    services.episode_start(
        **me,
        victim=victims[0],
        referral_route=ReferralRoute.POLICE_SCREENING,
        referred_on=today - timedelta(days=1),
        advocate=advocate.user,
        needs=[NeedArea.SAFETY],
    )

    # 2. Referred by the clinic a month ago: contacted, consenting, a contact log.
    referred = today - timedelta(days=30)
    engaged = services.episode_start(
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
        services.contact_log(
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
    services.episode_update(
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
    closed = services.episode_start(
        **me,
        victim=victims[2],
        referral_route=ReferralRoute.MARAC,
        referred_on=referred,
        advocate=advocate.user,
        needs=[NeedArea.HOUSING, NeedArea.CRIMINAL_JUSTICE],
        contact_frequency=ContactFrequency.FORTNIGHTLY,
    )
    services.contact_log(
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
    services.episode_update(
        **me,
        episode=closed,
        support_consent_on=referred + timedelta(days=3),
        support_consent_method=ConsentMethod.WRITTEN,
    )
    services.episode_close(
        **me,
        episode=closed,
        closed_on=today - timedelta(days=20),
        closure_reason=ClosureReason.SUPPORT_COMPLETE,
        outcomes={
            NeedArea.HOUSING: NeedOutcome.ACHIEVED,
            NeedArea.CRIMINAL_JUSTICE: NeedOutcome.PARTLY,
        },
    )
