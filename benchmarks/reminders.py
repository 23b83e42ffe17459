"""Benchmark the daily reminder job at scale (PostgreSQL, its own database).

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_remind
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_remind
    python manage.py migrate && python benchmarks/reminders.py

Loads (once) a partnership with five agencies, MEMBERS members, CASES cases shared with
the police (and a third with health), ACTIONS open actions (plus done and cancelled ones)
with due dates spread from 40 days ago to 80 days ahead (so about a third are overdue and
most of those are past the escalation delay), ASSESSMENTS complete risk assessments (some
superseded) with review dates from 30 days ago to 90 days ahead, one Case Analysis Summary
per case with a review date, two clinics meeting tomorrow with 40-case agendas, and
EPISODES support episodes in the advocacy agency (loaded once, also into a database loaded
before they were added): a tenth closed, a third referred in the last ten days with no first
contact made, the rest with two contacts whose latest sets a next contact from 20 days ago to
30 days ahead, and half with a superseded and a current safety plan reviewed from 30 days ago
to 60 days ahead.

Then clears the notifications and the ledger and times the job (the same service the
Celery task and the send_reminders command call, emails to the locmem backend): run 1,
run 2 the same day (must create nothing), run 3 the next day. Prints seconds, counts per
kind, queries and the load average. Bar: run 1 under 60 s; run 2 creates 0.
"""

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from advocacy.models import Contact, SafetyPlan, SupportEpisode, first_contact_target  # noqa: E402
from cases.models import Case, CaseGroupObjectPermission, CaseParty, Person  # noqa: E402
from reporting.services.reminders import send_daily_reminders  # noqa: E402
from risk.models import Assessment, Instrument, InstrumentVersion  # noqa: E402
from triage.models import (  # noqa: E402
    Action,
    AgendaItem,
    CaseDiscussion,
    Clinic,
    Meeting,
)

SLUG = "bench-remind"
MEMBERS = int(os.environ.get("MEMBERS", "300"))
CASES = int(os.environ.get("CASES", "40000"))
ACTIONS = int(os.environ.get("ACTIONS", "100000"))
ASSESSMENTS = int(os.environ.get("ASSESSMENTS", "50000"))
EPISODES = int(os.environ.get("EPISODES", "20000"))
BATCH = 5000

# (agency kind, role, share of members)
STAFF = [
    (AgencyKind.POLICE, Role.INVESTIGATOR, 0.35),
    (AgencyKind.POLICE, Role.POLICE_SUPERVISOR, 0.05),
    (AgencyKind.HEALTH, Role.CLINICIAN, 0.15),
    (AgencyKind.HEALTH, Role.CLINIC_CHAIR, 0.01),
    (AgencyKind.ADVOCACY, Role.ADVOCATE, 0.2),
    (AgencyKind.PROBATION, Role.PROBATION_OFFICER, 0.1),
    (AgencyKind.PROBATION, Role.MANAGER, 0.02),
    (AgencyKind.CPS, Role.PARTNER, 0.05),
    (AgencyKind.ADVOCACY, Role.MANAGER, 0.02),
]


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)


