"""The case list's visibility SQL: a list page probes grants row by row, counts and
subqueries hash them, and both forms answer exactly the same cases (break-glass too)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from audit.models import BreakGlassGrant
from audit.services import break_glass_open
from cases.pagination import CappedCountPaginator, capped_count
from cases.selectors import core as selectors
from cases.selectors.core import PROBE_ROWS
from tests.factories import open_case


@pytest.fixture
def many(world):
    """Twelve police cases shared with health, eight police-only, a break-glass case."""
    police = world.members[Role.INVESTIGATOR]
    health = world.agencies["health"]
    shared = [
        open_case(police, shared_with=[health], opened_on=timezone.localdate() - timedelta(n))
        for n in range(12)
    ]
    police_only = [open_case(police) for _ in range(8)]
    clinician = world.members[Role.CLINICIAN]
    break_glass_open(
        actor=clinician.user,
        membership=clinician,
        case=police_only[0],
        reason="Urgent safeguarding call about the victim",
    )
    return shared, police_only


def _page_ids(membership, size):
    return [case.pk for case in selectors.case_list(membership)[:size]]


def test_page_and_count_agree_with_the_hashed_form(world, many):
    shared, police_only = many
    clinician = world.members[Role.CLINICIAN]
    everything = set(selectors.case_list(clinician).values_list("pk", flat=True))
    expected = {c.pk for c in shared} | {police_only[0].pk, world.health_case.pk}
    expected |= {world.advocacy_case.pk}
    assert everything == expected
    page = _page_ids(clinician, 5)
    ordered = list(
        selectors.case_list(clinician)
        .filter(pk__in=everything)
        .order_by("-opened_on", "-id")
        .values_list("pk", flat=True)
    )
    assert page == ordered[:5]
    assert _page_ids(clinician, 100) == ordered
    assert capped_count(selectors.case_list(clinician)) == (len(expected), False)
    assert police_only[1].pk not in everything


def test_expired_break_glass_drops_out_of_page_and_count(world, many):
    _shared, police_only = many
    clinician = world.members[Role.CLINICIAN]
    BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert police_only[0].pk not in _page_ids(clinician, 100)
    count, _capped = capped_count(selectors.case_list(clinician))
    assert count == len(_page_ids(clinician, 100))


def test_sql_form_follows_the_query(world, many):
    clinician = world.members[Role.CLINICIAN]
    cases = selectors.case_list(clinician)
    page = str(cases[:25].query)
    assert "OFFSET 0)" in page and "EXISTS(" in page
    deep = str(cases[PROBE_ROWS : PROBE_ROWS + 25].query)
    assert "OFFSET 0)" not in deep and " IN (SELECT" in deep
    assert "OFFSET 0)" in str(cases.filter(pk=1).order_by()[:1].query)  # .exists()
    count = str(cases.order_by()[:10_001].query)
    assert "OFFSET 0)" not in count and " IN (SELECT" in count
    # Inside another query (people visible through their cases) the hashed form is used.
    from cases.selectors.people import people_visible_to

    assert "OFFSET 0)" not in str(people_visible_to(clinician).query)


def test_partnership_wide_reader_has_no_visibility_condition(world, many):
    chair = world.members[Role.CLINIC_CHAIR]
    sql = str(selectors.case_list(chair)[:25].query)
    assert "EXISTS(" not in sql and "casegroupobjectpermission" not in sql


def test_visible_case_ids_checks_each_id(world, many):
    shared, police_only = many
    clinician = world.members[Role.CLINICIAN]
    ids = [shared[0].pk, police_only[0].pk, police_only[1].pk, world.other_partnership_case.pk]
    with CaptureQueriesContext(connection) as queries:
        visible = selectors.visible_case_ids(clinician, ids)
    assert visible == {shared[0].pk, police_only[0].pk}
    assert len(queries) == 1
    assert selectors.visible_case_ids(clinician, []) == set()


def test_paginated_list_page_and_count(world, many):
    police = world.members[Role.INVESTIGATOR]
    paginator = CappedCountPaginator(selectors.case_list(police), 7)
    first = paginator.page(1)
    # 20 cases opened here plus the two police cases of the world.
    assert paginator.count == 22 and not paginator.capped
    assert len(first.object_list) == 7
    last = paginator.page(paginator.num_pages)
    assert len(last.object_list) == 22 - 7 * 3


def test_both_forms_work_nested_in_another_query(world, many):
    """Inside an EXISTS (LIMIT 1: the probed form) and inside IN (the hashed form), the
    condition still refers to the right case once Django relabels the subquery."""
    from django.db.models import Exists, OuterRef

    from cases.models import CaseAgency

    shared, police_only = many
    clinician = world.members[Role.CLINICIAN]
    links = CaseAgency.objects.filter(case__partnership=world.partnership)
    probed = links.filter(
        Exists(selectors.cases_visible_to(clinician).filter(pk=OuterRef("case_id")))
    )
    hashed = links.filter(case__in=selectors.cases_visible_to(clinician))
    assert "OFFSET 0)" in str(probed.query) and "OFFSET 0)" not in str(hashed.query)
    expected = set(links.filter(case__in=[c.pk for c in shared]).values_list("pk", flat=True))
    expected |= set(
        links.filter(
            case__in=[police_only[0].pk, world.health_case.pk, world.advocacy_case.pk]
        ).values_list("pk", flat=True)
    )
    assert set(probed.values_list("pk", flat=True)) == expected
    assert set(hashed.values_list("pk", flat=True)) == expected


def test_usual_queryset_operations_still_work(world, many):
    from django.db.models import Count

    shared, police_only = many
    clinician = world.members[Role.CLINICIAN]
    police = world.members[Role.INVESTIGATOR]
    visible = selectors.cases_visible_to(clinician)
    ids = set(visible.values_list("pk", flat=True))
    assert visible.count() == len(ids) == visible.distinct().count()
    assert visible.filter(pk=police_only[0].pk).exists()
    assert not visible.filter(pk=police_only[1].pk).exists()
    assert set(visible.exclude(pk=shared[0].pk).values_list("pk", flat=True)) == ids - {
        shared[0].pk
    }
    either = visible | selectors.cases_visible_to(police)
    assert set(either.values_list("pk", flat=True)) >= ids | {police_only[1].pk}
    assert visible.aggregate(n=Count("pk"))["n"] == len(ids)
    assert visible.filter(reference__iexact=shared[0].reference).first() == shared[0]
