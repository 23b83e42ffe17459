"""Fill a database with one large partnership for benchmarks (PostgreSQL recommended).

    python manage.py seed_scale     # 100,000 cases, 300,000 crimes, 200,000 people
    python manage.py seed_scale --cases 1000 --entries 3000 --people 2000 --slug small

Creates the partnership, five agencies, an investigator (inv@<slug>.test), a police
supervisor (sup@<slug>.test) and a clinician (clin@<slug>.test), password
``bench-password-123``; cases shared with police (guardian grants), people, and
crime-screen entries over the last year, about 70% of them screened with one action.
Refuses to run twice for the same slug.
"""

import random
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Agency, Membership, Partnership, User
from accounts.roles import AgencyKind, Role
from cases.models import (
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CodeList,
    CrimeScreenEntry,
    Person,
    ReclassificationOutcome,
    ReferenceCode,
    ScreeningAction,
    ScreeningActionKind,
)

BATCH = 5_000
PASSWORD = "bench-password-123"
SUMMARIES = (
    "Ex-partner sends repeated messages and turned up at her workplace.",
    "Suspect followed the victim home and was seen loitering outside.",
    "Neighbour dispute over parking; one abusive note left on a car.",
    "Former colleague created fake profiles and left unwanted gifts.",
    "Threatened to damage her car; repeated calls at night.",
    "Victim believes her phone is being tracked by her ex-partner.",
    "Single argument in a pub car park; parties not known to each other.",
    "Appears fixated on the victim and has been monitoring her social media.",
)
AREAS = ("Northtown Central", "Northtown East", "Riverside", "Hillbrook", "Westfield", "Marsh End")
GIVEN = ("Amelia", "Oliver", "Isla", "Jack", "Ava", "Harry", "Mia", "George", "Sophie", "Noah")
FAMILY = ("Thornbury", "Ashdown", "Kellaway", "Brimble", "Fenwick", "Hollins", "Okafor", "Pryce")
KINDS = (
    ScreeningActionKind.RECORDED_ONLY,
    ScreeningActionKind.REFER_TO_TRIAGE,
    ScreeningActionKind.ADVOCACY_REFERRAL,
    ScreeningActionKind.RECLASSIFICATION,
    ScreeningActionKind.NO_FURTHER_ACTION,
    ScreeningActionKind.EASI_CANDIDATE,
)


