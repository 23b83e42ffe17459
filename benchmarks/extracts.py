"""Benchmark the research extract build at 100,000 cases (bar: peak RSS under 500 MB, no
per-case queries). PostgreSQL.

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_extracts
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_extracts
    python manage.py migrate
    python benchmarks/extracts.py load      # once: bulk-loads the partnership (a few minutes)
    python benchmarks/extracts.py           # builds one extract, prints the figures

The load makes its own partnership: CASES cases referred in one year, each with a
perpetrator and a victim (200,000 people with names, dates of birth and contact details),
a typology, a referral; every fifth case a risk assessment and a support episode, every
tenth an enrolment and a re-offending event, every twentieth an SPO. The measurement runs
in a fresh process (so its peak RSS is the build's, not the load's): the builder of the
job (reporting.services.extracts.build) over the whole year, with the wall and CPU time,
the number of queries, the rows and the CSV size.
"""

import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Agency, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind  # noqa: E402
from advocacy.models import ReferralRoute, SupportEpisode  # noqa: E402
from cases.models import (  # noqa: E402
    Case,
    CaseParty,
    CodeList,
    OrderKind,
    PartyRole,
    Person,
    ProtectiveOrder,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
)
from interventions.models import Enrolment, Programme  # noqa: E402
from reporting.models import ApprovalStatus, ReportKind, ReportRun  # noqa: E402
from risk.models import Assessment, AssessmentStatus, InstrumentVersion  # noqa: E402

SLUG = "bench-extracts"
CASES = 100_000
BATCH = 5_000
YEAR_START = date(2024, 4, 1)


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)


