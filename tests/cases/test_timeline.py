"""The case timeline: everything that happened, newest first, in a fixed number of queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import CodeList
from cases.selectors import record as record_selectors
from cases.services import core as services
from cases.services import record as record_services
from tests.factories import add_party, make_referral
from tests.factories_record import (
    make_breach,
    make_crime,
    make_order,
    make_outcome,
    make_reoffending,
    national,
)


def _populate(world, n):
    """n of each kind of event on the police case."""
    case = world.own_case
    investigator = world.members[Role.INVESTIGATOR]
    today = timezone.localdate()
    for i in range(n):
        person = add_party(case, role="other").person
        order = make_order(case, subject=person, applied_on=today - timedelta(days=40 + i))
        make_breach(order, occurred_on=today - timedelta(days=1))
        make_outcome(case, person=person, outcome_on=today - timedelta(days=i))
        make_reoffending(case, perpetrator=person, occurred_on=today - timedelta(days=i))
        make_referral(investigator, case=case, received_on=today - timedelta(days=i))
        make_crime(case)
        record_services.record_update(
            actor=investigator.user,
            membership=investigator,
            case=case,
            tier=["1", "2"][i % 2],
        )


def _queries(membership, case):
    with CaptureQueriesContext(connection) as ctx:
        events = record_selectors.timeline(membership, case)
    return len(ctx.captured_queries), events


def test_timeline_query_count_is_fixed_whatever_the_number_of_events(world):
    investigator = world.members[Role.INVESTIGATOR]
    _populate(world, 5)
    five, events_five = _queries(investigator, world.own_case)
    _populate(world, 45)
    fifty, events_fifty = _queries(investigator, world.own_case)
    assert len(events_fifty) > len(events_five) + 300
    assert five == fifty, (five, fifty)
    assert fifty <= 14, fifty


def test_timeline_page_query_count_is_fixed(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    url = reverse("cases:timeline", args=[world.own_case.pk])
    _populate(world, 5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _populate(world, 45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_timeline_has_every_kind_of_event_newest_first(client, login, world):
    case = world.own_case
    investigator = world.members[Role.INVESTIGATOR]
    today = timezone.localdate()
    services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=case,
        agency=world.agencies["cps"],
        reason="Charging advice",
    )
    services.case_unshare(
        actor=investigator.user,
        membership=investigator,
        case=case,
        agency=world.agencies["cps"],
        reason="Advice given",
    )
    make_referral(investigator, case=case, received_on=today)
    record_services.record_update(
        actor=investigator.user,
        membership=investigator,
        case=case,
        classification="stalking",
        classification_reason="FOUR",
        typologies=[
            national(CodeList.TYPOLOGY, "rejected"),
            national(CodeList.TYPOLOGY, "resentful"),
        ],
    )
    order = make_order(
        case, applied_on=today - timedelta(days=5), decided_on=today - timedelta(days=4)
    )
    make_breach(order, occurred_on=today - timedelta(days=2))
    make_outcome(case, outcome_on=today - timedelta(days=3), code="16")
    make_reoffending(case, occurred_on=today - timedelta(days=1), victim="new")
    first = make_crime(case, crime_reference="CR/1/26", recorded_on=today - timedelta(days=6))
    make_crime(case, crime_reference="CR/2/26", same_course_as=first, recorded_on=today)
    case.refresh_from_db()
    record_services.case_close(
        actor=investigator.user,
        membership=investigator,
        case=case,
        reason=national(CodeList.CLOSURE_REASON, "risk_reduced"),
    )
    case.refresh_from_db()
    record_services.case_reopen(
        actor=investigator.user, membership=investigator, case=case, reason="New contact"
    )

    events = record_selectors.timeline(investigator, case)
    titles = [e.title for e in events]
    keys = [e.sort_key for e in events]
    assert keys == sorted(keys, reverse=True)
    expected = [
        "Case opened",
        "Shared with police agency",
        "Shared with cps agency",
        "No longer shared with cps agency",
        f"{world.victim.person.full_name} added as victim",
        "Referral received from police agency",
        "Record changed",
        "Stalker typology changed",
        "Stalking protection order (full) applied for",
        "Stalking protection order (full) granted",
        "Breach of stalking protection order (full)",
        "Outcome 16 – Victim declines or withdraws support, named suspect identified",
        "Re-offence: new victim (recurrence)",
        "Crime CR/1/26 recorded (008/66)",
        "Crime CR/2/26 recorded (008/66): same course of conduct as CR/1/26",
        "Case reopened",
    ]
    for title in expected:
        assert title in titles, title
    assert any(t.startswith("Case closed on") for t in titles)
    record_changed = next(e for e in events if e.title == "Record changed")
    assert "Classification: not recorded → Stalking" in record_changed.text
    # Order: the reopening (now) before the breach (2 days ago) before the order (5 days ago).
    assert (
        titles.index("Case reopened")
        < titles.index("Breach of stalking protection order (full)")
        < titles.index("Stalking protection order (full) applied for")
    )

    login(world.members[Role.INVESTIGATOR])
    body = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert 'class="moj-timeline"' in body and "Case reopened" in body
