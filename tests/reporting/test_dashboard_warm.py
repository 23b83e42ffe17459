"""The beat job counts the default dashboards ahead: the whole partnership and each local
area over the last twelve full months, kept in the cache the page reads."""

import pytest
from django.utils import timezone

from reporting.models import LocalArea
from reporting.selectors import dashboards
from reporting.tasks import warm_dashboards
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_warming_counts_every_default_dashboard_once(world, django_assert_num_queries):
    area = LocalArea.objects.create(partnership=world.partnership, name="North")
    area.agencies.add(world.agencies["police"])
    today = timezone.localdate()
    start, end = dashboards.default_period(today)
    make_referral(world.members["investigator"], case=world.own_case, received_on=end)

    assert warm_dashboards() == 3  # Northshire, its area, and the other partnership

    scope = dashboards.Scope(
        partnership_id=world.partnership.pk, start=start, end=end, local_area=area
    )
    with django_assert_num_queries(0):
        board = dashboards.dashboard_cached(scope, today=today)
    assert board.referrals.grand_total == 1
    whole = dashboards.Scope(partnership_id=world.partnership.pk, start=start, end=end)
    with django_assert_num_queries(0):
        assert dashboards.dashboard_cached(whole, today=today).referrals.grand_total == 1


def test_a_period_not_counted_ahead_is_counted_on_demand(world, django_assert_max_num_queries):
    today = timezone.localdate()
    start, end = dashboards.default_period(today)
    scope = dashboards.Scope(
        partnership_id=world.partnership.pk, start=start.replace(day=2), end=end
    )
    with django_assert_max_num_queries(22):
        board = dashboards.dashboard_cached(scope, today=today)
    assert board.referrals.grand_total == 0
