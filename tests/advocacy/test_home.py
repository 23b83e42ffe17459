"""The advocate's home (issue 11 item 8): contacts due today and overdue, referrals
waiting; the manager's caseload per advocate (counts only); the episode sub-navigation;
fixed query counts whatever the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import Channel, Direction
from advocacy.selectors import episodes as episode_selectors
from advocacy.services import episodes as episode_services
from tests.factories import MembershipFactory, open_case
from tests.factories_advocacy import raw_referral, start_episode

pytestmark = pytest.mark.django_db

SUMMARY = "MARKER-home-summary"


@pytest.fixture
def case(world):
    police = world.members[Role.INVESTIGATOR]
    return open_case(police, shared_with=[world.agencies["advocacy"]])


def _episode_with_next_contact(member, case, due_in_days):
    episode = start_episode(member, case, referred_on=timezone.localdate() - timedelta(days=30))
    episode_services.contact_log(
        actor=member.user,
        membership=member,
        episode=episode,
        at=timezone.now() - timedelta(days=10),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=True,
        summary=SUMMARY,
        next_contact_due=timezone.localdate() + timedelta(days=due_in_days),
    )
    return episode


def test_contacts_due_today_and_overdue(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    today_ep = _episode_with_next_contact(advocate, case, 0)
    overdue_ep = _episode_with_next_contact(advocate, case, -3)
    _episode_with_next_contact(advocate, case, 4)  # not due yet
    due = episode_selectors.contacts_due(advocate, mine=True)
    assert (due["today"], due["overdue"]) == (1, 1)
    assert [e.pk for e in due["episodes"]] == [overdue_ep.pk, today_ep.pk]
    raw_referral(case, world.agencies["advocacy"], referrer=world.members[Role.INVESTIGATOR])
    login(advocate)
    page = client.get(reverse("advocacy:caseload")).content.decode()
    assert 'id="due-today">1<' in page and 'id="due-overdue">1<' in page
    assert 'id="referrals-waiting"' in page and ">1<span" in page
    assert "Overdue" in page and "Today" in page
    assert SUMMARY not in page


def test_a_closed_episode_is_never_due(world, case):
    advocate = world.members[Role.ADVOCATE]
    episode = _episode_with_next_contact(advocate, case, -3)
    episode_services.episode_close(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        closed_on=timezone.localdate(),
        closure_reason="declined",
    )
    due = episode_selectors.contacts_due(advocate, mine=True)
    assert (due["today"], due["overdue"], due["episodes"]) == (0, 0, [])


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_home_has_a_fixed_query_count(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    _episode_with_next_contact(advocate, case, -1)
    urls = [reverse("advocacy:caseload"), reverse("advocacy:caseload") + "?mine=0"]
    before = [_queries(client, url) for url in urls]
    for days in (-5, -2, 0, 0, 3):
        _episode_with_next_contact(advocate, case, days)
    assert [_queries(client, url) for url in urls] == before


@pytest.fixture
def manager(world):
    return MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)


def test_manager_sees_counts_per_advocate_and_nothing_of_the_casework(
    world, case, client, login, manager
):
    advocate = world.members[Role.ADVOCATE]
    _episode_with_next_contact(advocate, case, -2)  # contacted, next contact overdue
    start_episode(advocate, case, referred_on=timezone.localdate() - timedelta(days=20))
    rows = episode_selectors.caseload_per_advocate(manager)
    assert len(rows) == 1
    row = rows[0]
    assert row["advocate"] == advocate.user.full_name
    assert sum(row["statuses"]) == 2
    assert row["first_overdue"] == 1 and row["next_overdue"] == 1
    login(manager)
    response = client.get(reverse("advocacy:team-caseload"))
    assert response.status_code == 200
    body = response.content.decode()
    assert advocate.user.full_name in body and SUMMARY not in body
    for episode in episode_selectors.episodes_visible_to(manager):
        assert episode.victim.person.full_name not in body
    # The home links to it for a manager.
    assert (
        reverse("advocacy:team-caseload")
        in client.get(reverse("advocacy:caseload")).content.decode()
    )


def test_team_page_has_a_fixed_query_count(world, case, client, login, manager):
    advocate = world.members[Role.ADVOCATE]
    _episode_with_next_contact(advocate, case, -2)
    login(manager)
    url = reverse("advocacy:team-caseload")
    before = _queries(client, url)
    other = MembershipFactory(agency=world.agencies["advocacy"], role=Role.ADVOCATE)
    for days in (-3, 1):
        _episode_with_next_contact(other, case, days)
    assert _queries(client, url) == before


def test_only_an_advocacy_manager_sees_the_team_page(world, client, login, manager):
    url = reverse("advocacy:team-caseload")
    for member in (world.members[Role.ADVOCATE], world.members[Role.MANAGER]):
        login(member)
        assert client.get(url).status_code == 403


def test_episode_page_has_the_sub_navigation_with_disclosures(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case)
    login(advocate)
    page = client.get(reverse("advocacy:episode-detail", args=[episode.pk])).content.decode()
    for label in ("Overview", "Contacts", "Needs", "Safety plan", "Disclosures"):
        assert f">{label}</a>" in page, label
    assert reverse("advocacy:episode-disclosures", args=[episode.pk]) in page


def test_episode_page_shows_the_latest_contacts_and_the_contacts_page_has_them_all(
    world, case, client, login
):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case, referred_on=timezone.localdate() - timedelta(days=60))
    shown = episode_selectors.CONTACTS_ON_EPISODE_PAGE
    for n in range(shown + 2):
        episode_services.contact_log(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            at=timezone.now() - timedelta(days=50 - n),
            channel=Channel.PHONE,
            direction=Direction.OUTGOING,
            made=True,
            summary=f"Contactnumber{n:03d}",
        )
    login(advocate)
    detail_url = reverse("advocacy:episode-detail", args=[episode.pk])
    contacts_url = reverse("advocacy:episode-contacts", args=[episode.pk])
    page = client.get(detail_url).content.decode()
    assert page.count("Contactnumber") == shown
    assert "Contactnumber000" not in page and f"Contactnumber{shown + 1:03d}" in page
    assert contacts_url in page
    every = client.get(contacts_url).content.decode()
    assert every.count("Contactnumber") == shown + 2
    assert 'aria-current="page" href="' + contacts_url in every
    # Both pages: a fixed number of queries whatever the number of contacts.
    before = [_queries(client, detail_url), _queries(client, contacts_url)]
    for n in range(3):
        episode_services.contact_log(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            at=timezone.now() - timedelta(minutes=10 + n),
            channel=Channel.TEXT,
            direction=Direction.INCOMING,
            made=True,
            summary="Text back",
        )
    assert [_queries(client, detail_url), _queries(client, contacts_url)] == before
