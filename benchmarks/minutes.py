"""Benchmark the minutes PDF of a 40-case meeting (bar: under 5 s). PostgreSQL.

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_minutes
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_minutes
    python manage.py migrate
    python benchmarks/minutes.py

Builds (once) its own partnership with five agencies, 40 cases shared with police and
health, a closed triage clinic meeting with twelve attendees and, per case, two parties,
a full Case Analysis Summary (typologies, rationale, decision note) and three actions.
Then times producing one audience's minutes (the partnership-wide one: all 40 cases) —
content queries, HTML and WeasyPrint PDF — ROUNDS times, and once the whole stored
MinutesFile through the service the Celery job calls. Prints p50/p95 in seconds, page
count, queries, CPU seconds (the wall time on a shared machine
stretches with its load) and the load average.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from cases.models import CaseParty, CodeList, PartyRole, Person, ReferenceCode  # noqa: E402
from cases.services import core as case_services  # noqa: E402
from config.pdf import render_pdf  # noqa: E402
from triage.models import (  # noqa: E402
    Action,
    Attendance,
    AttendanceStatus,
    Cadence,
    CaseDiscussion,
    Clinic,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesFile,
    RiskJudgement,
)
from triage.selectors import minutes as selectors  # noqa: E402
from triage.services import minutes as services  # noqa: E402

SLUG = "bench-minutes"
CASES = int(os.environ.get("CASES", "40"))
ROUNDS = int(os.environ.get("ROUNDS", "7"))
SUMMARY = (
    "Ex-partner has sent more than 200 messages since the relationship ended in March, "
    "turned up at her workplace twice and left flowers on her car. Police attended on "
    "three occasions; a Stalking Protection Order application is being prepared. "
) * 3


def build():
    partnership = Partnership.objects.filter(slug=SLUG).first()
    if partnership is not None:
        return Meeting.objects.get(partnership=partnership, clinic__name="Bench clinic")
    with transaction.atomic():
        partnership = Partnership.objects.create(
            name="Bench minutes", slug=SLUG, case_reference_prefix="BM"
        )
        kinds = [
            AgencyKind.POLICE,
            AgencyKind.HEALTH,
            AgencyKind.ADVOCACY,
            AgencyKind.PROBATION,
            AgencyKind.CPS,
        ]
        agencies = [
            Agency.objects.create(partnership=partnership, name=f"Bench {k.label}", kind=k)
            for k in kinds
        ]
        police, health = agencies[0], agencies[1]
        vetting = timezone.localdate() + timedelta(days=365)

        def member(n, agency, role):
            user = User.objects.create_user(
                email=f"bench-minutes-{n}@example.org", password=None, full_name=f"Member {n}"
            )
            return Membership.objects.create(
                user=user, agency=agency, role=role, vetting_expires_on=vetting
            )

        chair = member(0, health, Role.CLINIC_CHAIR)
        investigator = member(1, police, Role.INVESTIGATOR)
        members = [chair, investigator] + [
            member(n, agencies[n % 5], Role.MANAGER) for n in range(2, 12)
        ]
        clinic = Clinic.objects.create(
            partnership=partnership,
            name="Bench clinic",
            kind=MeetingKind.TRIAGE_CLINIC,
            cadence=Cadence.FORTNIGHTLY,
            first_meeting_on=date(2026, 1, 6),
            starts_at=timezone.datetime(2026, 1, 6, 10).time(),
            location="Room 1",
            chair=chair.user,
        )
        clinic.agencies.set(agencies)
        held_on = timezone.localdate() - timedelta(days=1)
        meeting = Meeting.objects.create(
            clinic=clinic,
            partnership=partnership,
            held_on=held_on,
            starts_at=timezone.now() - timedelta(days=1),
            status=MeetingStatus.CLOSED,
            chair=chair.user,
            closed_at=timezone.now(),
            closed_by=chair.user,
        )
        for m in members:
            Attendance.objects.create(
                meeting=meeting, user=m.user, agency=m.agency, status=AttendanceStatus.PRESENT
            )
        typologies = list(
            ReferenceCode.objects.filter(code_list=CodeList.TYPOLOGY, partnership=None)[:2]
        )
        for n in range(CASES):
            case = case_services.case_open(
                actor=investigator.user,
                membership=investigator,
                summary=SUMMARY,
                lead_agency=police,
            )
            case_services.case_share(
                actor=investigator.user,
                membership=investigator,
                case=case,
                agency=health,
                reason="Clinic",
            )
            for role, given in ((PartyRole.VICTIM, "Isla"), (PartyRole.PERPETRATOR, "Arthur")):
                person = Person.objects.create(
                    partnership=partnership,
                    given_names=given,
                    family_name=f"Bench{n}",
                    address="1 Secret Street",
                    phone="07700 900123",
                )
                CaseParty.objects.create(case=case, person=person, role=role)
            discussion = CaseDiscussion.objects.create(
                case=case,
                meeting=meeting,
                version=1,
                summary=SUMMARY,
                classification="stalking",
                risk_judgement=RiskJudgement.HIGH,
                risk_rationale="Escalating frequency; fixated; recent approach at workplace. " * 2,
                decision=Decision.ACCEPT,
                decision_note="Accept for multi-agency management; review in four weeks.",
                next_review_on=held_on + timedelta(days=28),
                recorded_by=chair.user,
            )
            discussion.typologies.set(typologies)
            for k in range(3):
                Action.objects.create(
                    partnership=partnership,
                    case=case,
                    discussion=discussion,
                    description=f"Action {k + 1}: complete the safety plan review and report back.",
                    owner_agency=agencies[k % 3],
                    owner=members[k].user,
                    due_on=held_on + timedelta(days=7 * (k + 1)),
                    created_by=chair.user,
                )
    return meeting


def main():
    meeting = Meeting.objects.select_related("clinic", "chair", "closed_by").get(pk=build().pk)
    audience = selectors.Audience.of(selectors.discussed_case_ids(meeting))
    assert len(audience.case_ids) == CASES, audience
    print(f"Meeting {meeting.pk}: {len(audience.case_ids)} discussed cases; {ROUNDS} rounds")
    render_pdf("<p>warm-up</p>")  # WeasyPrint's first call loads fonts
    times, html_times, cpu_times = [], [], []
    pages = queries = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        cpu_start = time.process_time()
        with CaptureQueriesContext(connection) as captured:
            html = services.render_minutes_html(
                meeting, audience, prepared_for=selectors.PARTNERSHIP_WIDE_LABEL
            )
        html_times.append(time.perf_counter() - start)
        _pdf, pages = render_pdf(html)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
        queries = len(captured)
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    print(
        f"One audience, content + HTML: p50 {statistics.median(html_times) * 1000:.0f} ms "
        f"({queries} queries)"
    )
    print(
        f"One audience, content + HTML + PDF: p50 {statistics.median(times):.2f} s, "
        f"p95 {q[18]:.2f} s, max {max(times):.2f} s; {pages} pages"
    )
    # CPU time of this process: what the render costs whatever else shares the machine.
    print(
        f"  CPU time of the same: p50 {statistics.median(cpu_times):.2f} s, "
        f"max {max(cpu_times):.2f} s"
    )
    # The stored file, as the Celery job makes it (a fresh audience key each run).
    settings.MEDIA_ROOT = Path(
        os.environ.get("BENCH_MEDIA") or tempfile.mkdtemp(prefix="bench-minutes-")
    )
    MinutesFile.objects.filter(meeting=meeting).delete()
    start = time.perf_counter()
    stored = services.minutes_generate(
        meeting=meeting,
        audience=audience,
        readers=selectors.Readers(label=selectors.PARTNERSHIP_WIDE_LABEL, partnership_wide=True),
    )
    print(
        f"Stored MinutesFile through the service: {time.perf_counter() - start:.2f} s, "
        f"{stored.pdf.size // 1024} KiB: {stored.pdf.path}"
    )
    print("Load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
