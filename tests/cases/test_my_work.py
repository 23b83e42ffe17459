"""My work: what each role has waiting, each figure a link to where the work is, counted
only over what the member may see, in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import open_case
from tests.factories_risk import make_assessment
from tests.factories_screening import CrimeScreenEntryFactory
from tests.factories_triage import ActionFactory, ClinicFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _to_do(client):
    page = client.get(reverse("home"))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="to-do"')
    return page, html[start : html.index("</dl>", start)]


def test_investigator_sees_unscreened_crimes_and_actions(client, login, world):
    CrimeScreenEntryFactory.create_batch(3, partnership=world.partnership)
    CrimeScreenEntryFactory(partnership=world.partnership, screened_at=timezone.now())
    CrimeScreenEntryFactory()  # another partnership's
    investigator = world.members[Role.INVESTIGATOR]
    ActionFactory(
        case=world.own_case,
        owner_agency=world.agencies["police"],
        owner=investigator.user,
        due_on=timezone.localdate() - timedelta(days=1),
        created_by=investigator.user,
    )
    ActionFactory(case=world.own_case, owner_agency=world.agencies["police"])
    login(investigator)
    page, to_do = _to_do(client)
    assert "3 crimes not yet screened" in to_do
    assert page.context["actions"] == {
        "mine": 1,
        "mine_overdue": 1,
        "agency": 2,
        "agency_overdue": 1,
    }
    assert "1 open for you</a> (1 overdue)" in to_do


def test_clinician_sees_their_agencys_risk_reviews_due(client, login, world):
    clinician = world.members[Role.CLINICIAN]
    soon = timezone.localdate() + timedelta(days=5)
    due = make_assessment(world.health_case, clinician, review_due_on=soon)
    later_case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    make_assessment(later_case, clinician, review_due_on=soon + timedelta(days=90))
    login(clinician)
    page, to_do = _to_do(client)
    assert [a.pk for a in page.context["reviews_due"]] == [due.pk]
    assert world.health_case.reference in to_do and later_case.reference not in to_do
    assert "crimes not yet screened" not in to_do  # not a police role


def test_advocate_sees_their_caseload(client, login, world):
    from tests.factories_advocacy import start_episode

    advocate = world.members[Role.ADVOCATE]
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["advocacy"]])
    start_episode(advocate, case)
    login(advocate)
    _page, to_do = _to_do(client)
    assert "1 awaiting first contact" in to_do


def test_everyone_sees_the_next_clinic_meeting(client, login, world):
    clinic = ClinicFactory(
        partnership=world.partnership,
        chair=world.members[Role.CLINIC_CHAIR].user,
        agencies=list(world.agencies.values()),
    )
    meeting = MeetingFactory(clinic=clinic)
    for role in (Role.PARTNER, Role.PROBATION_OFFICER, Role.MANAGER):
        login(world.members[role])
        _page, to_do = _to_do(client)
        assert reverse("triage:meeting-detail", args=[meeting.pk]) in to_do, role


def test_my_work_queries_are_bounded(client, login, world):
    CrimeScreenEntryFactory.create_batch(5, partnership=world.partnership)
    login(world.members[Role.POLICE_SUPERVISOR])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert len(queries) <= 25, [q["sql"][:120] for q in queries]


def test_clinician_sees_their_interventions_caseload(client, login, world):
    from tests.factories_interventions import refer

    clinician = world.members[Role.CLINICIAN]
    refer(clinician, world.health_case)  # allocated to them: awaiting consent
    refer(clinician, world.health_case, consent_on=timezone.localdate())  # active
    refer(clinician, world.health_case, practitioner=None)  # waiting for a clinician
    login(clinician)
    page, to_do = _to_do(client)
    assert page.context["interventions"] == {"referred": 1, "awaiting_consent": 1, "active": 1}
    assert "1 referred, waiting for a clinician" in to_do
    assert "1 of yours awaiting consent" in to_do and "1 active" in to_do
    login(world.members[Role.INVESTIGATOR])
    _page, police_to_do = _to_do(client)
    assert "Interventions" not in police_to_do
