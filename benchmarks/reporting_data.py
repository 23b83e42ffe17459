"""The national-scale reporting dataset (issue 14's bars): one partnership, five years of
records, loaded once into PostgreSQL. A second load finds the partnership and skips.

Usage (its own database, not a test database):
    createdb -h 127.0.0.1 -U postgres bench_reporting
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reporting
    python manage.py migrate
    python benchmarks/reporting_data.py        # load only; benchmarks/reporting.py loads too

    from benchmarks.reporting_data import load
    partnership = load()                        # the partnership (loads it the first time)

What it holds (env overrides in brackets; defaults are the issue's volumes):
- agencies: two police forces (each with two police areas as the crime screen names them
  in ``location_area``), health, advocacy, probation, local authority; two LocalAreas,
  one per force (its police agency and its two police areas); users and memberships
  (investigators, a police supervisor, clinicians, advocates, a probation officer, a
  manager at each force and a partnership admin).
- CASES (100,000) cases opened over the last five years (uniformly, so the last full
  financial quarter holds about a twentieth), lead agencies spread over both forces,
  health, advocacy and probation; classification, offence level, tier (blank, none, 1-4,
  not known), priority, relationship; ~30% closed with a ``closure_reason`` code.
- two people per case (200,000): the victim (mostly female) and the perpetrator (mostly
  male), genders including not_known and blank; dates of birth with ~10% unknown (half
  "not known", half blank); ethnicity codes.
- guardian grants and CaseAgency rows as cases.services leaves them: the lead agency, the
  case's police force, and the advocacy / health / probation agencies for the cases they
  work (their episodes, enrolments, a tenth for probation).
- referrals (~1.2 per case): one per case, a second on a tenth of the cases (a case
  referred twice) and a tenth more with no case (not stalking, declined or waiting);
  sources over every ``referral_source`` code; decisions, decided_at and screened_at.
- SCREEN (300,000) crime-screen entries recorded over five years, two location areas per
  force, ~40% linked to a case (its people as suspect and victim), ~90% screened, half
  finalised with a Home Office outcome (disposal) and its date; ~3% with a
  reclassification request (accepted ones change the working offence code).
- EPISODES (20,000) advocacy support episodes with ~5 contacts each (made True/False,
  spread from referral to closure or today); support lasts one to ten months (a tenth
  stay open), so a quarter holds about its share of the contacts.
- ENROLMENTS (10,000) fACT enrolments (the direct perpetrator programme) with ~5 sessions
  each: weekly, attended codes, a third with a rescheduled session (status rescheduled,
  superseded_by the new one), an eighth withdrawn with a coded reason, future sessions
  still scheduled.
- ASSESSMENTS (30,000) risk assessments (SASH, SRP, DASH, S-DASH; levels from each tool's
  bands; historic SASH-style ratings incl. moderate/high and not completed before the
  tools' first version), a tenth drafts.
- ORDERS (5,000) protective orders (mostly SPO interim/full; pending, granted, refused,
  withdrawn), REOFFENDING (8,000) re-offending events (same / new victim),
  OUTCOMES (10,000) criminal-justice outcomes with Home Office outcome codes.
- a triage clinic meeting fortnightly, ~15,000 case discussions and ~20,000 actions
  (open, overdue, done); ~200 training events; staff FTE per agency per financial year.

Deterministic for a seed. Rows go in with bulk_create in batches of BATCH (5,000); the
few things services compute on save (the first-contact target) are computed here.
"""

import bisect
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from advocacy.models import Contact, SupportEpisode, first_contact_target  # noqa: E402
from cases.models import (  # noqa: E402
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CaseParty,
    CrimeScreenEntry,
    CriminalJusticeOutcome,
    Person,
    ProtectiveOrder,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
    ScreeningAction,
)
from interventions.models import Enrolment, Programme, Session  # noqa: E402
from reporting.models import LocalArea, StaffFte, TrainingEvent  # noqa: E402
from risk.models import HISTORIC_TO_LEVEL, Assessment, Instrument  # noqa: E402
from triage.models import Action, CaseDiscussion, Clinic, Meeting  # noqa: E402

SLUG = "bench-reporting"
SEED = int(os.environ.get("SEED", "20261128"))
CASES = int(os.environ.get("CASES", "100000"))
SCREEN = int(os.environ.get("SCREEN", "300000"))
EPISODES = int(os.environ.get("EPISODES", "20000"))
ENROLMENTS = int(os.environ.get("ENROLMENTS", "10000"))
ASSESSMENTS = int(os.environ.get("ASSESSMENTS", "30000"))
ORDERS = int(os.environ.get("ORDERS", "5000"))
REOFFENDING = int(os.environ.get("REOFFENDING", "8000"))
OUTCOMES = int(os.environ.get("OUTCOMES", "10000"))
DISCUSSIONS = int(os.environ.get("DISCUSSIONS", "15000"))
ACTIONS = int(os.environ.get("ACTIONS", "20000"))
TRAINING = int(os.environ.get("TRAINING", "200"))
YEARS = 5
BATCH = 5000