def load():
    if Partnership.objects.filter(slug=SLUG).exists():
        print("already loaded")
        return
    with transaction.atomic():
        partnership = Partnership.objects.create(
            name="Bench extracts", slug=SLUG, case_reference_prefix="BX"
        )
        police = Agency.objects.create(
            partnership=partnership, name="Police", kind=AgencyKind.POLICE
        )
        health = Agency.objects.create(
            partnership=partnership, name="Health", kind=AgencyKind.HEALTH
        )
        advocacy = Agency.objects.create(
            partnership=partnership, name="Advocacy", kind=AgencyKind.ADVOCACY
        )
        user = User.objects.create(email="bench-extracts@example.org", full_name="Bench")
    source = ReferenceCode.objects.get(code_list=CodeList.REFERRAL_SOURCE, code="police")
    typology = ReferenceCode.objects.filter(code_list=CodeList.TYPOLOGY).first()
    dash = InstrumentVersion.objects.filter(instrument__code="dash").order_by("-version").first()
    programme = Programme.objects.get(partnership__isnull=True, code="fact")
    started = time.monotonic()
    for first in range(0, CASES, BATCH):
        numbers = range(first, min(CASES, first + BATCH))
        people = []
        for n in numbers:
            for role in ("p", "v"):
                people.append(
                    Person(
                        partnership=partnership,
                        given_names=f"Given{role}{n}",
                        family_name=f"Family{role}{n}",
                        date_of_birth=date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
                        gender="male" if role == "p" else "female",
                        address=f"{n} Bench Street",
                        postcode="BX1 1AA",
                        phone="07700 900000",
                        email=f"{role}{n}@example.org",
                    )
                )
        _bulk(Person, people)
        cases = [
            Case(
                partnership=partnership,
                reference=f"BX-{n:06d}",
                summary=f"Bench case {n}",
                lead_agency=police,
                opened_on=YEAR_START + timedelta(days=n % 365),
                classification="stalking",
                tier=str(1 + n % 4),
                priority="high",
                offence_level="s4a",
                created_by=user,
            )
            for n in numbers
        ]
        _bulk(Case, cases)
        parties, referrals, typologies = [], [], []
        for index, case in enumerate(cases):
            perpetrator, victim = people[2 * index], people[2 * index + 1]
            parties.append(CaseParty(case=case, person=perpetrator, role=PartyRole.PERPETRATOR))
            parties.append(CaseParty(case=case, person=victim, role=PartyRole.VICTIM))
            referrals.append(
                Referral(
                    partnership=partnership,
                    case=case,
                    source=source,
                    referring_agency=police,
                    received_on=case.opened_on,
                    reason="Bench referral",
                    created_by=user,
                )
            )
            typologies.append(
                Case.typologies.through(case_id=case.pk, referencecode_id=typology.pk)
            )
        _bulk(CaseParty, parties)
        _bulk(Referral, referrals)
        _bulk(Case.typologies.through, typologies)
        victims = {p.case_id: p for p in parties if p.role == PartyRole.VICTIM}
        perpetrators = {p.case_id: p for p in parties if p.role == PartyRole.PERPETRATOR}
        assessments, episodes, enrolments, reoffending, orders = [], [], [], [], []
        for n, case in zip(numbers, cases, strict=True):
            if n % 5 == 0:
                assessments.append(
                    Assessment(
                        partnership=partnership,
                        case=case,
                        instrument_version=dash,
                        assessor=user,
                        agency=police,
                        assessed_on=case.opened_on,
                        status=AssessmentStatus.COMPLETE,
                        computed_level="high",
                        level="high",
                    )
                )
                episodes.append(
                    SupportEpisode(
                        partnership=partnership,
                        case=case,
                        victim=victims[case.pk],
                        advocacy_agency=advocacy,
                        referral_route=ReferralRoute.POLICE_SCREENING,
                        referred_on=case.opened_on,
                        first_contact_due_on=case.opened_on + timedelta(days=2),
                        created_by=user,
                    )
                )
            if n % 10 == 0:
                enrolments.append(
                    Enrolment(
                        partnership=partnership,
                        case=case,
                        party=perpetrators[case.pk],
                        programme=programme,
                        provider_agency=health,
                        referred_on=case.opened_on,
                        planned_sessions=6,
                        created_by=user,
                    )
                )
                reoffending.append(
                    ReoffendingEvent(
                        partnership=partnership,
                        case=case,
                        perpetrator=perpetrators[case.pk].person,
                        occurred_on=case.opened_on + timedelta(days=90),
                        victim="same",
                        source="police_report",
                        created_by=user,
                    )
                )
            if n % 20 == 0:
                orders.append(
                    ProtectiveOrder(
                        case=case,
                        subject=perpetrators[case.pk].person,
                        kind=OrderKind.SPO_FULL,
                        applied_on=case.opened_on + timedelta(days=10),
                        decision="granted",
                        decided_on=case.opened_on + timedelta(days=17),
                        created_by=user,
                    )
                )
        _bulk(Assessment, assessments)
        _bulk(SupportEpisode, episodes)
        _bulk(Enrolment, enrolments)
        _bulk(ReoffendingEvent, reoffending)
        _bulk(ProtectiveOrder, orders)
        print(f"  {numbers.stop} cases ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure():
    from reporting.services.extracts import build

    partnership = Partnership.objects.get(slug=SLUG)
    user = User.objects.get(email="bench-extracts@example.org")
    run = ReportRun.objects.create(
        partnership=partnership,
        kind=ReportKind.RESEARCH_EXTRACT,
        period_start=YEAR_START,
        period_end=YEAR_START + timedelta(days=364),
        requested_by=user,
        purpose="Benchmark of the research extract build",
        approval=ApprovalStatus.APPROVED,
    )
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        built = build(run, lambda percent: None)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(len(f.content) for f in built.files) / 1024 / 1024
    print(f"rows: {built.row_count}")
    print(f"wall: {wall:.1f} s  cpu: {cpu:.1f} s  load average: {os.getloadavg()[0]:.2f}")
    print(f"queries: {len(queries)}")
    print(f"peak RSS: {peak_mb:.0f} MB (before the build: {before_rss / 1024:.0f} MB)")
    print(f"files: {size_mb:.1f} MB")
    ReportRun.objects.filter(pk=run.pk).delete()


if __name__ == "__main__":
    if sys.argv[1:] == ["load"]:
        load()
    else:
        measure()
