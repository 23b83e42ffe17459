"""The notifications page, badge and API: a member sees and marks only their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent
from reporting.models import Notification, NotificationKind
from tests.reporting.helpers import action, day, run

pytestmark = pytest.mark.django_db


def _note(member, n=0, partnership=None, link="/cases/", read=False):
    from django.utils import timezone

    return Notification.objects.create(
        partnership=partnership or member.agency.partnership,
        recipient=member.user,
        kind=NotificationKind.ACTION_DUE,
        event_key=f"test:{member.pk}:{n}",
        title=f"Action due tomorrow on case NSP-{n}",
        link=link,
        read_at=timezone.now() if read else None,
    )


def _many(member, n, start=0):
    return [_note(member, i) for i in range(start, start + n)]


def test_page_lists_only_my_notifications_newest_first(world, client, login):
    me, other = world.members[Role.INVESTIGATOR], world.members[Role.ADVOCATE]
    first, second = _note(me, 1), _note(me, 2, read=True)
    _note(other, 3)
    _note(me, 4, partnership=world.other_partnership_member.agency.partnership)
    login(me)
    response = client.get(reverse("reporting:notification-list"))
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed == [second, first]
    html = response.content.decode()
    assert "NSP-3" not in html and "NSP-4" not in html
    assert html.count('govuk-tag--blue">Unread') == 1
    # Unread only.
    response = client.get(reverse("reporting:notification-list"), {"show": "unread"})
    assert list(response.context["page"].object_list) == [first]


def test_page_query_count_does_not_grow_with_rows(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    login(me)
    url = reverse("reporting:notification-list")
    _many(me, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(me, 45, start=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)


def test_badge_shows_my_unread_count(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    _many(me, 3)
    _note(me, 9, read=True)
    _note(world.members[Role.ADVOCATE], 10)
    login(me)
    html = client.get(reverse("home")).content.decode()
    badge = (
        '<span class="moj-notification-badge">3'
        '<span class="govuk-visually-hidden"> unread notifications</span></span>'
    )
    assert badge in html
    assert reverse("reporting:notification-list") in html


def test_badge_caps_at_99(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    Notification.objects.bulk_create(
        [
            Notification(
                partnership=world.partnership,
                recipient=me.user,
                kind=NotificationKind.ACTION_DUE,
                event_key=f"bulk:{i}",
                title="t",
            )
            for i in range(120)
        ]
    )
    login(me)
    html = client.get(reverse("home")).content.decode()
    assert "99+" in html and "more than 99 unread notifications" in html


def test_no_badge_number_without_unread(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    _note(me, read=True)
    login(me)
    html = client.get(reverse("home")).content.decode()
    assert "moj-notification-badge" not in html
    assert "Notifications" in html


def test_badge_is_one_query(world, rf):
    from reporting.context_processors import notifications

    me = world.members[Role.INVESTIGATOR]
    _many(me, 4)
    request = rf.get("/")
    request.membership = me
    with CaptureQueriesContext(connection) as queries:
        badge = notifications(request)["unread_notifications"]
        assert badge["count"] == 4 and not badge["capped"]
    assert len(queries) == 1


def test_mark_one_read_is_audited(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    note = _note(me)
    login(me)
    response = client.post(reverse("reporting:notification-read", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    event = AccessEvent.objects.get(action="update", object_id=str(note.pk))
    assert event.object_type == "reporting.Notification" and event.actor == me.user


def test_mark_all_read_only_marks_mine(world, client, login):
    me, other = world.members[Role.INVESTIGATOR], world.members[Role.ADVOCATE]
    _many(me, 3)
    theirs = _note(other, 7)
    login(me)
    client.post(reverse("reporting:notification-read-all"))
    assert not Notification.objects.filter(recipient=me.user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    event = AccessEvent.objects.filter(action="update", detail__notifications="all read").get()
    assert event.detail["count"] == 3


def test_following_a_link_marks_it_read_and_redirects(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    note = _note(me, link=reverse("cases:detail", args=[world.own_case.pk]))
    login(me)
    response = client.get(reverse("reporting:notification-open", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[world.own_case.pk])
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", ""])
def test_following_an_outside_link_goes_to_the_list(world, client, login, link):
    me = world.members[Role.INVESTIGATOR]
    note = _note(me, link=link)
    login(me)
    response = client.get(reverse("reporting:notification-open", args=[note.pk]))
    assert response.url == reverse("reporting:notification-list")


@pytest.mark.parametrize("role", [Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN, Role.ADVOCATE])
def test_nobody_reaches_another_persons_notification(world, client, login, role):
    """Partnership-wide roles too (the matrix lets them reach other agencies' objects)."""
    theirs = _note(world.members[Role.INVESTIGATOR])
    login(world.members[role])
    for name, method in (
        ("reporting:notification-read", "post"),
        ("reporting:notification-open", "get"),
        ("api:notification-read", "post"),
    ):
        response = getattr(client, method)(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_lists_mine_filters_unread_and_marks_read(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    unread, read = _note(me, 1), _note(me, 2, read=True)
    _note(world.members[Role.ADVOCATE], 3)
    login(me)
    data = client.get(reverse("api:notification-list")).json()
    assert [row["id"] for row in data["results"]] == [read.pk, unread.pk]
    assert data["results"][1]["unread"] is True
    data = client.get(reverse("api:notification-list"), {"unread": "true"}).json()
    assert [row["id"] for row in data["results"]] == [unread.pk]
    response = client.post(reverse("api:notification-read", args=[unread.pk]))
    assert response.status_code == 200 and response.json()["unread"] is False
    _many(me, 2, start=10)
    response = client.post(reverse("api:notification-read-all"))
    assert response.json() == {"marked_read": 2}
    assert not Notification.objects.filter(recipient=me.user, read_at__isnull=True).exists()


def test_api_list_query_count_is_fixed(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    login(me)
    url = reverse("api:notification-list")
    _many(me, 5)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many(me, 45, start=5)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()["results"]) == 50
    assert len(many) == len(few)


def test_reminders_reach_the_badge_and_page(world, client, login):
    me = world.members[Role.INVESTIGATOR]
    action(world, due=day(1), owner=me.user)
    run(0)
    login(me)
    html = client.get(reverse("reporting:notification-list")).content.decode()
    assert f"Action due tomorrow on case {world.own_case.reference}" in html
    assert "Visit Jane Victim" not in html
    assert '<span class="moj-notification-badge">1<' in html


def test_demo_seed_runs_the_reminders(world):
    from reporting import demo

    action(world, due=day(1), owner=world.members[Role.INVESTIGATOR].user)
    summary = demo.seed(partnership=world.partnership, agencies=[], members=world.members)
    assert summary["created"][NotificationKind.ACTION_DUE] == 1
    assert summary["emails"] == 0
