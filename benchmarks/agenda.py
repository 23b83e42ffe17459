"""Benchmark building a 40-case agenda (issue 4 bar: under 300 ms, fixed query count).

Usage (PostgreSQL, an empty database it may fill):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_clinic_bench \\
        .venv/bin/python benchmarks/agenda.py

Migrates, then loads BACKGROUND cases (default 50,000) that match no rule and 40 cases
that do (a new referral, a high risk assessment and an overdue action each), all shared
with the clinic's agencies; a second run on the same database reuses them. Each run
creates a meeting, times ``build_agenda`` on it and deletes it. Prints p50/p95 in
milliseconds, the query count per build and the load average.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import (  # noqa: E402
    Case,
    CaseAgency,
    CaseGroupObjectPermission,
    CodeList,
    ReferenceCode,
    Referral,
)
from risk.models import Assessment, AssessmentStatus  # noqa: E402
from tests.factories import (  # noqa: E402
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    make_referral,
    open_case,
)
from tests.factories_risk import make_assessment, national_version  # noqa: E402
from tests.factories_triage import ActionFactory, ClinicFactory, MeetingFactory  # noqa: E402
from triage.models import (  # noqa: E402
    Action,
    AgendaItem,
    CaseDiscussion,
    Clinic,
    Meeting,
    MeetingStatus,
)
from triage.services.agenda import build_agenda  # noqa: E402

BACKGROUND = int(os.environ.get("BACKGROUND", "50000"))
MATCHING = 40
RUNS = int(os.environ.get("RUNS", "30"))
BENCH_NAME = f"Agenda bench {BACKGROUND}"


def load():
    partnership = PartnershipFactory(name=BENCH_NAME, slug=f"agenda-bench-{BACKGROUND}")
    police = AgencyFactory(partnership=partnership, name="Bench police", kind=AgencyKind.POLICE)
    health = AgencyFactory(partnership=partnership, name="Bench health", kind=AgencyKind.HEALTH)
    investigator = MembershipFactory(
        agency=police, role=Role.INVESTIGATOR, user__email=f"bench-{BACKGROUND}@example.org"
    )
    clinic = ClinicFactory(partnership=partnership, agencies=[police, health])
    _bulk_background(partnership, [police, health], investigator)
    today = timezone.localdate()
    for _ in range(MATCHING):
        case = open_case(investigator, shared_with=[health])
        make_referral(investigator, case, received_on=today)
        make_assessment(case, investigator, level="high")
        ActionFactory(
            case=case,
            owner_agency=police,
            created_by=investigator.user,
            due_on=today - timedelta(days=3),
        )
    return clinic


def _bulk_background(partnership, agencies, investigator):
    """BACKGROUND cases shared with the clinic's agencies, each with rows every rule reads
    that must not match: an old referral, a medium assessment, an action due later, a
    discussion with a later review date."""
    user = investigator.user
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    source = ReferenceCode.objects.get(code_list=CodeList.REFERRAL_SOURCE, code="police")
    dash = national_version("dash")
    today = timezone.localdate()
    batch = 2000
    for start in range(0, BACKGROUND, batch):
        numbers = range(start, min(start + batch, BACKGROUND))
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    partnership=partnership,
                    reference=f"AB-{n:07d}",
                    summary="Background case",
                    lead_agency=agencies[0],
                    opened_on=today - timedelta(days=100),
                    created_by=user,
                )
                for n in numbers
            )
            CaseAgency.objects.bulk_create(
                CaseAgency(case=case, agency=agency, shared_by=user)
                for case in cases
                for agency in agencies
            )
            CaseGroupObjectPermission.objects.bulk_create(
                CaseGroupObjectPermission(
                    group_id=agency.group_id, permission=view_case, content_object=case
                )
                for case in cases
                for agency in agencies
            )
            Referral.objects.bulk_create(
                Referral(
                    partnership=partnership,
                    case=case,
                    source=source,
                    referring_agency=agencies[0],
                    received_on=today - timedelta(days=60),
                    reason="Old referral",
                    created_by=user,
                )
                for case in cases
            )
            Assessment.objects.bulk_create(
                Assessment(
                    partnership_id=case.partnership_id,
                    case=case,
                    instrument_version=dash,
                    assessor=user,
                    agency=agencies[0],
                    assessed_on=today - timedelta(days=30),
                    status=AssessmentStatus.COMPLETE,
                    computed_level="medium",
                    level="medium",
                    completed_at=timezone.now(),
                )
                for case in cases
            )
            Action.objects.bulk_create(
                Action(
                    partnership=partnership,
                    case=case,
                    description="Later",
                    owner_agency=agencies[0],
                    due_on=today + timedelta(days=30),
                    created_by=user,
                )
                for case in cases
            )
            CaseDiscussion.objects.bulk_create(
                CaseDiscussion(
                    case=case,
                    version=1,
                    summary="Earlier discussion",
                    risk_judgement="medium",
                    decision="monitor",
                    next_review_on=today + timedelta(days=60),
                    recorded_by=user,
                )
                for case in cases
            )
        print(f"  loaded {numbers[-1] + 1:,} background cases", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    assert connection.vendor == "postgresql", "Run on PostgreSQL (set DATABASE_URL)."
    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.filter(partnership__name=BENCH_NAME).first()
    if clinic is None:  # a second run reuses the data (its overdue actions stay overdue)
        started = time.perf_counter()
        clinic = load()
        print(f"loaded {BACKGROUND + MATCHING} cases in {time.perf_counter() - started:.1f} s")
    total = Case.objects.filter(partnership=clinic.partnership).count()
    day = timezone.localdate() + timedelta(days=2)
    timings, queries = [], set()
    for _ in range(RUNS):
        meeting = MeetingFactory(clinic=clinic, held_on=day)
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            build_agenda(meeting)
            timings.append((time.perf_counter() - begin) * 1000)
        queries.add(len(captured))
        assert AgendaItem.objects.filter(meeting=meeting).count() == MATCHING
        AgendaItem.objects.filter(meeting=meeting).delete()
        Meeting.objects.filter(pk=meeting.pk).delete()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"build_agenda, {MATCHING} cases of {total}: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"queries per build {sorted(queries)}, load average {os.getloadavg()[0]:.2f}"
    )
    _time_meeting_page(clinic, day)


def _time_meeting_page(clinic, day):
    """The running meeting's page for the chair: 40 agenda items, the current one open."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import Membership

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.OTP_REQUIRED = False
    chair = Membership.objects.filter(
        agency__partnership=clinic.partnership, role=Role.CLINIC_CHAIR
    ).first() or MembershipFactory(
        agency=clinic.agencies.first(),
        role=Role.CLINIC_CHAIR,
        user__email=f"bench-chair-{BACKGROUND}@example.org",
    )
    meeting = MeetingFactory(clinic=clinic, held_on=day, status=MeetingStatus.IN_PROGRESS)
    build_agenda(meeting)
    client = Client()
    client.force_login(chair.user)
    session = client.session
    session["membership_id"] = chair.pk
    session.save()
    url = f"/clinics/meetings/{meeting.pk}/"
    timings, sizes, queries = [], set(), set()
    for _ in range(max(5, RUNS // 3)):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.status_code
        sizes.add(len(response.content))
        queries.add(len(captured))
    AgendaItem.objects.filter(meeting=meeting).delete()
    Meeting.objects.filter(pk=meeting.pk).delete()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"meeting page (chair, running, {MATCHING} items, current one open): "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"queries {sorted(queries)}, {max(sizes) // 1024} KB"
    )


if __name__ == "__main__":
    main()
