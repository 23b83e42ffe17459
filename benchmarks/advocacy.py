"""Benchmark the advocate's pages at scale (PostgreSQL, its own database); issue 11 bars.

Usage:
    createdb -h 127.0.0.1 -U postgres stalking_bench_advocacy
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/stalking_bench_advocacy
    python manage.py migrate && python benchmarks/advocacy.py

Loads (once) a partnership with police, health and an advocacy agency (ADVOCATES advocates
and a manager), CASES cases and EPISODES support episodes held by the advocacy agency: a
tenth closed, a third referred in the last ten days with no contact, the rest with their
share of CONTACTS contacts (about ten each) whose latest sets a next contact from 20 days
ago to 30 days ahead.

Then, signed in through the Django test client (sessions, middleware and audit rows
included), times ROUNDS requests each of: the advocate's home (their own caseload, and the
whole agency's), an episode page (the busiest episode), the Disclosures page, the
manager's caseload per advocate, and logging a contact (POST, a new contact each time).
Prints p50/p95 in milliseconds and the queries per request, which must not change with
the number of rows (checked against a second episode and advocate). Bars: home and
episode page p95 < 100 ms; logging a contact p95 < 100 ms.
"""

import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Agency, Membership, Partnership, User  # noqa: E402
from accounts.roles import AgencyKind, Role  # noqa: E402
from advocacy.models import Contact, SupportEpisode, first_contact_target  # noqa: E402
from cases.models import Case, CaseAgency, CaseGroupObjectPermission, CaseParty, Person  # noqa: E402

SLUG = "bench-advocacy"
ADVOCATES = int(os.environ.get("ADVOCATES", "25"))
CASES = int(os.environ.get("CASES", "12000"))
EPISODES = int(os.environ.get("EPISODES", "20000"))
CONTACTS = int(os.environ.get("CONTACTS", "200000"))
ROUNDS = int(os.environ.get("ROUNDS", "60"))
BATCH = 5000
BAR_MS = 100


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)


def _member(agency, role, n, today):
    user = User.objects.create(
        email=f"{role}{n}@{SLUG}.test", full_name=f"Bench {role} {n}", password="!"
    )
    return Membership.objects.create(
        user=user, agency=agency, role=role, vetting_expires_on=today + timedelta(days=365)
    )