FORCES = {
    "north": ("Northshire Police", ["Northshire West", "Northshire East"]),
    "south": ("Southvale Police", ["Southvale City", "Southvale Rural"]),
}
# Referral source code -> the kind of agency that refers (None: the case's police force).
SOURCE_AGENCY = {
    "police": None,
    "probation": AgencyKind.PROBATION,
    "health": AgencyKind.HEALTH,
    "advocacy": AgencyKind.ADVOCACY,
    "marac": None,
    "helpline": AgencyKind.ADVOCACY,
    "self_via_advocacy": AgencyKind.ADVOCACY,
    "unit": None,
    "other": AgencyKind.LOCAL_AUTHORITY,
}
SOURCE_WEIGHTS = {
    "police": 60,
    "probation": 5,
    "health": 6,
    "advocacy": 8,
    "marac": 4,
    "helpline": 5,
    "self_via_advocacy": 4,
    "unit": 4,
    "other": 4,
}
OFFENCE_WEIGHTS = {
    "008/65": 25,
    "008/66": 15,
    "195/12": 30,
    "8L": 8,
    "8M": 8,
    "BRO": 6,
    "BSPO": 3,
    "BNMO": 3,
    "BCRO": 2,
}
PERPETRATOR_GENDERS = (("male", 78), ("female", 14), ("non_binary", 1), ("not_known", 4), ("", 3))
VICTIM_GENDERS = (("female", 80), ("male", 14), ("non_binary", 1), ("not_known", 3), ("", 2))
TIERS = (("", 10), ("none", 15), ("1", 25), ("2", 25), ("3", 15), ("4", 5), ("not_known", 5))


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return lambda: rng.choices(values, weights)[0]


def _at(day, hour, minute=0):
    """A London wall-clock time on ``day`` as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, clock(hour, minute)))


def _bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _step(label, started):
    print(f"  {label} ({time.perf_counter() - started:.0f} s)", flush=True)


def _codes(code_list):
    rows = ReferenceCode.objects.filter(
        partnership__isnull=True, code_list=code_list, effective_to__isnull=True
    )
    return dict(rows.values_list("code", "pk"))


def _member(agency, role, n, today):
    user = User.objects.create(
        email=f"{role}{n}@{SLUG}.test", full_name=f"Bench {role} {n}", password="!"
    )
    return Membership.objects.create(
        user=user, agency=agency, role=role, vetting_expires_on=today + timedelta(days=365)
    )


class World:
    """The partnership, its agencies and people (users), and per-case facts the later
    record kinds are drawn from (opened day, force, people, lead agency)."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.start = today - timedelta(days=365 * YEARS + 1)

    def day_between(self, low, high):
        low = max(low, self.start)
        high = min(high, self.today)
        if high <= low:
            return high
        return low + timedelta(days=self.rng.randint(0, (high - low).days))


def _agencies(world):
    today = world.today
    partnership = Partnership.objects.create(
        name="Reporting bench partnership", slug=SLUG, case_reference_prefix="RB"
    )
    world.partnership = partnership
    police = {
        force: Agency.objects.create(partnership=partnership, name=name, kind=AgencyKind.POLICE)
        for force, (name, _areas) in FORCES.items()
    }
    others = {
        kind: Agency.objects.create(partnership=partnership, name=f"Bench {kind}", kind=kind)
        for kind in (
            AgencyKind.HEALTH,
            AgencyKind.ADVOCACY,
            AgencyKind.PROBATION,
            AgencyKind.LOCAL_AUTHORITY,
        )
    }
    world.police, world.others = police, others
    world.officers = {
        force: [_member(agency, Role.INVESTIGATOR, f"{force}{n}", today).user for n in range(3)]
        for force, agency in police.items()
    }
    world.supervisor = _member(police["north"], Role.POLICE_SUPERVISOR, 0, today).user
    world.clinicians = [
        _member(others[AgencyKind.HEALTH], Role.CLINICIAN, n, today).user for n in range(6)
    ]
    world.advocates = [
        _member(others[AgencyKind.ADVOCACY], Role.ADVOCATE, n, today).user for n in range(12)
    ]
    world.probation_officer = _member(
        others[AgencyKind.PROBATION], Role.PROBATION_OFFICER, 0, today
    ).user
    world.chair = _member(police["north"], Role.CLINIC_CHAIR, 0, today).user
    world.managers = [
        _member(agency, Role.MANAGER, force, today).user for force, agency in police.items()
    ]
    _member(others[AgencyKind.HEALTH], Role.MANAGER, 1, today)
    _member(others[AgencyKind.ADVOCACY], Role.PARTNERSHIP_ADMIN, 0, today)
    for force, agency in police.items():
        area = LocalArea.objects.create(
            partnership=partnership,
            name=FORCES[force][0].replace(" Police", ""),
            police_areas=FORCES[force][1],
        )
        area.agencies.add(agency)


