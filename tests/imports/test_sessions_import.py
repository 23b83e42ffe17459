"""Issue 13: intervention sessions brought in, so that start, end and completion of an
enrolment loaded from history follow from its dated sessions (never typed)."""

from datetime import date

import pytest

from accounts.roles import Role
from cases.services import core as case_services
from imports.models import BatchStage
from interventions.models import Enrolment, EnrolmentStatus, Session
from tests.imports.history import SOURCE, check, load, rollback
from tests.imports.test_interventions_import import COLUMNS as ENROLMENT_COLUMNS
from tests.imports.test_interventions_import import CSV as ENROLMENTS

pytestmark = pytest.mark.django_db

HEADER = "Session ID,Enrolment ID,Date,Attendance,How,Minutes\n"
FIVE = "".join(
    f"S{n},E1,{date(2016, 6, 2 + 7 * n):%d/%m/%Y},Attended and engaged,In person,60\n"
    for n in range(5)
)
COLUMNS = {
    "external_id": "Session ID",
    "enrolment": "Enrolment ID",
    "held_on": "Date",
    "attendance": "Attendance",
    "modality": "How",
    "minutes": "Minutes",
}


@pytest.fixture
def enrolments(history):
    """Enrolments E1 (consent 1 June 2016, 5 planned) and E2 (no consent) loaded on C1."""
    member = history.members[Role.INVESTIGATOR]
    case_services.case_share(
        actor=member.user,
        membership=member,
        case=history.own_case,
        agency=history.agencies["health"],
        reason="Test",
    )
    batch = load(history, "interventions", ENROLMENTS, columns=ENROLMENT_COLUMNS)
    assert batch.stage == BatchStage.COMMITTED, batch.errors
    return history


def _load(world, rows):
    return load(world, "sessions", HEADER + rows, columns=COLUMNS)


def test_five_sessions_attended_complete_a_five_session_enrolment(enrolments):
    batch = _load(enrolments, FIVE)
    assert batch.created_n == 5
    enrolment = Enrolment.objects.get(external_source=SOURCE, external_id="E1")
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.started_on == date(2016, 6, 2)
    assert Session.objects.get(external_id="S0").minutes == 60
    again = _load(enrolments, FIVE)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 5)


def test_fewer_sessions_leave_it_active_and_rollback_removes_them(enrolments):
    batch = _load(enrolments, "".join(FIVE.splitlines(keepends=True)[:3]))
    enrolment = Enrolment.objects.get(external_id="E1")
    assert enrolment.status == EnrolmentStatus.ACTIVE
    rollback(enrolments, batch)
    assert not Session.objects.filter(external_source=SOURCE).exists()


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("S9,E1,01/05/2016,Late,Phone,30\n", "Date", "before the referral"),
        ("S9,E1,20/05/2016,Late,Phone,30\n", "Date", "Consent must be signed"),
        ("S9,E2,01/05/2017,Late,Phone,30\n", "Date", "Consent must be signed"),
        ("S9,E1,01/07/2016,Late,Phone,700\n", "Minutes", "up to 600"),
        ("S9,E1,01/07/2016,Asleep,Phone,30\n", "Attendance", "not one of our values"),
        ("S9,E7,01/07/2016,Late,Phone,30\n", "Enrolment ID", "load the"),
    ],
)
def test_sessions_that_cannot_be_true_are_refused_and_nothing_committed(
    enrolments, line, column, text
):
    batch = check(enrolments, "sessions", HEADER + FIVE + line, columns=COLUMNS)
    [error] = batch.errors
    assert (error["row"], error["column"]) == (7, column)
    assert text in error["message"]
    assert not Session.objects.filter(external_source=SOURCE).exists()
