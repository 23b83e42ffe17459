"""The clinical compartment (issue 12 item 4): session notes are read only by the health
agency delivering the enrolment (its clinicians, and the clinic chair when a member of it),
on pages and through the API. Police, probation, advocacy, partners, managers, the admin, a
chair in another agency and break-glass see the enrolment's status, dates and attendance on
the case page and never a note (asserted on a marker string)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from interventions.models import Attendance
from tests.factories import MembershipFactory, open_case
from tests.factories_interventions import (
    at,
    attend,
    book,
    refer,
    second_health_agency,
)

pytestmark = pytest.mark.django_db

NOTE = "MARKER-note-disclosed-suicidal-thoughts"


@pytest.fixture
def held(world):
    """A fACT enrolment delivered by the world's health agency on a case shared with every
    agency: two sessions attended (one with a marked note), one booked."""
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    case = open_case(police, shared_with=agencies)
    clinician = world.members[Role.CLINICIAN]
    start = timezone.localdate() - timedelta(days=21)
    enrolment = refer(clinician, case, referred_on=start, consent_on=start)
    attend(clinician, book(clinician, enrolment, at(start + timedelta(days=7))), notes=NOTE)
    attend(
        clinician,
        book(clinician, enrolment, at(start + timedelta(days=14))),
        Attendance.LATE,
        minutes=45,
    )
    book(clinician, enrolment, at(timezone.localdate() + timedelta(days=2)))
    return enrolment


def _session(enrolment):
    return enrolment.sessions.order_by("scheduled_at").first()


def _urls(enrolment):
    session = _session(enrolment)
    return [
        reverse("interventions:enrolment-detail", args=[enrolment.pk]),
        reverse("interventions:enrolment-consent", args=[enrolment.pk]),
        reverse("interventions:enrolment-withdraw", args=[enrolment.pk]),
        reverse("interventions:session-new", args=[enrolment.pk]),
        reverse("interventions:session-attendance", args=[session.pk]),
        reverse("interventions:session-reschedule", args=[session.pk]),
        reverse("interventions:session-cancel", args=[session.pk]),
        reverse("api:interventions-enrolment-detail", args=[enrolment.pk]),
        reverse("api:interventions-session-list", kwargs={"enrolment_pk": enrolment.pk}),
        reverse("interventions:caseload") + "?mine=0",
        reverse("api:interventions-enrolment-list"),
    ]


SCOPED = slice(0, 9)  # the URLs that name the enrolment or its session


def _case_page(client, enrolment):
    return client.get(reverse("interventions:case-interventions", args=[enrolment.case_id]))


def test_the_providers_clinician_reads_the_notes(world, held, client, login):
    login(world.members[Role.CLINICIAN])
    answers = {url: client.get(url) for url in _urls(held)}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    detail = answers[_urls(held)[0]].content.decode()
    assert NOTE in detail
    sessions = answers[_urls(held)[8]].json()
    assert sessions[0]["notes"] == NOTE


def test_the_chair_reads_them_only_as_a_member_of_the_providing_agency(world, held, client, login):
    login(world.members[Role.CLINIC_CHAIR])  # a member of the health agency
    response = client.get(_urls(held)[0])
    assert response.status_code == 200 and NOTE in response.content.decode()
    client.logout()
    police_chair = MembershipFactory(agency=world.agencies["police"], role=Role.CLINIC_CHAIR)
    login(police_chair)
    for url in _urls(held):
        response = client.get(url)
        assert response.status_code == 403, url
        assert NOTE not in response.content.decode()
    page = _case_page(client, held)
    assert page.status_code == 200 and NOTE not in page.content.decode()


OUTSIDERS = [r for r in Role.values if r not in (Role.CLINICIAN, Role.CLINIC_CHAIR)]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_see_status_and_attendance_never_notes(world, held, client, login, role):
    login(world.members[role])
    for url in _urls(held):
        response = client.get(url)
        assert response.status_code == 403, url
        assert NOTE not in response.content.decode(), url
    page = _case_page(client, held)
    assert page.status_code == 200
    body = page.content.decode()
    assert NOTE not in body
    assert "fACT" in body and "Active" in body
    assert "2 of 6 planned sessions" in body
    assert "Attended and engaged" in body and "Late" in body
    assert reverse("interventions:enrolment-detail", args=[held.pk]) not in body
    assert "Refer to an intervention" not in body


def test_break_glass_sees_status_only(world, held, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    clinician = world.members[Role.CLINICIAN]
    hidden = open_case(world.members[Role.CLINIC_CHAIR])  # led by health, shared with no one
    yesterday = timezone.localdate() - timedelta(days=1)
    enrolment = refer(clinician, hidden, referred_on=yesterday, consent_on=yesterday)
    attend(clinician, book(clinician, enrolment, timezone.now() - timedelta(hours=2)), notes=NOTE)
    probation = world.members[Role.PROBATION_OFFICER]
    for member in (investigator, probation):
        break_glass_open(
            actor=member.user, membership=member, case=hidden, reason="Urgent check out of hours"
        )
        login(member)
        page = _case_page(client, enrolment)
        assert page.status_code == 200 and NOTE not in page.content.decode()
        for url in _urls(enrolment):
            assert client.get(url).status_code == 403, url
        client.logout()


def test_another_health_agency_gets_404_and_one_denial_row(world, held, client, login):
    _, other_clinician = second_health_agency(world.partnership)
    login(other_clinician)
    for url in _urls(held)[SCOPED]:
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOTE not in response.content.decode()
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1, url
    assert client.get(reverse("api:interventions-enrolment-list")).json()["count"] == 0
    caseload = client.get(reverse("interventions:caseload") + "?mine=0").content.decode()
    assert held.party.person.family_name not in caseload
    # A session named under another enrolment's URL is no way round the rule either.
    theirs = refer(
        other_clinician,
        open_case(world.members[Role.INVESTIGATOR], shared_with=[other_clinician.agency]),
    )
    url = reverse(
        "api:interventions-session-attendance",
        kwargs={"enrolment_pk": theirs.pk, "pk": _session(held).pk},
    )
    before = AccessEvent.objects.filter(action=Action.DENIAL).count()
    response = client.post(url, {"attendance": "late"}, content_type="application/json")
    assert response.status_code == 404
    assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1


def test_every_read_of_an_enrolment_is_audited(world, held, client, login):
    clinician = world.members[Role.CLINICIAN]
    login(clinician)
    for url in (
        reverse("interventions:enrolment-detail", args=[held.pk]),
        reverse("api:interventions-enrolment-detail", args=[held.pk]),
        reverse("api:interventions-session-list", kwargs={"enrolment_pk": held.pk}),
    ):
        before = AccessEvent.objects.filter(action=Action.VIEW).count()
        assert client.get(url).status_code == 200
        rows = AccessEvent.objects.filter(action=Action.VIEW).order_by("-id")
        assert rows.count() == before + 1
        row = rows.first()
        assert row.actor == clinician.user and row.case == held.case
        assert row.object_type == "interventions.Enrolment" and row.object_id == str(held.pk)
        assert NOTE not in str(row.detail) + row.object_repr
    before = AccessEvent.objects.filter(action=Action.LIST).count()
    client.get(reverse("interventions:caseload"))
    assert AccessEvent.objects.filter(action=Action.LIST).count() == before + 1


def test_the_case_section_read_is_audited(world, held, client, login):
    probation = world.members[Role.PROBATION_OFFICER]
    login(probation)
    _case_page(client, held)
    row = AccessEvent.objects.filter(action=Action.VIEW).order_by("-id").first()
    assert row.actor == probation.user and row.case == held.case
    assert row.detail == {"section": "interventions"}