class Command(BaseCommand):
    help = "Generate a large partnership (cases, people, crime-screen entries) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--entries", type=int, default=300_000)
        parser.add_argument("--people", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, slug, cases, entries, people, seed, **options):
        if Partnership.objects.filter(slug=slug).exists():
            raise CommandError(f"Partnership {slug!r} already exists; choose another --slug.")
        rng = random.Random(seed)
        started = time.perf_counter()
        partnership, agencies, users = self._partnership(slug)
        self._cases(partnership, agencies, users["inv"], cases)
        self._people(partnership, people, rng)
        self._entries(partnership, agencies[0], users, entries, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Seeded {slug}: {cases:,} cases, {people:,} people, {entries:,} crime-screen "
            f"entries in {time.perf_counter() - started:.0f} s."
        )

    def _partnership(self, slug):
        partnership = Partnership.objects.create(
            name=f"Scale {slug}", slug=slug, case_reference_prefix=slug[:4].upper()
        )
        kinds = (
            AgencyKind.POLICE,
            AgencyKind.HEALTH,
            AgencyKind.ADVOCACY,
            AgencyKind.PROBATION,
            AgencyKind.CPS,
        )
        agencies = [
            Agency.objects.create(partnership=partnership, name=f"{slug} {kind}", kind=kind)
            for kind in kinds
        ]
        vetting = timezone.localdate() + timedelta(days=365)
        users = {}
        for key, role, agency in (
            ("inv", Role.INVESTIGATOR, agencies[0]),
            ("sup", Role.POLICE_SUPERVISOR, agencies[0]),
            ("clin", Role.CLINICIAN, agencies[1]),
        ):
            user = User.objects.create_user(
                email=f"{key}@{slug}.test", password=PASSWORD, full_name=f"{key} {slug}"
            )
            Membership.objects.create(
                user=user, agency=agency, role=role, vetting_expires_on=vetting
            )
            users[key] = user
        return partnership, agencies, users

    def _cases(self, partnership, agencies, creator, count):
        view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")
        today = timezone.localdate()
        police = agencies[0]
        for start in range(0, count, BATCH):
            with transaction.atomic():
                made = Case.objects.bulk_create(
                    Case(
                        partnership=partnership,
                        reference=f"{partnership.case_reference_prefix}-{n:07d}",
                        summary="Scale case",
                        lead_agency=police,
                        opened_on=today - timedelta(days=n % 900),
                        created_by=creator,
                    )
                    for n in range(start, min(start + BATCH, count))
                )
                CaseAgency.objects.bulk_create(
                    CaseAgency(case=case, agency=police, shared_by=creator) for case in made
                )
                CaseGroupObjectPermission.objects.bulk_create(
                    CaseGroupObjectPermission(
                        group_id=police.group_id, permission=view_case, content_object=case
                    )
                    for case in made
                )
            self.stdout.write(f"  {min(start + BATCH, count):,} cases")

    def _people(self, partnership, count, rng):
        for start in range(0, count, BATCH):
            Person.objects.bulk_create(
                Person(
                    partnership=partnership,
                    given_names=rng.choice(GIVEN),
                    family_name=f"{rng.choice(FAMILY)}{n % 4999}",
                )
                for n in range(start, min(start + BATCH, count))
            )
        self.stdout.write(f"  {count:,} people")

    def _entries(self, partnership, police, users, count, rng):
        offences = list(
            ReferenceCode.objects.filter(code_list=CodeList.OFFENCE, partnership__isnull=True)
        )
        actors = [users["inv"], users["sup"]]
        today = timezone.localdate()
        now = timezone.now()
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, count)):
                age = min(364, int(rng.expovariate(1 / 90)))
                recorded = today - timedelta(days=age)
                screened = age > 2 and rng.random() < 0.85 or age <= 2 and rng.random() < 0.3
                screened_at = (
                    timezone.make_aware(
                        datetime.combine(recorded + timedelta(days=rng.randint(0, 2)), clock(10))
                    )
                    if screened
                    else None
                )
                if screened_at and screened_at > now:
                    screened_at = now
                batch.append(
                    CrimeScreenEntry(
                        partnership=partnership,
                        crime_reference=f"SC/{n:07d}/{recorded:%y}",
                        recorded_on=recorded,
                        offence=rng.choice(offences),
                        summary=rng.choice(SUMMARIES),
                        domestic_abuse=rng.random() < 0.6,
                        officer_in_charge=f"PC {rng.randint(1000, 1400)}",
                        suspect_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                        victim_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                        location_area=rng.choice(AREAS),
                        row_hash=f"{n:064x}",
                        screened_at=screened_at,
                    )
                )
            with transaction.atomic():
                made = CrimeScreenEntry.objects.bulk_create(batch)
                actions = []
                for entry in made:
                    if entry.screened_at is None:
                        continue
                    kind = rng.choice(KINDS)
                    actions.append(
                        ScreeningAction(
                            entry=entry,
                            kind=kind,
                            acted_at=entry.screened_at,
                            actor=rng.choice(actors),
                            agency=police,
                            reason="Not stalking." if kind == KINDS[4] else "",
                            requested_offence=offences[1] if kind == KINDS[3] else None,
                            reclassification_outcome=rng.choice(ReclassificationOutcome.values)
                            if kind == KINDS[3]
                            else "",
                        )
                    )
                ScreeningAction.objects.bulk_create(actions)
            self.stdout.write(f"  {min(start + BATCH, count):,} crime-screen entries")
