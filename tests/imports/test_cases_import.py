"""Issue 13: cases (with their victim and perpetrator) and closures brought in."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from accounts.roles import Role
from cases.models import Case, CaseAgency, PartyRole, Tier
from cases.selectors.core import cases_visible_to
from imports import services
from imports.models import BatchStage
from tests.factories_record import local_code

pytestmark = pytest.mark.django_db

SOURCE = "SPS"
PEOPLE = "id,given_names,family_name,date_of_birth\nP1,Vic,Tim,1980-01-01\nP2,Per,Pet,1975-01-01\n"
CASES = (
    "id,opened_on,summary,lead_agency,victim,perpetrator,tier,closed_on,monitoring_started_on\n"
    "C1,2017-03-01,Repeated contact after separation,police agency,P1,P2,none,,\n"
    "C2,2018-05-10,Following at work,police agency,P1,,2,2019-01-31,2019-02-01\n"
)


def _admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def _run(world, kind, text, values=None, commit=True):
    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user, membership=admin, kind=kind, source_system=SOURCE, data=text.encode()
    )
    if values:
        services.batch_map(
            actor=admin.user, membership=admin, batch=batch, columns=batch.columns, values=values
        )
    batch = services.batch_check(actor=admin.user, membership=admin, batch=batch)
    if commit and not batch.errors:
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.batch_commit(actor=admin.user, membership=admin, batch=batch)
        batch.refresh_from_db()
    return batch


def test_cases_are_created_with_parties_access_and_their_own_dates(world):
    _run(world, "people", PEOPLE)
    batch = _run(world, "cases", CASES)
    assert batch.stage == BatchStage.COMMITTED, batch.errors
    first = Case.objects.get(external_source=SOURCE, external_id="C1")
    assert first.reference.endswith("-2017-00001")
    assert first.tier == Tier.NONE and first.opened_on == date(2017, 3, 1)
    assert set(first.parties.values_list("role", "person__external_id")) == {
        (PartyRole.VICTIM, "P1"),
        (PartyRole.PERPETRATOR, "P2"),
    }
    assert CaseAgency.objects.filter(case=first, agency=world.agencies["police"]).exists()
    assert cases_visible_to(world.members[Role.INVESTIGATOR]).filter(pk=first.pk).exists()
    assert not cases_visible_to(world.members[Role.CLINICIAN]).filter(pk=first.pk).exists()
    closed = Case.objects.get(external_id="C2")
    assert (closed.closed_on, closed.monitoring_started_on) == (date(2019, 1, 31), date(2019, 2, 1))


def test_reloading_cases_creates_nothing_and_a_new_party_is_an_update(world):
    _run(world, "people", PEOPLE)
    _run(world, "cases", CASES)
    again = _run(world, "cases", CASES)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    changed = _run(world, "cases", CASES.replace("P1,,2,", "P1,P2,2,"))
    assert (changed.created_n, changed.updated_n) == (0, 1)
    assert Case.objects.get(external_id="C2").parties.count() == 2


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("C3,2017-03-01,S,police agency,P9,,,,", "victim", "load the person file first"),
        ("C3,2017-03-01,S,nowhere agency,P1,,,,", "lead_agency", "not one of our values"),
        ("C3,2017-03-01,S,police agency,P1,,,2016-01-01,", "closed_on", "before it opened"),
        ("C3,2017-03-01,S,police agency,P1,,,,2016-01-01", "monitoring_started_on", "before"),
        ("C3,1999-03-01,S,police agency,P1,,,,", "opened_on", "on or after"),
        ("C3,2017-03-01,,police agency,P1,,,,", "summary", "Enter the summary"),
        ("C3,2017-03-01,S,police agency,P1,,7,,", "tier", "not one of our values"),
    ],
)
def test_case_rows_that_cannot_be_true_are_refused_and_nothing_committed(world, line, column, text):
    _run(world, "people", PEOPLE)
    batch = _run(world, "cases", CASES + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    assert not Case.objects.filter(external_source=SOURCE).exists()


def test_codes_are_checked_on_the_cases_own_dates(world):
    reason = local_code(world.partnership, code="moved", effective_from=date(2019, 1, 1))
    _run(world, "people", PEOPLE)
    _run(world, "cases", CASES)
    early = _run(world, "closures", f"id,closed_on,closure_reason\nC1,2018-06-01,{reason.code}\n")
    [error] = early.errors
    assert error["column"] == "closure_reason" and "not in use on 1 June 2018" in error["message"]
    later = _run(world, "closures", f"id,closed_on,closure_reason\nC1,2019-06-01,{reason.code}\n")
    assert later.stage == BatchStage.COMMITTED and later.updated_n == 1
    case = Case.objects.get(external_id="C1")
    assert (case.closed_on, case.closure_reason_id) == (date(2019, 6, 1), reason.pk)


def test_a_closure_for_a_case_not_loaded_is_refused(world):
    batch = _run(world, "closures", "id,closed_on\nC9,2019-06-01\n")
    [error] = batch.errors
    assert error["column"] == "id" and "load the cases file first" in error["message"]


def test_rolling_back_cases_removes_them_with_their_parties_and_access(world):
    _run(world, "people", PEOPLE)
    batch = _run(world, "cases", CASES)
    admin = _admin(world)
    services.batch_rollback(actor=admin.user, membership=admin, batch=batch)
    assert not Case.objects.filter(external_source=SOURCE).exists()
    assert not CaseAgency.objects.filter(case__external_source=SOURCE).exists()
    # The numbers are handed out again without clashing.
    again = _run(world, "cases", CASES)
    assert again.created_n == 2


def test_rolling_back_a_closure_reopens_the_case(world):
    _run(world, "people", PEOPLE)
    _run(world, "cases", CASES)
    closure = _run(world, "closures", "id,closed_on\nC1,2019-06-01\n")
    admin = _admin(world)
    services.batch_rollback(actor=admin.user, membership=admin, batch=closure)
    assert Case.objects.get(external_id="C1").closed_on is None


def test_cases_rollback_is_refused_while_a_later_closure_stands(world):
    _run(world, "people", PEOPLE)
    cases = _run(world, "cases", CASES)
    _run(world, "closures", "id,closed_on\nC1,2019-06-01\n")
    admin = _admin(world)
    with pytest.raises(ValidationError):
        services.batch_rollback(actor=admin.user, membership=admin, batch=cases)


def test_bulk_api_for_cases(world):
    _run(world, "people", PEOPLE)
    admin = _admin(world)
    row = {
        "external_id": "C7",
        "opened_on": "2020-02-02",
        "summary": "Messages",
        "lead_agency": "police agency",
        "victim": "P1",
    }
    _, results = services.bulk_apply(
        actor=admin.user, membership=admin, kind="cases", source_system=SOURCE, rows=[row]
    )
    assert results[0]["result"] == "created"
    _, again = services.bulk_apply(
        actor=admin.user, membership=admin, kind="cases", source_system=SOURCE, rows=[row]
    )
    assert again[0]["result"] == "unchanged"


def test_a_blank_cell_keeps_what_is_stored_so_reloading_cases_keeps_their_closures(world):
    _run(world, "people", PEOPLE)
    _run(world, "cases", CASES)
    _run(world, "closures", "id,closed_on\nC1,2019-06-01\n")
    again = _run(world, "cases", CASES)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    assert Case.objects.get(external_id="C1").closed_on == date(2019, 6, 1)


def test_cases_are_shared_with_the_agencies_the_file_names_and_never_unshared(world):
    _run(world, "people", PEOPLE)
    shared = CASES.replace("tier,closed_on", "tier,shared_with,closed_on")
    shared = shared.replace("P2,none,", "P2,none,health agency; probation agency,").replace(
        "P1,,2,", "P1,,2,,"
    )
    batch = _run(world, "cases", shared)
    assert batch.stage == BatchStage.COMMITTED, batch.errors
    first = Case.objects.get(external_id="C1")
    assert set(first.case_agencies.values_list("agency__name", flat=True)) == {
        "police agency",
        "health agency",
        "probation agency",
    }
    assert cases_visible_to(world.members[Role.CLINICIAN]).filter(pk=first.pk).exists()
    again = _run(world, "cases", shared)
    assert again.unchanged_n == 2
    # A file that no longer names health does not take the case away from it.
    _run(world, "cases", shared.replace("health agency; ", ""))
    assert first.case_agencies.filter(agency__name="health agency").exists()


def test_an_unknown_agency_to_share_with_is_a_row_error(world):
    _run(world, "people", PEOPLE)
    shared = CASES.replace("tier,closed_on", "tier,shared_with,closed_on")
    shared = shared.replace("P2,none,", "P2,none,Mars agency,").replace("P1,,2,", "P1,,2,,")
    batch = _run(world, "cases", shared)
    [error] = batch.errors
    assert error["column"] == "shared_with" and "Mars agency" in error["message"]
    assert not Case.objects.filter(external_source=SOURCE).exists()


def _check_queries(world, text):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user, membership=admin, kind="cases", source_system=SOURCE, data=text.encode()
    )
    with CaptureQueriesContext(connection) as queries:
        batch = services.batch_check(actor=admin.user, membership=admin, batch=batch)
    assert batch.errors == []
    return len(queries)


def test_checking_a_reload_reads_parties_and_sharing_once_not_per_case(world):
    _run(world, "people", PEOPLE)
    many = CASES + "".join(
        f"C{n},2018-05-10,More contact,police agency,P1,P2,2,,\n" for n in range(3, 13)
    )
    _run(world, "cases", many)
    few = _check_queries(world, CASES)
    assert _check_queries(world, many) == few