def load(rng):
    if Partnership.objects.filter(slug=SLUG).exists():
        return Partnership.objects.get(slug=SLUG)
    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    partnership = Partnership.objects.create(
        name="Bench advocacy", slug=SLUG, case_reference_prefix="BA"
    )
    agencies = {
        kind: Agency.objects.create(partnership=partnership, name=f"Bench {kind}", kind=kind)
        for kind in (AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.ADVOCACY)
    }
    police, advocacy = agencies[AgencyKind.POLICE], agencies[AgencyKind.ADVOCACY]
    officer = _member(police, Role.INVESTIGATOR, 0, today)
    advocates = [_member(advocacy, Role.ADVOCATE, n, today).user_id for n in range(ADVOCATES)]
    _member(advocacy, Role.MANAGER, 0, today)
    _bulk(
        Case,
        [
            Case(
                partnership=partnership,
                reference=f"BA-{i:06d}",
                summary="Bench case",
                lead_agency=police,
                officer_in_charge_id=officer.user_id,
                opened_on=today - timedelta(days=rng.randint(0, 700)),
                created_by_id=officer.user_id,
            )
            for i in range(CASES)
        ],
    )
    case_ids = list(Case.objects.filter(partnership=partnership).values_list("pk", flat=True))
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    for agency in (police, advocacy):
        _bulk(
            CaseGroupObjectPermission,
            [
                CaseGroupObjectPermission(
                    group_id=agency.group_id, permission=view, content_object_id=c
                )
                for c in case_ids
            ],
        )
        _bulk(
            CaseAgency,
            [CaseAgency(case_id=c, agency=agency, shared_by_id=officer.user_id) for c in case_ids],
        )
    _bulk(
        Person,
        [
            Person(partnership=partnership, given_names="Bench", family_name=f"Victim {i}")
            for i in range(EPISODES)
        ],
    )
    people = list(
        Person.objects.filter(partnership=partnership).order_by("pk").values_list("pk", flat=True)
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
        referred = today - timedelta(days=rng.randint(0, 10) if waiting else rng.randint(60, 300))
        closed = i % 10 == 9
        rows.append(
            SupportEpisode(
                partnership=partnership,
                case_id=case_id,
                victim_id=party_id,
                advocacy_agency=advocacy,
                advocate_id=rng.choice(advocates) if rng.random() < 0.95 else None,
                referral_route="police_screening",
                referred_on=referred,
                first_contact_due_on=first_contact_target(referred),
                first_contact_attempted_at=None
                if waiting
                else timezone.make_aware(datetime.combine(referred, datetime.min.time())),
                first_contact_made_at=None
                if waiting
                else timezone.make_aware(datetime.combine(referred, datetime.min.time())),
                support_consent_on=None if waiting else referred,
                support_consent_method="" if waiting else "verbal",
                closed_on=today if closed else None,
                closure_reason="support_complete" if closed else "",
                created_by_id=advocates[0],
            )
        )
    _bulk(SupportEpisode, rows)
    contacted = list(
        SupportEpisode.objects.filter(partnership=partnership, first_contact_made_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "advocate_id")
    )
    per_episode = max(1, CONTACTS // len(contacted))
    contacts = []
    for pk, advocate_id in contacted:
        for n in range(per_episode):
            contacts.append(
                Contact(
                    episode_id=pk,
                    at=now - timedelta(days=2 + 5 * (per_episode - n)),
                    channel="phone",
                    direction="outgoing",
                    made=True,
                    summary="Bench contact summary: safe to talk, discussed the safety plan.",
                    next_contact_due=today + timedelta(days=rng.randint(-20, 30)),
                    recorded_by_id=advocate_id or advocates[0],
                )
            )
        if len(contacts) >= BATCH * 4:
            _bulk(Contact, contacts)
            contacts = []
    _bulk(Contact, contacts)
    with connection.cursor() as cursor:
        # What contact_log keeps on the episode: the latest contact's next-contact date.
        cursor.execute(
            "UPDATE advocacy_supportepisode SET next_contact_due = (SELECT c.next_contact_due"
            " FROM advocacy_contact c WHERE c.episode_id = advocacy_supportepisode.id"
            " ORDER BY c.at DESC, c.id DESC LIMIT 1) WHERE partnership_id = %s",
            [partnership.pk],
        )
        cursor.execute("ANALYZE")
    print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return partnership


def measure(client, url, *, post=None):
    """(p50 ms, p95 ms, queries, database ms of one request) over ROUNDS requests;
    ``post`` makes each a POST of the data it returns."""

    def request():
        if post is None:
            return client.get(url)
        return client.post(url, post())

    request()  # warm
    with CaptureQueriesContext(connection) as queries:
        response = request()
    # Counted now: the next request's request_started signal empties the query log.
    query_count = len(queries)
    db_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    assert response.status_code in (200, 302), (url, response.status_code)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], query_count, db_ms


def signed_in(membership):
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session["membership_id"] = membership.pk
    session.save()
    return client


def contact_data():
    now = timezone.localtime()
    return {
        "at_date": now.strftime("%d/%m/%Y"),
        "at_time": now.strftime("%H:%M"),
        "channel": "phone",
        "direction": "outgoing",
        "made": "yes",
        "duration_minutes": "10",
        "summary": "Bench: called, safe to talk.",
        "next_contact_due": (now.date() + timedelta(days=7)).strftime("%d/%m/%Y"),
    }


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL.")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    print("Loading the data (skipped when already loaded)…", flush=True)
    partnership = load(random.Random(20261128))
    episodes = SupportEpisode.objects.filter(partnership=partnership)
    contacts = Contact.objects.filter(episode__partnership=partnership).count()
    print(f"{episodes.count():,} episodes, {contacts:,} contacts in the partnership")
    busiest = (
        episodes.filter(closed_on__isnull=True)
        .annotate(n=Count("contacts"))
        .order_by("-n", "pk")
        .values_list("pk", "advocate_id")[:2]
    )
    (episode_pk, advocate_id), (other_pk, _) = list(busiest)
    member = Membership.objects.select_related("agency", "user").get(
        user_id=advocate_id, role=Role.ADVOCATE
    )
    other = (
        Membership.objects.select_related("agency", "user")
        .filter(agency=member.agency, role=Role.ADVOCATE)
        .exclude(pk=member.pk)
        .first()
    )
    manager = Membership.objects.select_related("agency", "user").get(
        agency=member.agency, role=Role.MANAGER
    )
    mine = episodes.filter(advocate_id=advocate_id).count()
    print(f"advocate holds {mine:,} episodes; episode {episode_pk} has the most contacts")

    client = signed_in(member)
    results = []
    checks = [
        ("advocate home (mine)", "/advocacy/", True),
        ("advocate home (whole agency)", "/advocacy/?mine=0", True),
        ("episode page", f"/advocacy/episodes/{episode_pk}/", True),
        ("disclosures page", f"/advocacy/episodes/{episode_pk}/disclosures/", False),
    ]
    for label, url, bar in checks:
        results.append((label, *measure(client, url), bar))
    # Fixed query counts whatever the rows: another advocate and another episode.
    other_client = signed_in(other)
    home_other = measure(other_client, "/advocacy/")[2]
    episode_other = measure(client, f"/advocacy/episodes/{other_pk}/")[2]
    manager_page = measure(signed_in(manager), "/advocacy/team/")
    results.append(("manager: caseload per advocate", *manager_page, False))
    contact = measure(client, f"/advocacy/episodes/{episode_pk}/contacts/new/", post=contact_data)
    results.append(("log a contact (POST)", *contact, True))

    print(f"\n{'request':<34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'db ms':>7}  bar")
    for label, p50, p95, queries, db_ms, bar in results:
        mark = ("met" if p95 < BAR_MS else "MISSED") if bar else "-"
        print(f"{label:<34} {p50:>8.1f} {p95:>8.1f} {queries:>8} {db_ms:>7.1f}  {mark}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    assert home_other == results[0][3], (home_other, results[0][3])
    assert episode_other == results[2][3], (episode_other, results[2][3])
    print("Query counts fixed: the same for another advocate and another episode.")
    missed = [label for label, _, p95, _, _, bar in results if bar and p95 >= BAR_MS]
    assert not missed, f"bar missed: {missed}"


if __name__ == "__main__":
    main()
