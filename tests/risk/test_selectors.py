"""The selectors other areas call: current level per case, high-risk cases, reviews due."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cases.models import Case
from risk.models import AssessmentStatus
from risk.selectors import current_level_by_case, high_risk_case_ids, reviews_due
from tests.factories import open_case
from tests.factories_risk import make_assessment, make_instrument


def _versions():
    a = make_instrument(code="tool-a").versions.get()
    b = make_instrument(code="tool-b").versions.get()
    return a, b


def test_current_level_is_the_latest_complete_assessment(world):
    police = world.members[Role.INVESTIGATOR]
    a, b = _versions()
    case, other = world.own_case, world.health_case
    make_assessment(case, police, version=a, level="high", assessed_on=date(2025, 1, 1))
    make_assessment(case, police, version=b, level="low", assessed_on=date(2025, 3, 1))
    # A later draft does not count.
    make_assessment(
        case, police, version=a, status=AssessmentStatus.DRAFT, assessed_on=date(2025, 4, 1)
    )
    make_assessment(other, police, version=a, level="medium", assessed_on=date(2025, 2, 1))

    with CaptureQueriesContext(connection) as queries:
        levels = current_level_by_case([case.pk, other.pk, world.advocacy_case.pk])
    assert len(queries) == 1
    assert levels == {case.pk: "low", other.pk: "medium"}


def test_same_day_ties_go_to_the_later_assessment(world):
    police = world.members[Role.INVESTIGATOR]
    a, _ = _versions()
    make_assessment(world.own_case, police, version=a, level="low", assessed_on=date(2025, 1, 1))
    make_assessment(world.own_case, police, version=a, level="high", assessed_on=date(2025, 1, 1))
    assert current_level_by_case([world.own_case.pk]) == {world.own_case.pk: "high"}


def test_high_risk_case_ids_is_a_subquery_of_latest_high(world):
    police = world.members[Role.INVESTIGATOR]
    a, _ = _versions()
    make_assessment(world.own_case, police, version=a, level="high", assessed_on=date(2025, 1, 1))
    # Was high, now medium: no longer high risk.
    make_assessment(
        world.health_case, police, version=a, level="high", assessed_on=date(2025, 1, 1)
    )
    make_assessment(
        world.health_case, police, version=a, level="medium", assessed_on=date(2025, 2, 1)
    )
    other_member = world.other_partnership_member
    make_assessment(world.other_partnership_case, other_member, version=a, level="high")

    with CaptureQueriesContext(connection) as queries:
        ids = set(
            Case.objects.filter(pk__in=high_risk_case_ids(world.partnership.pk)).values_list(
                "pk", flat=True
            )
        )
    assert len(queries) == 1
    assert ids == {world.own_case.pk}


def test_reviews_due_skips_superseded_drafts_and_later_dates(world):
    police = world.members[Role.INVESTIGATOR]
    a, b = _versions()
    today = date(2025, 6, 1)
    superseded = make_assessment(
        world.own_case, police, version=a, assessed_on=date(2025, 1, 1), review_due_on=today
    )
    latest = make_assessment(
        world.own_case, police, version=a, assessed_on=date(2025, 2, 1), review_due_on=today
    )
    # Another instrument on the same case has its own review.
    other_tool = make_assessment(
        world.own_case,
        police,
        version=b,
        assessed_on=date(2025, 1, 1),
        review_due_on=today - timedelta(days=3),
    )
    make_assessment(
        world.health_case,
        police,
        version=a,
        assessed_on=date(2025, 1, 1),
        review_due_on=today + timedelta(days=1),
    )
    make_assessment(
        world.advocacy_case, police, version=a, status=AssessmentStatus.DRAFT, review_due_on=today
    )

    due = list(reviews_due(today))
    assert [x.pk for x in due] == [other_tool.pk, latest.pk]
    assert superseded.pk not in {x.pk for x in due}
    with CaptureQueriesContext(connection) as queries:
        rows = list(reviews_due(today))
        names = [(x.case.reference, x.assessor.email) for x in rows]
    assert len(queries) == 1
    assert len(names) == 2


def test_reviews_due_query_count_is_fixed(world):
    police = world.members[Role.INVESTIGATOR]
    a, _ = _versions()
    for _ in range(5):
        case = open_case(police)
        make_assessment(
            case,
            police,
            version=a,
            assessed_on=date(2024, 10, 1),
            review_due_on=date(2025, 1, 1),
        )
    with CaptureQueriesContext(connection) as queries:
        rows = [(x.case.reference, x.assessor.email) for x in reviews_due(date(2025, 1, 1))]
    assert len(rows) == 5
    assert len(queries) == 1


def test_case_risk_summary_is_one_narrow_query_with_the_same_result(world):
    from risk.selectors import case_risk, case_risk_summary

    police = world.members[Role.INVESTIGATOR]
    a, b = _versions()
    case = world.own_case
    make_assessment(case, police, version=a, level="high", assessed_on=date(2025, 1, 1))
    make_assessment(case, police, version=b, level="low", assessed_on=date(2025, 3, 1))
    make_assessment(case, police, version=a, status=AssessmentStatus.DRAFT)
    full = case_risk(case)
    with CaptureQueriesContext(connection) as queries:
        summary = case_risk_summary(case)
        shown = [
            (x.instrument_version.instrument.name, x.level, x.assessed_on)
            for x in summary.latest_by_instrument
        ]
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert '"answers"' not in sql and '"definition"' not in sql and '"item_wording"' not in sql
    assert shown == [
        (x.instrument_version.instrument.name, x.level, x.assessed_on)
        for x in full.latest_by_instrument
    ]
    assert (summary.level, summary.overall.pk, summary.drafts) == ("low", full.overall.pk, 1)


def test_case_assessments_leave_out_answers_and_definitions(world):
    from risk.selectors import case_assessments

    police = world.members[Role.INVESTIGATOR]
    make_assessment(world.own_case, police, level="high")
    with CaptureQueriesContext(connection) as queries:
        rows = case_assessments(world.own_case)
        names = [(a.instrument_version.instrument.name, a.result, a.agency.name) for a in rows]
    assert len(queries.captured_queries) == 1 and len(names) == 1
    sql = queries.captured_queries[0]["sql"]
    assert '"answers"' not in sql and '"definition"' not in sql and '"item_wording"' not in sql


def test_risk_instrument_list_leaves_out_measures_and_questionnaires(world, client, login):
    from risk import selectors

    police = world.members[Role.INVESTIGATOR]
    codes = {i.code for i in selectors.instrument_list(police)}
    assert {"dash", "s-dash", "sash", "srp"} <= codes
    assert not codes & {"aaq-ii", "cfq", "psyflex", "victim-voice", "victim-perception"}
    assert selectors.active_instrument_by_code(police, "aaq-ii") is None
    assert [i.code for i in selectors.measures_visible_to(police, "psychometric")] == [
        "aaq-ii",
        "cfq",
        "psyflex",
    ]
    login(police)
    page = client.get("/risk/").content.decode()
    assert "DASH" in page and "AAQ-II" not in page and "Victim questionnaire" not in page
    api = client.get("/api/v1/risk/instruments/").content.decode()
    assert "dash" in api and "aaq-ii" not in api
