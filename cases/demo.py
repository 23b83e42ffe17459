"""Demo people, cases, parties and referrals on the demo partnerships (accounts.demo)."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.roles import AgencyKind, Role
from advocacy.models import SupportEpisode
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CodeList,
    Gender,
    PartyRole,
    ReferenceCode,
    Referral,
    ReferralStatus,
    VictimNotification,
)
from cases.selectors import events as event_selectors
from cases.services import core as services
from cases.services import events as event_services
from cases.services import people as people_services
from cases.services import record as record_services
from cases.services import screening as screening_services

SCREEN_SAMPLE = Path(settings.BASE_DIR) / "static" / "samples" / "crime-screen-sample.csv"

GIVEN = [
    "Amy",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Faisal",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Laura",
    "Mohammed",
    "Nina",
    "Oliver",
    "Poppy",
    "Ravi",
    "Sophie",
    "Tariq",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Liam",
    "Megan",
    "Connor",
    "Hannah",
]
FAMILY = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Price",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
    "Walsh",
    "Young",
    "Kowalski",
    "Murphy",
]
STREETS = [
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Victoria Road",
    "Park Avenue",
    "High Street",
    "Queens Road",
    "Orchard Close",
]
SUMMARIES = [
    "Former partner sends repeated messages since the relationship ended and has turned up "
    "at the victim's workplace.",
    "Ex-partner follows the victim on the school run and monitors the victim's social media.",
    "Online acquaintance fixated on the victim; creates new accounts after each block.",
    "Former colleague leaves gifts and notes at the victim's home and threatens to 'make "
    "them listen'.",
    "Neighbour monitors the victim's movements and reports them back by text.",
    "Former patient repeatedly contacts a practice nurse and waits outside the surgery.",
]

# Which agencies (by index) each demo case is shared with, lead agency first.
SHARING_PATTERNS = [
    (0,),
    (0,),
    (0, 1),
    (0, 2),
    (0, 1, 2),
    (0, 2, 3),
    (0, 3),
    (0, 1, 2, 3, 4),
    (0, 4),
    (2, 1),  # self-referral via advocacy (which leads), seen at clinic; not shared with police
]


def seed(*, rng, agencies, members, case_count, patterns=SHARING_PATTERNS):
    """``case_count`` cases shared by ``patterns`` (agency indexes, lead first)."""
    codes = {
        "ethnicities": ReferenceCode.objects.of(CodeList.ETHNICITY).current(),
        "closure_reasons": list(ReferenceCode.objects.of(CodeList.CLOSURE_REASON).current()),
        "sources": {
            c.code: c for c in ReferenceCode.objects.of(CodeList.REFERRAL_SOURCE).current()
        },
    }
    for number in range(case_count):
        _case(rng, number, agencies, members, codes, patterns)


def _person_fields(rng, role, codes):
    known_dob = rng.random() > 0.15
    dob = date(rng.randint(1958, 2004), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "given_names": rng.choice(GIVEN),
        "family_name": rng.choice(FAMILY),
        "date_of_birth": dob if known_dob else None,
        "date_of_birth_not_known": not known_dob,
        "gender": rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.NOT_KNOWN])
        if role != PartyRole.PERPETRATOR
        else rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE, ""]),
        "ethnicity": rng.choice(list(codes["ethnicities"]) + [None]),
        "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}\nNorthtown",
        "postcode": f"NT{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}"
        f"{rng.choice('HJLNPQ')}",
        "phone": f"07700 900{rng.randint(100, 999)}",
        "workplace": rng.choice(
            ["", "Northtown General Hospital", "Tesco, Mill Lane", "Northshire Council"]
        ),
    }


def _case(rng, number, agencies, members, codes, patterns):
    pattern = patterns[number % len(patterns)]
    lead = agencies[pattern[0]]
    police_led = lead.kind == AgencyKind.POLICE
    opener = members[Role.INVESTIGATOR] if police_led else members[Role.CLINIC_CHAIR]
    investigator = members[Role.INVESTIGATOR]
    opened_on = timezone.localdate() - timedelta(days=rng.randint(1, 540))
    case = services.case_open(
        actor=opener.user,
        membership=opener,
        summary=rng.choice(SUMMARIES),
        lead_agency=lead,
        opened_on=opened_on,
        officer_in_charge=investigator.user if police_led and number % 2 == 0 else None,
    )
    for index in pattern[1:]:
        if case.case_agencies.filter(agency=agencies[index]).exists():
            continue  # opening the case already shared it with the opener's agency
        services.case_share(
            actor=opener.user,
            membership=opener,
            case=case,
            agency=agencies[index],
            reason="Agreed at triage clinic",
        )
    advocate = members.get(Role.ADVOCATE)
    shares_advocacy = any(agencies[i].kind == AgencyKind.ADVOCACY for i in pattern)
    people_services.party_add(
        actor=opener.user,
        membership=opener,
        case=case,
        role=PartyRole.PERPETRATOR,
        **_person_fields(rng, PartyRole.PERPETRATOR, codes),
    )
    people_services.party_add(
        actor=opener.user,
        membership=opener,
        case=case,
        role=PartyRole.VICTIM,
        advocate=advocate.user if advocate and shares_advocacy else None,
        **_person_fields(rng, PartyRole.VICTIM, codes),
    )
    # Police-led cases were referred by police; the rest are self-referrals that the
    # advocacy service recorded.
    referrer = opener if police_led else members[Role.ADVOCATE]
    source = codes["sources"]["police" if police_led else "self_via_advocacy"]
    referral = services.referral_record(
        actor=referrer.user,
        membership=referrer,
        case=case,
        source=source,
        received_on=opened_on,
        reason="Referred for multi-agency triage.",
    )
    # The referral opened this case: screened and accepted on the day, so its status
    # follows the case (a case whose referral still says "received" reads as a mistake).
    decider = members.get(Role.CLINIC_CHAIR, opener).user
    decided_at = timezone.make_aware(datetime.combine(opened_on, time(11, 0)))
    Referral.objects.filter(pk=referral.pk).update(
        screened_at=decided_at,
        screened_by=decider,
        decision=ReferralStatus.ACCEPTED,
        decided_at=decided_at,
        decided_by=decider,
    )
    if number % 9 == 8 and codes["closure_reasons"]:
        record_services.case_close(
            actor=opener.user,
            membership=opener,
            case=case,
            reason=codes["closure_reasons"][number % len(codes["closure_reasons"])],
            note="Closed at triage clinic review; monitored for six months.",
            closed_on=min(opened_on + timedelta(days=120), timezone.localdate()),
        )
        _told_in_time(case, members)


def _member_of(members, agency_id):
    """A demo member who may record the agency's tasks, or None."""
    task = VictimNotification(responsible_agency_id=agency_id)
    for member in members.values():
        if event_selectors.can_work_victim_notification(member, task):
            return member
    return None