def _people_and_cases(world):
    rng, today = world.rng, world.today
    partnership = world.partnership
    perp_gender = _weighted(rng, PERPETRATOR_GENDERS)
    victim_gender = _weighted(rng, VICTIM_GENDERS)
    tier = _weighted(rng, TIERS)
    ethnicity = list(_codes("ethnicity").values())
    relationships = list(_codes("relationship").values())
    closures = list(_codes("closure_reason").values())
    health, advocacy, probation = (
        world.others[k] for k in (AgencyKind.HEALTH, AgencyKind.ADVOCACY, AgencyKind.PROBATION)
    )
    lead_choice = _weighted(
        rng,
        (
            (world.police["north"], 40),
            (world.police["south"], 32),
            (health, 10),
            (advocacy, 10),
            (probation, 8),
        ),
    )
    span = (today - world.start).days
    world.case_ids, world.opened, world.closed = [], [], []
    world.force, world.lead = [], []
    world.victim, world.perpetrator = [], []  # person ids
    world.victim_party, world.perpetrator_party = [], []  # CaseParty ids
    world.gender = {}
    for first in range(0, CASES, BATCH):
        numbers = range(first, min(first + BATCH, CASES))
        people, cases = [], []
        for n in numbers:
            opened = world.start + timedelta(days=rng.randint(0, span))
            for role in ("victim", "perpetrator"):
                gender = victim_gender() if role == "victim" else perp_gender()
                unknown = rng.random() < 0.10
                age = rng.randint(16, 80) if role == "perpetrator" else rng.randint(16, 85)
                people.append(
                    Person(
                        partnership=partnership,
                        given_names="Bench",
                        family_name=f"{role.title()} {n}",
                        gender=gender,
                        date_of_birth=None
                        if unknown
                        else opened - timedelta(days=365 * age + rng.randint(0, 364)),
                        date_of_birth_not_known=unknown and rng.random() < 0.5,
                        ethnicity_id=rng.choice(ethnicity) if rng.random() < 0.8 else None,
                    )
                )
            lead = lead_choice()
            force = (
                "north"
                if lead == world.police["north"]
                else "south"
                if lead == world.police["south"]
                else rng.choice(("north", "south"))
            )
            closed = None
            if rng.random() < 0.32 and opened < today - timedelta(days=30):
                closed = world.day_between(
                    opened + timedelta(days=20), opened + timedelta(days=700)
                )
            cases.append(
                Case(
                    partnership=partnership,
                    reference=f"RB-{n:06d}",
                    summary="Bench case: repeated unwanted contact after the relationship ended.",
                    lead_agency=lead,
                    officer_in_charge=rng.choice(world.officers[force]),
                    opened_on=opened,
                    relationship_id=rng.choice(relationships) if rng.random() < 0.9 else None,
                    classification=rng.choices(
                        ("stalking", "not_stalking", "not_applicable", ""), (82, 10, 3, 5)
                    )[0],
                    offence_level=rng.choice(("s2a", "s4a", "s4a", "not_known", "")),
                    tier=tier(),
                    priority=rng.choice(("high", "medium", "low", "")),
                    closed_on=closed,
                    closure_reason_id=rng.choice(closures) if closed else None,
                    created_by=rng.choice(world.officers[force]),
                    created_at=_at(opened, 9),
                )
            )
            world.opened.append(opened)
            world.closed.append(closed)
            world.force.append(force)
            world.lead.append(lead.pk)
        with transaction.atomic():
            _bulk(Person, people)
            _bulk(Case, cases)
            parties = []
            for i, case in enumerate(cases):
                victim, perpetrator = people[2 * i], people[2 * i + 1]
                world.case_ids.append(case.pk)
                world.victim.append(victim.pk)
                world.perpetrator.append(perpetrator.pk)
                world.gender[victim.pk] = victim.gender
                world.gender[perpetrator.pk] = perpetrator.gender
                parties.append(CaseParty(case=case, person=victim, role="victim"))
                parties.append(CaseParty(case=case, person=perpetrator, role="perpetrator"))
            _bulk(CaseParty, parties)
            for i in range(len(cases)):
                world.victim_party.append(parties[2 * i].pk)
                world.perpetrator_party.append(parties[2 * i + 1].pk)
    # Which cases each agency works beyond the lead and the force: drawn now, so the
    # episodes, enrolments and grants agree.
    world.episode_cases = rng.sample(range(CASES), EPISODES)
    world.enrolment_cases = rng.sample(range(CASES), ENROLMENTS)
    world.probation_cases = set(rng.sample(range(CASES), CASES // 10))


def _grants(world):
    """What cases.services._grant leaves for each share: a CaseAgency row and the view
    permission on the agency's group."""
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    shares = {i: {world.lead[i], world.police[world.force[i]].pk} for i in range(CASES)}
    advocacy, health, probation = (
        world.others[k] for k in (AgencyKind.ADVOCACY, AgencyKind.HEALTH, AgencyKind.PROBATION)
    )
    for i in world.episode_cases:
        shares[i].add(advocacy.pk)
    for i in world.enrolment_cases:
        shares[i].add(health.pk)
    for i in world.probation_cases:
        shares[i].add(probation.pk)
    groups = dict(
        Agency.objects.filter(partnership=world.partnership).values_list("pk", "group_id")
    )
    links, perms = [], []
    for i, agencies in shares.items():
        case_id = world.case_ids[i]
        shared_at = _at(world.opened[i], 10)
        officer = world.officers[world.force[i]][0]
        for agency_id in sorted(agencies):
            links.append(
                CaseAgency(
                    case_id=case_id,
                    agency_id=agency_id,
                    shared_at=shared_at,
                    shared_by=officer,
                    reason="Opened the case",
                )
            )
            perms.append(
                CaseGroupObjectPermission(
                    group_id=groups[agency_id], permission=view, content_object_id=case_id
                )
            )
        if len(links) >= BATCH * 4:
            _bulk(CaseAgency, links)
            _bulk(CaseGroupObjectPermission, perms)
            links, perms = [], []
    _bulk(CaseAgency, links)
    _bulk(CaseGroupObjectPermission, perms)


def _referrals(world):
    rng, today = world.rng, world.today
    sources = _codes("referral_source")
    source = _weighted(rng, [(sources[code], w) for code, w in SOURCE_WEIGHTS.items()])
    by_code = {pk: code for code, pk in sources.items()}
    kinds = world.others
    rows = []

    def referral(i, received, decision, with_case):
        src = source()
        kind = SOURCE_AGENCY[by_code[src]]
        force = world.force[i]
        agency = world.police[force] if kind is None else kinds[kind]
        officer = world.officers[force][0]
        decided = screened = None
        if decision:
            decided = _at(
                world.day_between(received + timedelta(days=1), received + timedelta(days=21)), 11
            )
            screened = decided - timedelta(hours=20)
        elif received < today - timedelta(days=3):
            screened = _at(received + timedelta(days=1), 9)
        return Referral(
            partnership=world.partnership,
            case_id=world.case_ids[i] if with_case else None,
            source_id=src,
            referring_agency=agency,
            received_on=received,
            reason="Bench referral: repeated unwanted contact.",
            sharing_basis="public_task",
            perpetrator_id=world.perpetrator[i],
            victim_id=world.victim[i],
            screened_at=screened,
            screened_by=officer if screened else None,
            decision=decision,
            decision_reason="Bench decision" if decision else "",
            decided_at=decided,
            decided_by=world.supervisor if decision else None,
            created_by=officer,
            created_at=_at(received, 9),
        )

    for i in range(CASES):
        received = world.day_between(world.opened[i] - timedelta(days=10), world.opened[i])
        rows.append(referral(i, received, "accepted", True))
        if len(rows) >= BATCH:
            _bulk(Referral, rows)
            rows = []
    # A tenth of the cases referred a second time (by another source, later).
    for i in rng.sample(range(CASES), CASES // 10):
        received = world.day_between(
            world.opened[i] + timedelta(days=30), world.opened[i] + timedelta(days=400)
        )
        rows.append(referral(i, received, rng.choice(("accepted", "accepted", "")), True))
        if len(rows) >= BATCH:
            _bulk(Referral, rows)
            rows = []
    # And a tenth more that never became a case.
    for i in rng.sample(range(CASES), CASES // 10):
        received = world.day_between(world.start, today)
        decision = rng.choices(
            ("not_stalking", "not_applicable", "declined", "withdrawn", ""), (45, 10, 25, 8, 12)
        )[0]
        if received > today - timedelta(days=14):
            decision = ""
        rows.append(referral(i, received, decision, False))
        if len(rows) >= BATCH:
            _bulk(Referral, rows)
            rows = []
    _bulk(Referral, rows)


def _screen(world):
    rng, today = world.rng, world.today
    offences = _codes("offence")
    offence = _weighted(rng, [(offences[c], w) for c, w in OFFENCE_WEIGHTS.items()])
    outcomes = list(_codes("outcome").values())
    stalking = [offences["008/65"], offences["008/66"]]
    linked = set(rng.sample(range(SCREEN), int(SCREEN * 0.4)))
    rows, actions = [], []
    world.crimes = []  # (case index, crime reference, recorded_on) of the linked ones

    def flush():
        _bulk(CrimeScreenEntry, rows)
        for entry, action in actions:
            action.entry_id = entry.pk
        _bulk(ScreeningAction, [action for _entry, action in actions])
        rows.clear()
        actions.clear()

    for n in range(SCREEN):
        if n in linked:
            i = rng.randrange(CASES)
            force = world.force[i]
            recorded = world.day_between(
                world.opened[i] - timedelta(days=20), world.opened[i] + timedelta(days=60)
            )
        else:
            i, force = None, rng.choice(("north", "south"))
            recorded = world.day_between(world.start, today)
        reference = f"{force[0].upper()}{recorded:%y}/{n:07d}"
        code = offence()
        source_code = code
        action = None
        if rng.random() < 0.03 and code not in stalking:
            outcome = rng.choices(("accepted", "refused", "pending"), (60, 20, 20))[0]
            requested = rng.choice(stalking)
            acted = _at(recorded + timedelta(days=1), 10)
            officer = rng.choice(world.officers[force])
            action = ScreeningAction(
                kind="reclassification",
                acted_at=acted,
                actor=officer,
                agency=world.police[force],
                note="Course of conduct: stalking, not harassment.",
                requested_offence_id=requested,
                previous_offence_id=code if outcome == "accepted" else None,
                reclassification_outcome=outcome,
                decided_at=acted + timedelta(days=1) if outcome != "pending" else None,
                decided_by=world.supervisor if outcome != "pending" else None,
            )
            if outcome == "accepted":
                code = requested
        disposal = disposal_on = None
        if rng.random() < 0.5:
            disposal_on = recorded + timedelta(days=rng.randint(7, 420))
            if disposal_on <= today:
                disposal = rng.choice(outcomes)
            else:
                disposal_on = None
        suspect = world.perpetrator[i] if i is not None else None
        victim = world.victim[i] if i is not None else None
        rows.append(
            CrimeScreenEntry(
                partnership=world.partnership,
                crime_reference=reference,
                recorded_on=recorded,
                offence_id=code,
                source_offence_id=source_code,
                offence_description="Bench offence",
                summary="Bench crime summary.",
                domestic_abuse=rng.random() < 0.45,
                officer_in_charge="DC Bench",
                suspect_name="Bench Suspect",
                suspect_gender=world.gender[suspect]
                if suspect
                else rng.choice(("male", "female", "")),
                victim_name="Bench Victim",
                victim_gender=world.gender[victim]
                if victim
                else rng.choice(("female", "male", "")),
                location_area=rng.choice(FORCES[force][1]),
                suspect_person_id=suspect,
                victim_person_id=victim,
                case_id=world.case_ids[i] if i is not None else None,
                disposal_id=disposal,
                disposal_on=disposal_on,
                row_hash=f"{n:064x}",
                first_imported_at=_at(recorded, 7),
                updated_at=_at(recorded, 7),
                screened_at=_at(recorded + timedelta(days=1), 9)
                if rng.random() < 0.9 and recorded < today
                else None,
            )
        )
        if action is not None:
            actions.append((rows[-1], action))
        if i is not None:
            world.crimes.append((i, reference, recorded))
        if len(rows) >= BATCH:
            flush()
    flush()


def _advocacy(world):
    rng, today = world.rng, world.today
    advocacy = world.others[AgencyKind.ADVOCACY]
    routes = (
        "police_screening",
        "police_screening",
        "clinic",
        "marac",
        "helpline",
        "self",
        "other",
    )
    episodes, spans = [], []
    for i in world.episode_cases:
        referred = world.day_between(world.opened[i], world.opened[i] + timedelta(days=30))
        waiting = referred > today - timedelta(days=10) and rng.random() < 0.5
        made = (
            None if waiting else _at(world.day_between(referred, referred + timedelta(days=4)), 14)
        )
        # Support lasts one to ten months; a few episodes stay open for years.
        closed = referred + timedelta(days=rng.randint(30, 300))
        if made is None or closed >= today or rng.random() < 0.1:
            closed = None
        advocate = rng.choice(world.advocates)
        episodes.append(
            SupportEpisode(
                partnership=world.partnership,
                case_id=world.case_ids[i],
                victim_id=world.victim_party[i],
                advocacy_agency=advocacy,
                advocate=advocate,
                referral_route=rng.choice(routes),
                referred_on=referred,
                first_contact_due_on=first_contact_target(referred),
                first_contact_attempted_at=made,
                first_contact_made_at=made,
                support_consent_on=made.date() if made else None,
                support_consent_method="verbal" if made else "",
                closed_on=closed,
                closure_reason=rng.choice(("support_complete", "declined", "unable_to_contact"))
                if closed
                else "",
                created_by=advocate,
                created_at=_at(referred, 9),
            )
        )
        spans.append((referred, closed or today, advocate, made is not None))
    _bulk(SupportEpisode, episodes)
    contacts = []
    for episode, (low, high, advocate, contacted) in zip(episodes, spans, strict=True):
        if not contacted:
            continue
        for _ in range(rng.randint(3, 7)):
            day = world.day_between(low, high)
            contacts.append(
                Contact(
                    episode=episode,
                    at=_at(day, rng.randint(8, 19), rng.choice((0, 15, 30, 45))),
                    channel=rng.choice(("phone", "phone", "text", "email", "in_person")),
                    direction=rng.choice(("outgoing", "outgoing", "incoming")),
                    made=rng.random() < 0.75,
                    duration_minutes=rng.randint(5, 60),
                    summary="Bench contact: safe to talk, safety plan reviewed.",
                    recorded_by=advocate,
                )
            )
        if len(contacts) >= BATCH * 4:
            _bulk(Contact, contacts)
            contacts = []
    _bulk(Contact, contacts)


def _interventions(world):
    rng, today = world.rng, world.today
    fact = Programme.objects.get(partnership=None, code="fact")
    health = world.others[AgencyKind.HEALTH]
    attendance = _weighted(
        rng,
        (
            ("attended_engaged", 75),
            ("attended_not_engaged", 6),
            ("late", 6),
            ("acceptable_absence", 6),
            ("unacceptable_absence", 5),
            ("provider_cancelled", 2),
        ),
    )
    withdrawal = ("declined", "disengaged", "moved", "custody", "breach", "unsuitable")
    for first in range(0, ENROLMENTS, BATCH // 5):
        chunk = world.enrolment_cases[first : first + BATCH // 5]
        plans = []
        enrolments = []
        for i in chunk:
            referred = world.day_between(
                world.opened[i] + timedelta(days=14), world.opened[i] + timedelta(days=120)
            )
            consent = referred + timedelta(days=rng.randint(3, 20))
            planned = rng.choice((4, 5, 6))
            withdraw_after = rng.randint(1, planned - 1) if rng.random() < 0.125 else None
            practitioner = rng.choice(world.clinicians)
            plans.append((consent, planned, withdraw_after, practitioner))
            enrolments.append(
                Enrolment(
                    partnership=world.partnership,
                    case_id=world.case_ids[i],
                    party_id=world.perpetrator_party[i],
                    programme=fact,
                    provider_agency=health,
                    practitioner=practitioner,
                    referred_on=referred,
                    pathway=rng.choice(
                        ("voluntary", "voluntary", "spo_requirement", "conditional_caution")
                    ),
                    planned_sessions=planned,
                    consent_signed_on=consent if consent <= today else None,
                    created_by=practitioner,
                    created_at=_at(referred, 9),
                )
            )
        sessions, moves = [], []
        for enrolment, (consent, planned, withdraw_after, practitioner) in zip(
            enrolments, plans, strict=True
        ):
            weeks = planned if withdraw_after is None else withdraw_after
            last = None
            for week in range(weeks):
                day = consent + timedelta(days=7 * (week + 1))
                at = _at(day, rng.choice((10, 11, 14, 15)))
                if day >= today:
                    row = Session(
                        enrolment=enrolment,
                        scheduled_at=at,
                        modality="video",
                        created_by=practitioner,
                    )
                else:
                    code = attendance()
                    row = Session(
                        enrolment=enrolment,
                        scheduled_at=at,
                        modality=rng.choice(("video", "in_person", "phone")),
                        status="recorded",
                        attendance=code,
                        minutes=60
                        if code in ("attended_engaged", "attended_not_engaged")
                        else 45
                        if code == "late"
                        else None,
                        recorded_at=at + timedelta(hours=2),
                        recorded_by=practitioner,
                        created_by=practitioner,
                    )
                    last = day
                sessions.append(row)
                if week == 0 and rng.random() < 0.33:
                    moves.append(
                        (
                            row,
                            Session(
                                enrolment=enrolment,
                                scheduled_at=at - timedelta(days=2),
                                modality="video",
                                status="rescheduled",
                                created_by=practitioner,
                            ),
                        )
                    )
            if withdraw_after is not None and last is not None:
                enrolment.withdrawn_on = last + timedelta(days=10)
                enrolment.withdrawal_reason = rng.choice(withdrawal)
                if enrolment.withdrawn_on > today:
                    enrolment.withdrawn_on, enrolment.withdrawal_reason = None, ""
        with transaction.atomic():
            _bulk(Enrolment, enrolments)
            for row in sessions:
                row.enrolment_id = row.enrolment.pk
            _bulk(Session, sessions)
            old_rows = []
            for new, old in moves:
                old.enrolment_id = new.enrolment_id
                old.superseded_by_id = new.pk
                old_rows.append(old)
            _bulk(Session, old_rows)


def _assessments(world):
    rng = world.rng
    tools = {
        i.code: (i, i.versions.order_by("-version").first())
        for i in Instrument.objects.filter(
            partnership=None, code__in=("sash", "srp", "dash", "s-dash")
        )
    }
    tool = _weighted(rng, (("sash", 45), ("dash", 25), ("s-dash", 15), ("srp", 15)))
    historic_level = _weighted(
        rng,
        (("low", 30), ("moderate", 30), ("moderate_high", 10), ("high", 20), ("not_completed", 10)),
    )
    health = world.others[AgencyKind.HEALTH]
    rows = []
    for _ in range(ASSESSMENTS):
        i = rng.randrange(CASES)
        code = tool()
        instrument, version = tools[code]
        assessed = world.day_between(world.opened[i], world.opened[i] + timedelta(days=180))
        on_perpetrator = code in ("sash", "srp")
        agency = health if on_perpetrator else world.police[world.force[i]]
        assessor = (
            rng.choice(world.clinicians) if on_perpetrator else world.officers[world.force[i]][0]
        )
        row = Assessment(
            partnership=world.partnership,
            case_id=world.case_ids[i],
            instrument_version=version,
            subject_id=world.perpetrator[i] if on_perpetrator else world.victim[i],
            assessor=assessor,
            agency=agency,
            assessed_on=assessed,
            created_at=_at(assessed, 12),
        )
        if assessed < version.effective_from:
            # Before the tool's version: a rating brought in as recorded (risk.services).
            recorded = historic_level()
            level = HISTORIC_TO_LEVEL[recorded]
            row.status, row.historic, row.recorded_level = "complete", True, recorded
            row.computed_level = row.level = level
            row.completed_at = _at(assessed, 13)
        else:
            band = rng.choice(version.definition["scoring"]["bands"])
            complete = rng.random() < 0.9
            row.status = "complete" if complete else "draft"
            if complete:
                row.result = {
                    "method": version.definition["scoring"]["method"],
                    "score": band.get("min", 0),
                    "band": band.get("code", ""),
                    "band_label": band.get("label", ""),
                    "level": band.get("level", ""),
                    "prompts": [],
                    "domains": {},
                }
                row.computed_level = row.level = band.get("level", "")
                row.review_due_on = assessed + timedelta(days=90)
                row.completed_at = _at(assessed, 13)
        rows.append(row)
        if len(rows) >= BATCH:
            _bulk(Assessment, rows)
            rows = []
    _bulk(Assessment, rows)


def _case_record(world):
    rng = world.rng
    officer = world.officers["north"][0]
    kind = _weighted(
        rng,
        (
            ("spo_interim", 35),
            ("spo_full", 35),
            ("restraining", 15),
            ("non_molestation", 10),
            ("dvpo", 5),
        ),
    )
    orders = []
    for _ in range(ORDERS):
        i = rng.randrange(CASES)
        applied = world.day_between(world.opened[i], world.opened[i] + timedelta(days=90))
        decision = rng.choices(("pending", "granted", "refused", "withdrawn"), (10, 70, 12, 8))[0]
        decided = None
        if decision != "pending":
            decided = world.day_between(applied + timedelta(days=1), applied + timedelta(days=60))
        orders.append(
            ProtectiveOrder(
                case_id=world.case_ids[i],
                subject_id=world.perpetrator[i],
                protected_id=world.victim[i],
                kind=kind(),
                applied_on=applied,
                decision=decision,
                decided_on=decided,
                conditions="Not to contact the victim directly or indirectly.",
                expires_on=decided + timedelta(days=730) if decision == "granted" else None,
                created_by=officer,
            )
        )
    _bulk(ProtectiveOrder, orders)
    events = []
    for n in range(REOFFENDING):
        i = rng.randrange(CASES)
        events.append(
            ReoffendingEvent(
                partnership=world.partnership,
                case_id=world.case_ids[i],
                perpetrator_id=world.perpetrator[i],
                occurred_on=world.day_between(
                    world.opened[i] + timedelta(days=7), world.opened[i] + timedelta(days=540)
                ),
                victim=rng.choices(("same", "new"), (70, 30))[0],
                source=rng.choice(
                    ("police_report", "police_report", "advocate", "probation", "health")
                ),
                crime_reference=f"RE/{n:06d}",
                created_by=officer,
            )
        )
    _bulk(ReoffendingEvent, events)
    outcomes = list(_codes("outcome").values())
    rows = []
    for i, reference, recorded in rng.sample(world.crimes, min(OUTCOMES, len(world.crimes))):
        convicted = rng.choice((True, False, None))
        rows.append(
            CriminalJusticeOutcome(
                partnership=world.partnership,
                case_id=world.case_ids[i],
                person_id=world.perpetrator[i],
                outcome_id=rng.choice(outcomes),
                outcome_on=world.day_between(
                    recorded + timedelta(days=14), recorded + timedelta(days=400)
                ),
                crime_reference=reference,
                charge="Stalking (s2A)" if convicted is not None else "",
                convicted=convicted,
                sentence="Community order" if convicted else "",
                created_by=officer,
            )
        )
    _bulk(CriminalJusticeOutcome, rows)


def _triage(world):
    rng, today = world.rng, world.today
    clinic = Clinic.objects.create(
        partnership=world.partnership,
        name="Bench triage clinic",
        kind="triage_clinic",
        cadence="fortnightly",
        first_meeting_on=world.start,
        starts_at=clock(10),
        chair=world.chair,
    )
    clinic.agencies.set(Agency.objects.filter(partnership=world.partnership))
    meetings = []
    day = world.start
    while day <= today:
        meetings.append(
            Meeting(
                clinic=clinic,
                partnership=world.partnership,
                held_on=day,
                starts_at=_at(day, 10),
                status="closed" if day < today else "planned",
                chair=world.chair,
                closed_at=_at(day, 12) if day < today else None,
                closed_by=world.chair if day < today else None,
            )
        )
        day += timedelta(days=14)
    _bulk(Meeting, meetings)
    held = [m for m in meetings if m.held_on < today]
    decisions = (
        "accept",
        "accept",
        "monitor",
        "not_stalking",
        "refer_intervention",
        "refer_marac_mappa",
        "close",
    )
    held_days = [m.held_on for m in held]
    versions, last_meeting, discussions = {}, {}, []
    for _ in range(DISCUSSIONS):
        i = rng.randrange(CASES)
        if i in last_meeting:
            # A later version: at one of the next few meetings after the last one.
            low = last_meeting[i] + 1
            index = rng.randint(low, low + 8)
        else:
            index = bisect.bisect_left(held_days, world.opened[i])
        if index >= len(held):
            continue
        meeting = held[index]
        last_meeting[i] = index
        versions[i] = versions.get(i, 0) + 1
        discussions.append(
            CaseDiscussion(
                case_id=world.case_ids[i],
                meeting=meeting,
                version=versions[i],
                summary="Bench case analysis summary.",
                classification="stalking",
                risk_judgement=rng.choice(("low", "medium", "high", "not_known")),
                tier=rng.choice(("1", "2", "3", "4", "none")),
                decision=rng.choice(decisions),
                recorded_by=world.chair,
                recorded_at=_at(meeting.held_on, 11),
            )
        )
    _bulk(CaseDiscussion, discussions)
    agencies = [*world.police.values(), *world.others.values()]
    actions = []
    for n in range(ACTIONS):
        discussion = discussions[n % len(discussions)]
        held_on = discussion.recorded_at.date()
        due = held_on + timedelta(days=rng.randint(7, 42))
        status = (
            "done"
            if due < today - timedelta(days=60) and rng.random() < 0.85
            else rng.choice(("open", "open", "done", "cancelled"))
        )
        owner_agency = rng.choice(agencies)
        actions.append(
            Action(
                partnership=world.partnership,
                case_id=discussion.case_id,
                discussion=discussion,
                description="Bench action: update the victim and review the safety plan.",
                owner_agency=owner_agency,
                due_on=due,
                status=status,
                completed_at=_at(due, 15) if status == "done" else None,
                completed_by=world.chair if status == "done" else None,
                cancel_reason="No longer needed" if status == "cancelled" else "",
                created_by=world.chair,
                created_at=_at(held_on, 12),
            )
        )
    _bulk(Action, actions)


def _inputs(world):
    rng, today = world.rng, world.today
    areas = list(LocalArea.objects.filter(partnership=world.partnership))
    agencies = [*world.police.values(), *world.others.values()]
    audiences = (
        "police",
        "health",
        "advocacy",
        "probation",
        "cps",
        "local_authority",
        "education",
        "voluntary",
        "public",
        "other",
    )
    _bulk(
        TrainingEvent,
        [
            TrainingEvent(
                partnership=world.partnership,
                delivered_on=world.day_between(world.start, today),
                topic=rng.choice(
                    (
                        "Recognising stalking",
                        "S-DASH screening",
                        "SPO applications",
                        "fACT awareness",
                    )
                ),
                audience=rng.choice(audiences),
                attendee_count=rng.randint(5, 60),
                delivered_by=rng.choice(agencies),
                local_area=rng.choice(areas) if rng.random() < 0.4 else None,
                created_by=world.managers[0],
            )
            for _ in range(TRAINING)
        ],
    )
    fte = []
    year = world.start.year - 1
    while date(year, 4, 1) <= today:
        for agency in agencies:
            fte.append(
                StaffFte(
                    partnership=world.partnership,
                    agency=agency,
                    period_start=date(year, 4, 1),
                    period_end=date(year + 1, 3, 31),
                    fte=Decimal(rng.randint(10, 120)) / 10,
                    created_by=world.managers[0],
                )
            )
        year += 1
    _bulk(StaffFte, fte)


STEPS = (
    ("people and cases", _people_and_cases),
    ("grants", _grants),
    ("referrals", _referrals),
    ("crime screen", _screen),
    ("advocacy", _advocacy),
    ("interventions", _interventions),
    ("risk assessments", _assessments),
    ("orders, re-offending, outcomes", _case_record),
    ("clinic discussions and actions", _triage),
    ("training and staff FTE", _inputs),
)


def load(*, seed=SEED):
    """The bench partnership, loaded the first time (then found and returned)."""
    existing = Partnership.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    world = World(random.Random(seed), timezone.localdate())
    print(f"Loading the reporting dataset ({CASES:,} cases)…", flush=True)
    with transaction.atomic():
        _agencies(world)
        for label, step in STEPS:
            step(world)
            _step(label, started)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    world.partnership.load_seconds = time.perf_counter() - started
    print(f"  loaded in {world.partnership.load_seconds:.0f} s", flush=True)
    return world.partnership


if __name__ == "__main__":
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL.")
    load()