def load(rng):
    if Partnership.objects.filter(slug=SLUG).exists():
        return Partnership.objects.get(slug=SLUG)
    started = time.perf_counter()
    today = timezone.localdate()
    partnership = Partnership.objects.create(
        name="Bench reminders", slug=SLUG, case_reference_prefix="BR"
    )
    agencies = {}
    for kind in (
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.ADVOCACY,
        AgencyKind.PROBATION,
        AgencyKind.CPS,
    ):
        agencies[kind] = Agency.objects.create(partnership=partnership, name=kind, kind=kind)
    _bulk(
        User,
        [
            User(email=f"remind{n}@bench.invalid", full_name=f"Bench {n}", password="!")
            for n in range(MEMBERS)
        ],
    )
    users = list(User.objects.filter(email__endswith="@bench.invalid").order_by("pk"))
    memberships, by_agency, n = [], {k: [] for k in agencies}, 0
    for kind, role, share in STAFF:
        for _ in range(max(1, int(MEMBERS * share))):
            if n >= len(users):
                break
            user = users[n]
            n += 1
            memberships.append(
                Membership(
                    user=user,
                    agency=agencies[kind],
                    role=role,
                    vetting_expires_on=today + timedelta(days=365),
                )
            )
            by_agency[kind].append(user.pk)
    _bulk(Membership, memberships)
    creator = users[0].pk
    police = agencies[AgencyKind.POLICE]
    _bulk(
        Case,
        [
            Case(
                partnership=partnership,
                reference=f"BR-{i:06d}",
                summary="Bench case",
                lead_agency=police,
                officer_in_charge_id=rng.choice(by_agency[AgencyKind.POLICE]),
                opened_on=today - timedelta(days=rng.randint(0, 700)),
                created_by_id=creator,
            )
            for i in range(CASES)
        ],
    )
    case_ids = list(Case.objects.filter(partnership=partnership).values_list("pk", flat=True))
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    grants = [
        CaseGroupObjectPermission(group_id=police.group_id, permission=view, content_object_id=c)
        for c in case_ids
    ] + [
        CaseGroupObjectPermission(
            group_id=agencies[AgencyKind.HEALTH].group_id, permission=view, content_object_id=c
        )
        for c in case_ids[::3]
    ]
    _bulk(CaseGroupObjectPermission, grants)
    print(f"  members, cases, grants: {time.perf_counter() - started:.1f} s", flush=True)

    owner_kinds = [AgencyKind.POLICE] * 5 + [
        AgencyKind.HEALTH,
        AgencyKind.ADVOCACY,
        AgencyKind.PROBATION,
        AgencyKind.CPS,
    ]
    rows = []
    for i in range(ACTIONS + ACTIONS // 5):
        kind = rng.choice(owner_kinds)
        status = "open" if i < ACTIONS else rng.choice(["done", "cancelled"])
        rows.append(
            Action(
                partnership=partnership,
                case_id=rng.choice(case_ids),
                description="Bench action",
                owner_agency=agencies[kind],
                owner_id=rng.choice(by_agency[kind]) if rng.random() < 0.8 else None,
                due_on=today + timedelta(days=rng.randint(-40, 80)),
                status=status,
                created_by_id=creator,
            )
        )
    _bulk(Action, rows)
    print(f"  actions: {time.perf_counter() - started:.1f} s", flush=True)

    versions = []
    for code in ("bench-dash", "bench-sash"):
        instrument = Instrument.objects.create(partnership=partnership, code=code, name=code)
        versions.append(
            InstrumentVersion.objects.create(
                instrument=instrument,
                version=1,
                effective_from=today - timedelta(days=1000),
                definition={"schema": 1, "sections": [], "scoring": {}},
            )
        )
    assessors = [
        (agencies[kind], by_agency[kind])
        for kind in (AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.ADVOCACY)
    ]
    rows = []
    for i in range(ASSESSMENTS):
        agency, people = rng.choice(assessors)
        assessed = today - timedelta(days=rng.randint(1, 400))
        rows.append(
            Assessment(
                partnership=partnership,
                case_id=case_ids[i % CASES],
                instrument_version=versions[(i // CASES) % 2],
                assessor_id=rng.choice(people),
                agency=agency,
                assessed_on=assessed,
                status="complete",
                computed_level="medium",
                level="medium",
                review_due_on=today + timedelta(days=rng.randint(-30, 90)),
                # Recorded the day it was made: a review date past on that day is never due.
                completed_at=timezone.make_aware(datetime.combine(assessed, datetime.min.time())),
            )
        )
    _bulk(Assessment, rows)
    chair = by_agency[AgencyKind.HEALTH][-1]
    _bulk(
        CaseDiscussion,
        [
            CaseDiscussion(
                case_id=c,
                version=1,
                summary="Bench",
                risk_judgement="medium",
                decision="monitor",
                next_review_on=today + timedelta(days=rng.randint(-20, 120)),
                recorded_by_id=chair,
            )
            for c in case_ids
        ],
    )
    tomorrow = today + timedelta(days=1)
    chair_user = User.objects.get(
        pk=next(m.user_id for m in memberships if m.role == "clinic_chair")
    )
    for name in ("Bench triage clinic", "Bench morning meeting"):
        clinic = Clinic.objects.create(
            partnership=partnership,
            name=name,
            kind="triage_clinic",
            cadence="fortnightly",
            first_meeting_on=today,
            starts_at=datetime.strptime("10:00", "%H:%M").time(),
            chair=chair_user,
        )
        clinic.agencies.set(agencies.values())
        meeting = Meeting.objects.create(
            clinic=clinic,
            partnership=partnership,
            held_on=tomorrow,
            starts_at=timezone.make_aware(datetime.combine(tomorrow, clinic.starts_at)),
            chair=chair_user,
        )
        _bulk(
            AgendaItem,
            [
                AgendaItem(meeting=meeting, case_id=c, position=p)
                for p, c in enumerate(rng.sample(case_ids, 40), start=1)
            ],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return partnership


def load_advocacy(rng, partnership):
    """Support episodes, contacts and safety plans for the advocacy reminder kinds."""
    if SupportEpisode.objects.filter(partnership=partnership).exists() or not EPISODES:
        return
    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    agency = Agency.objects.get(partnership=partnership, kind=AgencyKind.ADVOCACY)
    advocates = list(
        Membership.objects.filter(agency=agency, role=Role.ADVOCATE).values_list(
            "user_id", flat=True
        )
    )
    case_ids = list(Case.objects.filter(partnership=partnership).values_list("pk", flat=True))
    _bulk(
        Person,
        [
            Person(partnership=partnership, given_names="Bench", family_name=f"Victim {i}")
            for i in range(EPISODES)
        ],
    )
    people = list(
        Person.objects.filter(partnership=partnership, given_names="Bench")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _bulk(
        CaseParty,
        [
            CaseParty(case_id=case_ids[i % len(case_ids)], person_id=p, role="victim")
            for i, p in enumerate(people)
        ],
    )
    parties = CaseParty.objects.filter(person_id__in=people).values_list("pk", "case_id")
    rows = []
    for i, (party_id, case_id) in enumerate(parties):
        waiting = i % 3 == 0
        referred = today - timedelta(days=rng.randint(0, 10) if waiting else rng.randint(11, 300))
        closed = i % 10 == 9
        rows.append(
            SupportEpisode(
                partnership=partnership,
                case_id=case_id,
                victim_id=party_id,
                advocacy_agency=agency,
                advocate_id=rng.choice(advocates) if rng.random() < 0.9 else None,
                referral_route="police_screening",
                referred_on=referred,
                first_contact_due_on=first_contact_target(referred),
                first_contact_made_at=None
                if waiting
                else timezone.make_aware(datetime.combine(referred, datetime.min.time())),
                closed_on=today if closed else None,
                closure_reason="support_complete" if closed else "",
                created_by_id=advocates[0],
            )
        )
    _bulk(SupportEpisode, rows)
    episodes = list(
        SupportEpisode.objects.filter(partnership=partnership).values_list(
            "pk", "first_contact_made_at", "advocate_id"
        )
    )
    contacts, plans = [], []
    for pk, made_at, advocate_id in episodes:
        by = advocate_id or advocates[0]
        if made_at is not None:
            for n, days_ago in enumerate((8, 2)):
                contacts.append(
                    Contact(
                        episode_id=pk,
                        at=now - timedelta(days=days_ago),
                        channel="phone",
                        direction="outgoing",
                        made=True,
                        summary="Bench contact",
                        next_contact_due=today + timedelta(days=rng.randint(-20, 30))
                        if n
                        else today - timedelta(days=1),
                        recorded_by_id=by,
                    )
                )
        if pk % 2:
            for version in (1, 2):
                plans.append(
                    SafetyPlan(
                        episode_id=pk,
                        version=version,
                        review_on=today + timedelta(days=rng.randint(-30, 60)),
                        created_by_id=by,
                        superseded_at=now if version == 1 else None,
                    )
                )
    _bulk(Contact, contacts)
    _bulk(SafetyPlan, plans)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  advocacy: {time.perf_counter() - started:.1f} s", flush=True)


def timed(label, day):
    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        summary = send_daily_reminders(today=day)
        seconds = time.perf_counter() - started
    created = summary["created"]
    print(
        f"{label}: {seconds:.2f} s, {sum(created.values())} notifications "
        f"({sum(summary['events'].values())} events), {summary['emails']} emails, "
        f"{len(queries)} queries, load average {os.getloadavg()[0]:.2f}"
    )
    for kind, count in created.items():
        print(f"    {kind:22} {count:>8} notifications  {summary['events'][kind]:>7} events")
    return seconds, summary


def main():
    rng = random.Random(20261122)
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL.")
    print("Loading the data (skipped when already loaded)…", flush=True)
    partnership = load(rng)
    load_advocacy(rng, partnership)
    today = timezone.localdate()
    open_actions = Action.objects.filter(status="open").count()
    reviews = Assessment.objects.filter(review_due_on__isnull=False).count()
    print(f"{open_actions} open actions, {reviews} assessments with review dates")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE reporting_notification, reporting_remindersent")
    cold, first = timed("run 1 (first daily run)", today)
    again, second = timed("run 2 (same day again)", today)
    nxt, _ = timed("run 3 (next day)", today + timedelta(days=1))
    assert sum(second["created"].values()) == 0, "run 2 created notifications"
    assert second["emails"] == 0, "run 2 sent email"
    assert cold < 60, f"run 1 took {cold:.1f} s (bar: 60 s)"
    print(f"Bar met: run 1 {cold:.1f} s < 60 s; run 2 created 0 in {again:.2f} s.")


if __name__ == "__main__":
    main()
