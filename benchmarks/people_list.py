"""Benchmark the People list and a person's record (cases.selectors.person_record).

Usage (PostgreSQL, an empty database it may fill; the data is benchmarks/people_match.py's):
    createdb -h 127.0.0.1 -U postgres stalking_bench_rec
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_rec \\
        .venv/bin/python benchmarks/people_list.py

Times, for an agency-scoped investigator and the partnership-wide clinic chair: the first
page of the unfiltered list, name searches (common and rare surnames, two words), an
identifier search, a date-of-birth search, page 50, and person records. Each timing is
the page's queries as the view runs them (capped count, page, two prefetches; record:
person, visible parties, every party). Prints p50/p95 in milliseconds.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import people_match  # noqa: E402  (sets Django up and holds the data loader)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Membership, Partnership  # noqa: E402
from cases.models import CaseParty, Person, PersonIdentifier  # noqa: E402
from cases.pagination import CappedCountPaginator  # noqa: E402
from cases.selectors import person_record  # noqa: E402
from cases.selectors.person_record import PersonFilters  # noqa: E402

PAGE_SIZE = 50
REPEAT = int(os.environ.get("REPEAT", "20"))


def list_page(membership, filters, page=1):
    paginator = CappedCountPaginator(person_record.person_list(membership, filters), PAGE_SIZE)
    rows = paginator.get_page(page)
    return [(p.pk, len(p.aliases.all()), len(p.identifiers.all())) for p in rows.object_list]


def record(membership, pk):
    person = person_record.get_person_or_404(membership, pk)
    return person_record.person_record(membership, person)


def timed(fn, *args):
    fn(*args)  # warm
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn(*args)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main():
    call_command("migrate", verbosity=0)
    print(f"Loading {people_match.PEOPLE:,} people on {connection.vendor}...")
    people_match.load()
    partnership = Partnership.objects.get(slug=people_match.SLUG)
    total = Person.objects.filter(partnership=partnership).count()
    identifier = PersonIdentifier.objects.filter(partnership=partnership).first()
    party = CaseParty.objects.filter(case__partnership=partnership).first()
    cases = [
        ("list, no search", lambda m: list_page(m, PersonFilters())),
        ("list, page 50", lambda m: list_page(m, PersonFilters(), 50)),
        ("search 'smith'", lambda m: list_page(m, PersonFilters(q="smith"))),
        ("search 'john smith'", lambda m: list_page(m, PersonFilters(q="john smith"))),
        ("search rare name", lambda m: list_page(m, PersonFilters(q="Quennell"))),
        ("search identifier", lambda m: list_page(m, PersonFilters(q=identifier.value))),
        (
            "search date of birth",
            lambda m: list_page(m, PersonFilters(date_of_birth=party.person.date_of_birth)),
        ),
        ("person record", lambda m: record(m, party.person_id)),
    ]
    print(f"\n{total:,} people; {REPEAT} runs each")
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'member':<8} {'what':<22} {'p50 ms':>8} {'p95 ms':>8}")
    for email in ("inv@bench-people.test", "chair@bench-people.test"):
        membership = Membership.objects.select_related("agency", "user").get(user__email=email)
        for label, fn in cases:
            p50, p95 = timed(fn, membership)
            print(f"{email.split('@')[0]:<8} {label:<22} {p50:>8.1f} {p95:>8.1f}")
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
