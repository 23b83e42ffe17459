"""Benchmark person match suggestions (cases.selectors.people.person_match).

Usage (PostgreSQL, an empty database it may fill):
    createdb -h 127.0.0.1 -U postgres stalking_bench_h2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_h2 \
        .venv/bin/python benchmarks/people_match.py

Loads PEOPLE people (default 200,000) into one partnership with a realistic name
distribution (common UK surnames heavily repeated: Smith, Jones, Taylor…; a long tail of
rarer ones), dates of birth for most, aliases for one in eight, identifiers for some.
Half are parties to cases (two per case, every case shared with police, some with
health), the rest sit on referrals or nowhere. Then times ~50 match queries (exact names,
misspellings, swapped dates, aliases, identifiers, common names) for an agency-scoped
investigator and the partnership-wide clinic chair. Prints p50/p95 in milliseconds.
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import (  # noqa: E402
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CaseParty,
    IdentifierKind,
    Person,
    PersonAlias,
    PersonIdentifier,
)
from cases.selectors.people import MatchQuery, person_match  # noqa: E402

PEOPLE = int(os.environ.get("PEOPLE", "200000"))
QUERIES = int(os.environ.get("QUERIES", "50"))
BATCH = 5000
SLUG = "bench-people"

COMMON_SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Miller",
    "Cox",
    "Hussain",
    "Marshall",
    "Simpson",
    "Price",
    "Anderson",
    "Adams",
    "Wilkinson",
    "Ali",
    "Ahmed",
    "Foster",
    "Ellis",
    "Murphy",
    "Chapman",
    "Mason",
    "Gray",
    "Richards",
    "Webb",
    "Griffiths",
    "Hunt",
    "Palmer",
    "Campbell",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Matthews",
    "Barker",
]
GIVEN = [
    "Oliver",
    "Jack",
    "Harry",
    "George",
    "Noah",
    "Charlie",
    "Jacob",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Leo",
    "Alfie",
    "Henry",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Daniel",
    "Samuel",
    "Mohammed",
    "David",
    "Michael",
    "John",
    "Paul",
    "Mark",
    "Andrew",
    "Richard",
    "Peter",
    "Robert",
    "Stephen",
    "Christopher",
    "Matthew",
    "Lee",
    "Darren",
    "Wayne",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophia",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Jessica",
    "Sophie",
    "Chloe",
    "Sarah",
    "Emma",
    "Laura",
    "Rebecca",
    "Hannah",
    "Charlotte",
    "Lucy",
    "Amy",
    "Rachel",
    "Claire",
    "Nicola",
    "Kelly",
    "Michelle",
    "Karen",
    "Susan",
    "Julie",
    "Helen",
    "Lisa",
    "Joanne",
    "Louise",
    "Victoria",
    "Fatima",
    "Aisha",
    "Priya",
    "Zara",
    "Maria",
    "Anna",
]
SYLLABLES = [
    "al",
    "an",
    "ar",
    "be",
    "bri",
    "ca",
    "co",
    "da",
    "de",
    "el",
    "en",
    "fa",
    "fi",
    "ga",
    "ha",
    "ho",
    "in",
    "ka",
    "ke",
    "la",
    "li",
    "lo",
    "ma",
    "mi",
    "mo",
    "na",
    "ni",
    "no",
    "or",
    "pa",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "ta",
    "te",
    "ti",
    "to",
    "va",
    "ve",
    "wi",
]


def rare_surname(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def surname(rng):
    # Zipf-like: the commonest name about 1% of people, the top 90 about a third.
    if rng.random() < 0.35:
        index = min(int(rng.paretovariate(1.1)) - 1, len(COMMON_SURNAMES) - 1)
        return COMMON_SURNAMES[index]
    return rare_surname(rng)


def birth_date(rng):
    return date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 65))


def nhs_number(n):
    base = f"{(400000000 + n) % 1000000000:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(base))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else base + str(check)


def load():
    if Partnership.objects.filter(slug=SLUG).exists():
        return
    rng = random.Random(20260401)
    partnership = Partnership.objects.create(
        name="Bench people", slug=SLUG, case_reference_prefix="BP"
    )
    police = Agency.objects.create(
        partnership=partnership, name="BP police", kind=AgencyKind.POLICE
    )
    health = Agency.objects.create(
        partnership=partnership, name="BP health", kind=AgencyKind.HEALTH
    )
    vetting = timezone.localdate() + timedelta(days=365)
    for email, role, agency in (
        ("inv@bench-people.test", Role.INVESTIGATOR, police),
        ("chair@bench-people.test", Role.CLINIC_CHAIR, health),
    ):
        user = User.objects.create_user(email=email, password="bench-password-123", full_name=email)
        Membership.objects.create(user=user, agency=agency, role=role, vetting_expires_on=vetting)
    creator = User.objects.get(email="inv@bench-people.test")
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    today = timezone.localdate()
    for start in range(0, PEOPLE, BATCH):
        stop = min(start + BATCH, PEOPLE)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(
                    partnership=partnership,
                    given_names=rng.choice(GIVEN)
                    + (f" {rng.choice(GIVEN)}" if rng.random() < 0.2 else ""),
                    family_name=surname(rng),
                    date_of_birth=birth_date(rng) if rng.random() < 0.8 else None,
                )
                for _ in range(start, stop)
            )
            PersonAlias.objects.bulk_create(
                PersonAlias(person=p, name=f"{rng.choice(GIVEN)} {surname(rng)}")
                for p in people
                if rng.random() < 0.125
            )
            identifiers = []
            for i, p in enumerate(people, start):
                if i % 5 == 0:
                    identifiers.append(
                        PersonIdentifier(
                            person=p,
                            partnership=partnership,
                            kind=IdentifierKind.PNC,
                            value=f"{i % 100:02d}/{i:07d}A",
                        )
                    )
                if i % 3 == 0 and nhs_number(i):
                    identifiers.append(
                        PersonIdentifier(
                            person=p,
                            partnership=partnership,
                            kind=IdentifierKind.NHS,
                            value=nhs_number(i),
                        )
                    )
            PersonIdentifier.objects.bulk_create(identifiers)
            in_cases = people[: len(people) // 2]
            cases = Case.objects.bulk_create(
                Case(
                    partnership=partnership,
                    reference=f"BP-{start + n:07d}",
                    summary="Bench case",
                    lead_agency=police,
                    opened_on=today - timedelta(days=n % 900),
                    created_by=creator,
                )
                for n in range(len(in_cases) // 2)
            )
            CaseParty.objects.bulk_create(
                CaseParty(case=cases[i // 2], person=p, role="victim" if i % 2 else "perpetrator")
                for i, p in enumerate(in_cases[: len(cases) * 2])
            )
            links, grants = [], []
            for case in cases:
                for agency in [police] + ([health] if case.pk % 3 == 0 else []):
                    links.append(CaseAgency(case=case, agency=agency, shared_by=creator))
                    grants.append(
                        CaseGroupObjectPermission(
                            group_id=agency.group_id, permission=view_case, content_object=case
                        )
                    )
            CaseAgency.objects.bulk_create(links)
            CaseGroupObjectPermission.objects.bulk_create(grants)
        print(f"  loaded {stop:,} people", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def misspell(rng, name):
    if len(name) < 4:
        return name
    i = rng.randint(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def queries(partnership):
    """About QUERIES realistic searches built from people actually stored."""
    rng = random.Random(7)
    # The same people every run (ORDER BY random() drew a new sample each time, so two
    # runs did not time the same searches).
    ids = list(
        Person.objects.filter(partnership=partnership).order_by("pk").values_list("pk", flat=True)
    )
    chosen = random.Random(11).sample(ids, min(len(ids), QUERIES * 2))
    by_pk = Person.objects.prefetch_related("aliases", "identifiers").in_bulk(chosen)
    people = [by_pk[pk] for pk in chosen]
    result = []
    for n, p in enumerate(people):
        kind = n % 6
        dob = p.date_of_birth
        if kind == 0:  # exact
            result.append(MatchQuery(p.given_names, p.family_name, (), dob))
        elif kind == 1:  # misspelt family name, day and month swapped
            swapped = dob.replace(month=dob.day, day=dob.month) if dob and dob.day <= 12 else dob
            result.append(MatchQuery(p.given_names, misspell(rng, p.family_name), (), swapped))
        elif kind == 2:  # short given name, no date of birth
            result.append(MatchQuery(p.given_names[:3], p.family_name))
        elif kind == 3:  # by identifier, name different
            ids = {i.kind: i.value for i in p.identifiers.all()}
            result.append(MatchQuery("Unknown", "Person", (), None, ids))
        elif kind == 4:  # a common name with a date of birth
            result.append(MatchQuery(rng.choice(GIVEN), rng.choice(COMMON_SURNAMES[:5]), (), dob))
        else:  # entered with an alias
            alias = p.aliases.first()
            result.append(
                MatchQuery(
                    rng.choice(GIVEN), rare_surname(rng), (alias.name,) if alias else (), dob
                )
            )
        if len(result) >= QUERIES:
            break
    return result


def measure(membership, sample):
    for query in sample[:5]:  # warm
        person_match(membership, query)
    timings, found = [], 0
    for query in sample:
        started = time.perf_counter()
        result = person_match(membership, query)
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(result.suggestions)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, max(timings), found


def main():
    call_command("migrate", verbosity=0)
    print(f"Loading {PEOPLE:,} people on {connection.vendor}...")
    load()
    partnership = Partnership.objects.get(slug=SLUG)
    total = Person.objects.filter(partnership=partnership).count()
    sample = queries(partnership)
    print(f"\n{total:,} people; {len(sample)} match queries each")
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'member':<14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'with suggestions':>17}")
    for email in ("inv@bench-people.test", "chair@bench-people.test"):
        membership = Membership.objects.select_related("agency", "user").get(user__email=email)
        p50, p95, worst, found = measure(membership, sample)
        print(f"{email.split('@')[0]:<14} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f} {found:>17}")
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