def _told_in_time(case, members, *, channel="phone"):
    """Past events were told on time: their tasks are recorded as informed on the due date
    by a member of the responsible agency (so the demo's pending tasks are today's)."""
    for task in VictimNotification.objects.filter(case=case, outcome=""):
        member = _member_of(members, task.responsible_agency_id)
        if member is None:
            continue
        event_services.victim_notification_record(
            actor=member.user,
            membership=member,
            notification=task,
            result=event_services.Result.INFORMED,
            at=min(
                timezone.make_aware(datetime.combine(task.due_on, time(10, 0))),
                timezone.now() - timedelta(minutes=1),
            ),
            channel=channel,
        )


def seed_screening(*, members):
    """The police daily crime screen: the sample export (static/samples) imported by the
    investigator, so the worklist has crimes to screen on first sign-in."""
    investigator = members.get(Role.INVESTIGATOR)
    if investigator is None or not SCREEN_SAMPLE.exists():
        return None
    data = SCREEN_SAMPLE.read_bytes()
    return screening_services.import_start(
        actor=investigator.user,
        membership=investigator,
        data=data,
        size=len(data),
        original_name=SCREEN_SAMPLE.name,
    )


def seed_events(*, members):
    """Criminal-justice events and the "tell the victim" tasks they raise (issue 11 item
    5), after the advocacy demo has given victims their advocate: on a case of the demo
    advocate's, a charge two days ago (told, by phone) and a release on bail this morning
    (pending); on an officer-in-charge case with no advocate, an arrest (pending). Once."""
    investigator, advocate = members.get(Role.INVESTIGATOR), members.get(Role.ADVOCATE)
    if (
        investigator is None
        or CaseEvent.objects.filter(
            case__partnership_id=investigator.agency.partnership_id
        ).exists()
    ):
        return
    now = timezone.now()
    supported = (
        SupportEpisode.objects.filter(
            advocacy_agency=getattr(advocate, "agency", None),
            advocate=getattr(advocate, "user", None),
            closed_on__isnull=True,
            case__parties__role=PartyRole.PERPETRATOR,
        )
        .select_related("case")
        .order_by("-referred_on")
        .first()
    )
    if supported is not None:
        _demo_event(investigator, supported.case, CaseEventKind.CHARGED, now - timedelta(days=2))
        _told_in_time(supported.case, members)
        _demo_event(investigator, supported.case, CaseEventKind.BAILED, now - timedelta(hours=3))
    oic_case = (
        Case.objects.filter(
            partnership_id=investigator.agency.partnership_id,
            officer_in_charge=investigator.user,
            closed_on=None,
            parties__role=PartyRole.PERPETRATOR,
        )
        .exclude(pk__in=SupportEpisode.objects.filter(closed_on__isnull=True).values("case_id"))
        .order_by("-opened_on", "pk")
        .first()
    )
    if oic_case is not None:
        _demo_event(investigator, oic_case, CaseEventKind.ARRESTED, now - timedelta(hours=20))


def _demo_event(member, case, kind, at):
    perpetrator = case.parties.filter(role=PartyRole.PERPETRATOR).first().person
    return event_services.case_event_record(
        actor=member.user,
        membership=member,
        case=case,
        perpetrator=perpetrator,
        kind=kind,
        occurred_at=at,
        note="Recorded from the custody record.",
    )
