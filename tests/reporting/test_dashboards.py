"""The manager dashboard (issue 14 item 4): each figure on hand-built rows, with month
boundaries in Europe/London; the area filter; the period rules; who may see it; no
personal data on the page; a fixed number of queries whatever the number of rows."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import Contact, Direction
from audit.models import AccessEvent
from audit.models import Action as AuditAction
from cases.models import (
    CaseAgency,
    CodeList,
    ContactChannel,
    ReclassificationOutcome,
    ReferenceCode,
    ScreeningAction,
    ScreeningActionKind,
)
from interventions.models import Attendance, Modality, Session, SessionStatus
from reporting import charts
from reporting.models import LocalArea, StaffFte
from reporting.periods import LONDON
from reporting.selectors import dashboards as selectors
from tests.factories import make_referral, open_case
from tests.factories_advocacy import raw_episode, second_advocacy_agency
from tests.factories_interventions import raw_enrolment
from tests.factories_screening import CrimeScreenEntryFactory
from tests.factories_triage import ActionFactory

URL = reverse("reporting:dashboard")
START, END = date(2026, 1, 1), date(2026, 6, 30)
PERIOD = {"start": "01/01/2026", "end": "30/06/2026"}
VIEWERS = (Role.POLICE_SUPERVISOR, Role.MANAGER, Role.PARTNERSHIP_ADMIN)
# Agencies; referrals and their sources; entries with their reclassifications; actions;
# derived progress and withdrawals; victims (per month and in the period); caseload, FTE.
FIGURE_QUERIES = 10


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def scope_of(world, start=START, end=END, area=None):
    return selectors.dashboard_scope(
        world.members[Role.MANAGER], start=start, end=end, local_area=area
    )


def source(code):
    return ReferenceCode.objects.get(
        code_list=CodeList.REFERRAL_SOURCE, code=code, partnership__isnull=True
    )


def series_of(monthly, code):
    return next(values for key, _label, values in monthly.series if key == code)


# 1. Referrals -------------------------------------------------------------------------------


def test_referrals_per_month_by_source(world):
    police = world.members[Role.INVESTIGATOR]
    make_referral(police, world.own_case, received_on=date(2026, 1, 31))
    make_referral(police, received_on=date(2026, 2, 1))
    make_referral(police, received_on=date(2026, 2, 28), source=source("self_via_advocacy"))
    make_referral(police, received_on=date(2025, 12, 31))  # before the period
    make_referral(police, received_on=date(2026, 7, 1))  # after it
    make_referral(world.other_partnership_member, received_on=date(2026, 2, 1))

    monthly = selectors.referrals_by_source(scope_of(world))

    assert monthly.months == [date(2026, m, 1) for m in range(1, 7)]
    assert series_of(monthly, "police") == [1, 1, 0, 0, 0, 0]
    assert series_of(monthly, "self_via_advocacy") == [0, 1, 0, 0, 0, 0]
    # Every source in use is listed, with its zeros.
    in_use = set(
        ReferenceCode.objects.of(CodeList.REFERRAL_SOURCE)
        .in_use_during(START, END)
        .filter(partnership__isnull=True)
        .values_list("code", flat=True)
    )
    assert in_use <= {key for key, _label, _values in monthly.series}
    assert monthly.month_totals == [1, 2, 0, 0, 0, 0]
    assert monthly.grand_total == 3


# 2. Misclassification -----------------------------------------------------------------------


def _entry(world, recorded_on, *, screened=True, **kwargs):
    return CrimeScreenEntryFactory(
        partnership=world.partnership,
        recorded_on=recorded_on,
        screened_at=timezone.now() if screened else None,
        **kwargs,
    )


def _reclassification(world, entry, outcome=ReclassificationOutcome.PENDING):
    return ScreeningAction.objects.create(
        entry=entry,
        kind=ScreeningActionKind.RECLASSIFICATION,
        actor=world.members[Role.INVESTIGATOR].user,
        agency=world.agencies["police"],
        reclassification_outcome=outcome,
    )


def test_misclassification_counts_entries_once_and_shares_of_screened(world):
    first = _entry(world, date(2026, 2, 1))
    _reclassification(world, first)  # requested, pending
    accepted = _entry(world, date(2026, 2, 28))
    _reclassification(world, accepted, ReclassificationOutcome.REFUSED)
    _reclassification(world, accepted, ReclassificationOutcome.ACCEPTED)  # asked twice
    _entry(world, date(2026, 2, 14))  # screened, nothing asked
    _entry(world, date(2026, 2, 15), screened=False)
    duplicate = _entry(world, date(2026, 2, 2), same_course_as=first)
    _reclassification(world, duplicate)  # a repeat report: not counted again
    _reclassification(world, _entry(world, date(2026, 1, 31)), ReclassificationOutcome.ACCEPTED)
    _reclassification(world, _entry(world, date(2026, 7, 1)))  # after the period

    months = {row.month: row for row in selectors.misclassification(scope_of(world))}

    february = months[date(2026, 2, 1)]
    assert (february.recorded, february.screened) == (4, 3)
    assert (february.requested, february.accepted) == (2, 1)
    assert february.requested_share == Decimal("66.7")
    assert february.accepted_share == Decimal("33.3")
    january = months[date(2026, 1, 1)]
    assert (january.recorded, january.screened, january.requested, january.accepted) == (
        1,
        1,
        1,
        1,
    )
    assert months[date(2026, 3, 1)].requested_share is None  # nothing screened
    assert sum(row.recorded for row in months.values()) == 5


# 3. Actions -----------------------------------------------------------------------------------


def test_open_and_overdue_actions_by_agency(world):
    today = timezone.localdate()
    creator = world.members[Role.INVESTIGATOR].user

    def action(agency, due, case=None, **kwargs):
        return ActionFactory(
            case=case or world.own_case,
            owner_agency=world.agencies[agency],
            due_on=today + timedelta(days=due),
            created_by=creator,
            **kwargs,
        )

    action("police", -1)  # overdue
    action("police", 0)  # due today: not overdue
    action("police", -5, status="done")
    action("health", -30, case=world.health_case)
    action("health", 3, status="cancelled")
    other_police = world.other_partnership_member.agency
    ActionFactory(
        case=world.other_partnership_case,
        owner_agency=other_police,
        due_on=today - timedelta(days=1),
        created_by=creator,
    )

    rows = {row.agency: row for row in selectors.dashboard(scope_of(world), today=today).actions}

    assert (rows["police agency"].open, rows["police agency"].overdue) == (2, 1)
    assert rows["police agency"].not_yet_due == 1
    assert (rows["health agency"].open, rows["health agency"].overdue) == (1, 1)
    assert (rows["probation agency"].open, rows["probation agency"].overdue) == (0, 0)
    assert other_police.name not in rows


# 4. Interventions -----------------------------------------------------------------------------


def _session(enrolment, when, attendance=Attendance.ATTENDED_ENGAGED, **kwargs):
    return Session.objects.create(
        enrolment=enrolment,
        partnership_id=enrolment.partnership_id,
        scheduled_at=when,
        modality=Modality.IN_PERSON,
        status=kwargs.pop("status", SessionStatus.RECORDED),
        attendance=attendance,
        minutes=60 if attendance else None,
        created_by=enrolment.created_by,
        **kwargs,
    )


def _enrolment(world, *, planned=2, referred_on=date(2026, 1, 5), **kwargs):
    enrolment = raw_enrolment(
        world.health_case, world.agencies["health"], created_by=world.members[Role.CLINICIAN].user
    )
    enrolment.planned_sessions = planned
    enrolment.referred_on = referred_on
    for name, value in kwargs.items():
        setattr(enrolment, name, value)
    enrolment.save()
    return enrolment


def test_interventions_started_completed_and_ended_per_month(world):
    completes = _enrolment(world, planned=2)
    _session(completes, london(2026, 2, 10, 10))
    _session(completes, london(2026, 3, 10, 10))
    # 23:30 UTC on 30 April is 00:30 on 1 May in London: a May start.
    late_start = _enrolment(world, planned=6)
    _session(late_start, utc(2026, 4, 30, 23, 30))
    moved = _enrolment(world, planned=6)
    # A session moved to another day and not yet held: never a start.
    later = _session(moved, london(2026, 3, 9, 10), "", status=SessionStatus.SCHEDULED)
    _session(
        moved, london(2026, 3, 2, 10), "", status=SessionStatus.RESCHEDULED, superseded_by=later
    )
    dropped = _enrolment(world, withdrawn_on=date(2026, 4, 5), withdrawal_reason="disengaged")
    _session(dropped, london(2026, 3, 1, 10))
    _enrolment(world, withdrawn_on=date(2026, 5, 31), withdrawal_reason="moved")
    _enrolment(world, withdrawn_on=date(2026, 7, 1), withdrawal_reason="declined")  # after
    before = _enrolment(world, planned=1, referred_on=date(2025, 11, 1))
    _session(before, london(2025, 12, 31, 23, 30))  # started and completed before

    months = {row.month: row for row in selectors.interventions_by_month(scope_of(world))}

    def figures(month):
        row = months[date(2026, month, 1)]
        return (row.started, row.completed, row.dropped_out, row.ended_other)

    assert figures(1) == (0, 0, 0, 0)
    assert figures(2) == (1, 0, 0, 0)
    assert figures(3) == (1, 1, 0, 0)  # the drop-out's first session; the completion
    assert figures(4) == (0, 0, 1, 0)
    assert figures(5) == (1, 0, 0, 1)
    assert figures(6) == (0, 0, 0, 0)


# 5. Victims supported --------------------------------------------------------------------------


def _contact(episode, at, made=True):
    return Contact.objects.create(
        episode=episode,
        at=at,
        channel=ContactChannel.PHONE,
        direction=Direction.OUTGOING,
        made=made,
        recorded_by=episode.created_by,
    )


def test_victims_supported_each_victim_once_per_month(world):
    advocate = world.members[Role.ADVOCATE].user
    second_agency, _member = second_advocacy_agency(world.partnership)
    # One victim supported by two advocacy services: counted once.
    first = raw_episode(
        world.own_case, world.agencies["advocacy"], created_by=advocate, victim=world.victim
    )
    second = raw_episode(world.own_case, second_agency, created_by=advocate, victim=world.victim)
    _contact(first, london(2026, 2, 3, 10))
    _contact(first, london(2026, 2, 20, 10))
    _contact(second, london(2026, 2, 21, 10))
    # The same person as a victim on another case is still one victim.
    party = world.health_case.parties.create(person=world.victim.person, role="victim")
    third = raw_episode(
        world.health_case, world.agencies["advocacy"], created_by=advocate, victim=party
    )
    _contact(third, london(2026, 2, 22, 10))
    other = raw_episode(world.own_case, world.agencies["advocacy"], created_by=advocate)
    _contact(other, london(2026, 2, 5, 10))
    _contact(other, london(2026, 3, 5, 10), made=False)  # an attempt: not support
    _contact(other, utc(2026, 4, 30, 23, 30))  # 1 May in London
    _contact(other, utc(2026, 6, 30, 23, 30))  # 1 July in London: after the period
    elsewhere = raw_episode(
        world.other_partnership_case,
        world.other_partnership_member.agency,
        created_by=world.other_partnership_member.user,
    )
    _contact(elsewhere, london(2026, 2, 5, 10))

    victims, total = selectors.victims_supported(scope_of(world))

    assert dict(victims) == {
        date(2026, 1, 1): 0,
        date(2026, 2, 1): 2,
        date(2026, 3, 1): 0,
        date(2026, 4, 1): 0,
        date(2026, 5, 1): 1,
        date(2026, 6, 1): 0,
    }
    assert total == 2


# 6. Caseload per FTE ----------------------------------------------------------------------------


def test_caseload_per_fte_with_not_recorded(world):
    today = timezone.localdate()
    investigator = world.members[Role.INVESTIGATOR]
    closed = open_case(investigator, shared_with=[world.agencies["probation"]])
    closed.closed_on = today - timedelta(days=10)
    closed.save()
    closed_after = open_case(investigator, shared_with=[world.agencies["probation"]])
    closed_after.opened_on = today - timedelta(days=100)
    closed_after.closed_on = today  # the day after the period's end: open on its last day
    closed_after.save()
    end = today - timedelta(days=1)
    # A case opened after the period's end is not counted.
    open_case(investigator, shared_with=[world.agencies["probation"]])
    for case in (world.own_case, world.health_case, world.advocacy_case, closed):
        case.opened_on = today - timedelta(days=200)
        case.save()
    CaseAgency.objects.update(shared_at=timezone.now() - timedelta(days=150))

    admin = world.members[Role.PARTNERSHIP_ADMIN].user

    def fte(agency, value, start, finish):
        return StaffFte.objects.create(
            partnership=world.partnership,
            agency=world.agencies[agency],
            period_start=start,
            period_end=finish,
            fte=Decimal(value),
            created_by=admin,
        )

    fte("police", "4", end - timedelta(days=400), end - timedelta(days=30))  # ended before
    fte("police", "1.5", end - timedelta(days=20), end + timedelta(days=300))
    fte("health", "2", end - timedelta(days=300), end + timedelta(days=60))
    fte("health", "0.5", end - timedelta(days=5), end)  # the latest starting covers the day

    rows = {
        row.agency: row
        for row in selectors.dashboard(
            scope_of(world, start=end - timedelta(days=90), end=end), today=today
        ).caseload
    }

    # police: the own and health cases, and the one closing after the end.
    assert rows["police agency"].open_cases == 3
    assert rows["police agency"].fte == Decimal("1.5")
    assert rows["police agency"].per_fte == Decimal("2.0")
    # health: the health case, and the advocacy case opened by the chair (a health member).
    assert rows["health agency"].open_cases == 2
    assert rows["health agency"].per_fte == Decimal("4.0")
    # probation: closed before the end (no), closes after it (yes), opened after (no).
    assert rows["probation agency"].open_cases == 1
    assert rows["probation agency"].fte is None
    assert rows["probation agency"].per_fte is None


def test_caseload_page_says_not_recorded(world, client, login):
    _start, end = selectors.default_period(timezone.localdate())
    StaffFte.objects.create(
        partnership=world.partnership,
        agency=world.agencies["police"],
        period_start=end - timedelta(days=30),
        period_end=end,
        fte=Decimal("2.5"),
    )
    login(world.members[Role.MANAGER])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Caseload per full-time equivalent" in page
    assert "Not recorded" in page
    assert "Staff FTE not recorded for advocacy agency, cps agency, health agency" in page
    caseload = {row.agency: row for row in response.context["board"].caseload}
    assert caseload["police agency"].fte == Decimal("2.5")
    assert caseload["health agency"].per_fte is None


# The page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", VIEWERS)
def test_managers_supervisors_and_the_admin_see_the_dashboard(world, client, login, role):
    _start, end = selectors.default_period(timezone.localdate())
    StaffFte.objects.create(
        partnership=world.partnership,
        agency=world.agencies["health"],
        period_start=end,
        period_end=end,
        fte=Decimal("1"),
    )
    login(world.members[role])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Referrals per month by source",
        "Misclassification trend",
        "Open and overdue actions by agency",
        "Interventions with perpetrators",
        "Victims supported by an advocate",
        "Caseload per full-time equivalent",
    ):
        assert heading in page
    assert page.count('role="img"') == 6


@pytest.mark.parametrize("role", sorted(set(Role.values) - set(VIEWERS)))
def test_others_are_refused(world, client, login, role):
    login(world.members[role])
    assert client.get(URL).status_code == 403


def test_the_default_period_is_the_last_twelve_full_months(world, client, login):
    assert selectors.default_period(date(2026, 1, 15)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert selectors.default_period(date(2026, 3, 31)) == (date(2025, 3, 1), date(2026, 2, 28))
    login(world.members[Role.MANAGER])
    response = client.get(URL)
    start, end = selectors.default_period(timezone.localdate())
    board = response.context["board"]
    assert (board.scope.start, board.scope.end) == (start, end)
    assert len(board.months) == 12


def test_the_view_is_audited(world, client, login):
    manager = world.members[Role.MANAGER]
    login(manager)
    client.get(URL, PERIOD)
    event = AccessEvent.objects.filter(action=AuditAction.LIST, actor=manager.user).latest("pk")
    assert event.detail["dashboard"] == "manager"
    assert (event.detail["start"], event.detail["end"]) == ("2026-01-01", "2026-06-30")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "01/06/2026", "end": "01/01/2026"}, "end", "on or after the first day"),
        ({"start": "01/01/2026", "end": "01/01/2099"}, "end", "cannot end in the future"),
        ({"start": "01/01/2016", "end": "01/01/2026"}, "end", "at most 5 years"),
        ({"start": "31/02/2026", "end": "01/03/2026"}, "start", "Enter a real date"),
        ({"start": "", "end": "01/03/2026"}, "start", "Enter the first day"),
    ],
)
def test_a_bad_period_is_a_400_with_the_message(world, client, login, params, field, message):
    login(world.members[Role.MANAGER])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert response.context["board"] is None
    assert not AccessEvent.objects.filter(action=AuditAction.LIST, detail__has_key="dashboard")


def test_another_partnerships_area_is_refused(world, client, login):
    elsewhere = LocalArea.objects.create(
        partnership=world.other_partnership_member.agency.partnership, name="Southmoor east"
    )
    login(world.members[Role.MANAGER])
    response = client.get(URL, {**PERIOD, "area": elsewhere.pk})
    assert response.status_code == 400
    assert "Choose a local area of your partnership." in response.content.decode()


def test_the_area_filter(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    area = LocalArea.objects.create(
        partnership=world.partnership, name="Eastside", police_areas=["Eastside LPA"]
    )
    area.agencies.add(world.agencies["advocacy"])
    # In the area: the advocacy-led case's referral; an unlinked referral from the
    # advocacy agency; a crime recorded in the area's police area.
    make_referral(police, world.advocacy_case, received_on=date(2026, 2, 3))
    advocate = world.members[Role.ADVOCATE]
    make_referral(advocate, received_on=date(2026, 2, 4), source=source("self_via_advocacy"))
    _entry(world, date(2026, 2, 5), location_area="Eastside LPA")
    # Outside it.
    make_referral(police, world.own_case, received_on=date(2026, 2, 6))
    make_referral(police, received_on=date(2026, 2, 7))
    _entry(world, date(2026, 2, 8), location_area="Westside LPA")

    everywhere = selectors.dashboard(scope_of(world), today=timezone.localdate())
    assert everywhere.referrals.grand_total == 4
    assert sum(row.recorded for row in everywhere.screening) == 2

    login(world.members[Role.MANAGER])
    response = client.get(URL, {**PERIOD, "area": area.pk})
    assert response.status_code == 200
    board = response.context["board"]
    assert board.scope.local_area == area
    assert board.referrals.grand_total == 2
    assert series_of(board.referrals, "self_via_advocacy")[1] == 1
    assert sum(row.recorded for row in board.screening) == 1
    # Only the area's agencies are listed for caseload.
    assert [row.agency for row in board.caseload] == ["advocacy agency"]
    assert "Eastside" in response.content.decode()


def test_the_page_shows_no_personal_data(world, client, login):
    today = timezone.localdate()
    police = world.members[Role.INVESTIGATOR]
    perpetrator = world.perpetrator.person
    victim = world.victim.person
    make_referral(police, world.own_case, received_on=today - timedelta(days=40))
    _entry(
        world,
        today - timedelta(days=40),
        suspect_name="Sam Suspect-Person",
        victim_name="Vera Victim",
    )
    ActionFactory(
        case=world.own_case,
        owner_agency=world.agencies["police"],
        due_on=today - timedelta(days=2),
        created_by=police.user,
        description="Visit Jane Victim at 1 Private Road",
    )
    episode = raw_episode(
        world.own_case, world.agencies["advocacy"], created_by=police.user, victim=world.victim
    )
    _contact(episode, timezone.now() - timedelta(days=40))
    login(world.members[Role.MANAGER])
    response = client.get(
        URL,
        {
            "start": (today - timedelta(days=90)).strftime("%d/%m/%Y"),
            "end": today.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["board"].referrals.grand_total == 1
    for secret in (
        perpetrator.given_names,
        perpetrator.family_name,
        victim.given_names,
        victim.family_name,
        victim.address,
        victim.phone,
        "Sam Suspect-Person",
        "Vera Victim",
        "Jane Victim",
        "Private Road",
        world.own_case.reference,
        world.health_case.reference,
        world.members[Role.ADVOCATE].user.email,
    ):
        assert secret not in page, secret


def _grow(world, n, offset):
    """n more rows of every kind the dashboard counts, in January to June 2026."""
    police = world.members[Role.INVESTIGATOR]
    advocate = world.members[Role.ADVOCATE].user
    for i in range(n):
        day = date(2026, 1 + (i + offset) % 6, 10)
        case = open_case(police, shared_with=[world.agencies["health"]])
        make_referral(police, case, received_on=day)
        entry = _entry(world, day, case=case)
        _reclassification(world, entry, ReclassificationOutcome.ACCEPTED)
        ActionFactory(
            case=case, owner_agency=world.agencies["health"], due_on=day, created_by=police.user
        )
        enrolment = _enrolment(world, withdrawn_on=day, withdrawal_reason="declined")
        _session(enrolment, london(day.year, day.month, day.day - 1, 10))
        episode = raw_episode(case, world.agencies["advocacy"], created_by=advocate)
        _contact(episode, london(day.year, day.month, day.day, 12))
        StaffFte.objects.create(
            partnership=world.partnership,
            agency=world.agencies["health"],
            period_start=date(2025, 1, 1),
            period_end=date(2027, 1, 1),
            fte=Decimal("2") + i,
        )


@pytest.mark.parametrize("with_area", [False, True])
def test_the_query_count_is_fixed_whatever_the_rows(world, client, login, with_area):
    area = None
    if with_area:
        area = LocalArea.objects.create(
            partnership=world.partnership, name="Eastside", police_areas=["Northtown"]
        )
        area.agencies.add(world.agencies["police"], world.agencies["health"])
    params = {**PERIOD, **({"area": area.pk} if area else {})}
    login(world.members[Role.MANAGER])
    _grow(world, 1, 0)
    client.get(URL, params)  # warm the session and the caches

    def queries():
        cache.clear()  # the figures are kept five minutes: count them afresh
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, params)
        assert response.status_code == 200
        return len(captured), response.context["board"]

    few, small = queries()
    _grow(world, 6, 1)
    many, large = queries()
    assert few == many
    assert large.referrals.grand_total == small.referrals.grand_total + 6
    assert sum(row.accepted for row in large.screening) == 7
    assert sum(row.dropped_out for row in large.interventions) == 7
    assert large.victims_total == small.victims_total + 6


def test_the_dashboard_takes_at_most_a_fixed_number_of_queries(
    world, client, login, django_assert_max_num_queries
):
    _grow(world, 3, 0)
    login(world.members[Role.MANAGER])
    client.get(URL, PERIOD)
    cache.clear()  # count the figures, not the kept copy
    # Session, user, two two-factor devices, membership (twice), notifications badge, the
    # local areas, the audit row, the session save (three): 12 around the figures' own.
    with django_assert_max_num_queries(12 + FIGURE_QUERIES):
        assert client.get(URL, PERIOD).status_code == 200


@pytest.mark.parametrize("with_area", [False, True])
def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_num_queries, with_area):
    _grow(world, 2, 0)
    area = None
    if with_area:
        area = LocalArea.objects.create(
            partnership=world.partnership, name="Eastside", police_areas=["Northtown"]
        )
        area.agencies.add(world.agencies["police"])
    scope = scope_of(world, area=area)
    # With an area, its agencies and its cases are read once for every figure.
    with django_assert_num_queries(FIGURE_QUERIES + (2 if with_area else 0)):
        board = selectors.dashboard(scope, today=timezone.localdate())
    assert board.referrals.grand_total == 2


def test_the_figures_are_kept_five_minutes_and_every_view_is_audited(world, client, login):
    manager = world.members[Role.MANAGER]
    police = world.members[Role.INVESTIGATOR]
    make_referral(police, received_on=date(2026, 2, 1))
    login(manager)
    first = client.get(URL, PERIOD)
    make_referral(police, received_on=date(2026, 2, 2))
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL, PERIOD)
    assert again.context["board"].referrals.grand_total == 1  # the kept figures
    assert again.context["board"].computed_at == first.context["board"].computed_at
    assert not any("cases_referral" in query["sql"] for query in captured.captured_queries)
    # Another period (or another area, or another day) is worked out afresh.
    other = client.get(URL, {"start": "01/02/2026", "end": "30/06/2026"})
    assert other.context["board"].referrals.grand_total == 2
    assert AccessEvent.objects.filter(actor=manager.user, detail__dashboard="manager").count() == 3
    # Once the five minutes are up (the kept copy gone), the figures are counted again.
    cache.clear()
    assert client.get(URL, PERIOD).context["board"].referrals.grand_total == 2


# Charts ----------------------------------------------------------------------------------------


def test_axis_top_is_a_round_whole_number_per_tick():
    tops = [charts.axis_top(v) for v in (0, 1, 3, 4, 5, 7, 9, 23, 101, 950, 1000, 1001)]
    assert tops == [4, 4, 4, 4, 8, 8, 12, 24, 120, 1000, 1000, 1200]


def test_column_chart_scales_groups_and_stacks():
    grouped = charts.column_chart("T", ["Jan", "Feb"], [("A", [4, 0]), ("B", [2, 1])])
    heights = {bar["title"]: bar["height"] for bar in grouped["bars"]}
    assert heights["Jan, A: 4"] == 2 * heights["Jan, B: 2"]
    assert "Feb, A: 0" not in heights  # a zero draws nothing
    assert [tick["value"] for tick in grouped["ticks"]] == [0, 1, 2, 3, 4]
    assert grouped["description"] == "T. A: Jan 4, Feb 0; B: Jan 2, Feb 1."
    quiet = charts.column_chart("T", ["Jan"], [("A", [0]), ("B", [2])])
    assert quiet["description"] == "T. B: Jan 2."
    assert (
        charts.column_chart("T", ["Jan"], [("A", [0])])["description"] == "T. None in the period."
    )
    stacked = charts.column_chart("T", ["Jan"], [("A", [3]), ("B", [5])], stacked=True)
    lower, upper = stacked["bars"]
    assert lower["y"] == pytest.approx(upper["y"] + upper["height"])
    assert stacked["ticks"][-1]["value"] == 8


def test_stacked_hbar_chart_parts_add_up():
    chart = charts.stacked_hbar_chart("Open", [("Police", [1, 3]), ("Health", [0, 0])], ["O", "N"])
    police, health = chart["rows"]
    assert police["total"] == 4 and health["total"] == 0
    assert police["parts"][1]["x"] == pytest.approx(
        police["parts"][0]["x"] + police["parts"][0]["width"]
    )
    assert health["parts"] == []
    assert "Police: O 1, N 3" in chart["description"]
