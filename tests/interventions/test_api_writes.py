"""The API's session and enrolment writes (issue 12 items 3 and 10): reschedule (the new
appointment supersedes the old one), cancel with a coded reason, withdraw with a coded
reason grouped drop-out / other; bad input answers a field-keyed 400 and saves nothing;
every write has its audit row. And the practitioner's registration shown on allocation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import Session, SessionStatus, WithdrawalGroup
from tests.factories_interventions import at, book, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def booked(world, clinician):
    today = timezone.localdate()
    enrolment = refer(
        clinician, world.health_case, referred_on=today - timedelta(days=5), consent_on=today
    )
    return book(clinician, enrolment, at(today + timedelta(days=2)))


def _url(name, session):
    return reverse(name, kwargs={"enrolment_pk": session.enrolment_id, "pk": session.pk})


def test_reschedule_and_cancel(world, clinician, booked, client, login):
    login(clinician)
    move = _url("api:interventions-session-reschedule", booked)
    for body, fields in [
        ({"scheduled_at": "not a date"}, {"scheduled_at"}),
        ({"scheduled_at": booked.scheduled_at.isoformat()}, {"scheduled_at"}),
        (
            {"scheduled_at": (timezone.now() + timedelta(days=3)).isoformat(), "modality": "fax"},
            {"modality"},
        ),
    ]:
        refused = client.post(move, body, content_type="application/json")
        assert refused.status_code == 400 and set(refused.json()["errors"]) == fields, body
    assert Session.objects.count() == 1
    when = at(timezone.localdate() + timedelta(days=4), 15)
    moved = client.post(move, {"scheduled_at": when.isoformat()}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    new = Session.objects.get(pk=moved.json()["id"])
    booked.refresh_from_db()
    assert booked.status == SessionStatus.RESCHEDULED and booked.superseded_by == new
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_id=str(booked.pk), detail__rescheduled_to=new.pk
    ).exists()
    # The old one can no longer be cancelled; the new one can, with a coded reason.
    stale = client.post(
        _url("api:interventions-session-cancel", booked),
        {"reason": "other"},
        content_type="application/json",
    )
    assert stale.status_code == 400
    cancel = _url("api:interventions-session-cancel", new)
    refused = client.post(cancel, {"reason": "bored"}, content_type="application/json")
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"reason"}
    done = client.post(cancel, {"reason": "participant_request"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_id=str(new.pk), detail__cancelled="participant_request"
    ).exists()


@pytest.mark.parametrize(
    "reason, group", [("disengaged", "drop_out"), ("breach", "drop_out"), ("moved", "other")]
)
def test_withdraw_with_a_grouped_reason(world, clinician, booked, client, login, reason, group):
    login(clinician)
    url = reverse("api:interventions-enrolment-withdraw", args=[booked.enrolment_id])
    future = str(timezone.localdate() + timedelta(days=1))
    refused = client.post(
        url, {"withdrawn_on": future, "reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"reason"}
    refused = client.post(
        url, {"withdrawn_on": future, "reason": reason}, content_type="application/json"
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"withdrawn_on"}
    done = client.post(
        url,
        {"withdrawn_on": str(timezone.localdate()), "reason": reason},
        content_type="application/json",
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["withdrawal_group"]) == ("dropped_out", group)
    assert WithdrawalGroup.of(reason) == group
    booked.refresh_from_db()
    assert booked.status == SessionStatus.CANCELLED
    page = client.get(reverse("interventions:case-interventions", args=[booked.enrolment.case_id]))
    label = "dropped out" if group == "drop_out" else "ended for another reason"
    assert f"({label})" in page.content.decode()


def test_the_registration_shows_on_allocation(world, clinician, booked, client, login):
    user = clinician.user
    user.registration_body, user.registration_number = "HCPC", "PYL12345"
    user.save(update_fields=["registration_body", "registration_number"])
    login(clinician)
    enrolment = booked.enrolment
    allocate = client.get(reverse("interventions:enrolment-allocate", args=[enrolment.pk]))
    assert "HCPC PYL12345" in allocate.content.decode()
    detail = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    assert "registered HCPC PYL12345" in detail.content.decode()
