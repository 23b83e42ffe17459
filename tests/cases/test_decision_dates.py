"""Dates of decisions: referral screening and decisions, screening actions and
reclassification decisions can be dated (default today, never in the future, never before
the thing they decide on); the audit row still records when the entry was made."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent
from cases.models import Referral, ScreeningAction
from cases.services import screening as screening_services
from tests.factories import make_referral
from tests.factories_screening import CrimeScreenEntryFactory, offence


def _d(day):
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _referral(world, today, days_ago=10):
    return make_referral(world.members[Role.ADVOCATE], received_on=today - timedelta(days=days_ago))


def _events(referral, lifecycle):
    return AccessEvent.objects.filter(
        object_type="cases.Referral", object_id=str(referral.pk), detail__lifecycle=lifecycle
    )


# Referrals: pages ----------------------------------------------------------------------


def test_screen_page_offers_today_and_stores_a_past_date(world, client, login, today):
    referral = _referral(world, today)
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("cases:referral-detail", args=[referral.pk])).content.decode()
    assert "Date of screening" in page and f'value="{_d(today)}"' in page
    day = today - timedelta(days=3)
    response = client.post(
        reverse("cases:referral-screen", args=[referral.pk]), {"screened_on": _d(day)}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert timezone.localtime(referral.screened_at).date() == day
    event = _events(referral, "screened").get()
    assert event.detail["screened_on"] == day.isoformat()
    assert timezone.localtime(event.at).date() == today  # when it was entered


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The date must be today or in the past."),
        (11, "The date of the screening cannot be before the referral was received"),
    ],
)
def test_screen_page_refuses_bad_dates(world, client, login, today, days, message):
    referral = _referral(world, today)
    login(world.members[Role.INVESTIGATOR])
    response = client.post(
        reverse("cases:referral-screen", args=[referral.pk]),
        {"screened_on": _d(today - timedelta(days=days))},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "govuk-error-summary" in page
    assert 'href="#id_screened_on"' in page
    referral.refresh_from_db()
    assert referral.screened_at is None and not _events(referral, "screened").exists()


def test_decide_page_dates_the_decision_and_the_new_case(world, client, login, today):
    referral = _referral(world, today)
    login(world.members[Role.INVESTIGATOR])
    client.post(
        reverse("cases:referral-screen", args=[referral.pk]),
        {"screened_on": _d(today - timedelta(days=5))},
    )
    url = reverse("cases:referral-decide", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Date of decision" in page and f'value="{_d(today)}"' in page
    too_early = client.post(
        url, {"decision": "accepted", "decided_on": _d(today - timedelta(days=6))}
    )
    assert too_early.status_code == 400
    assert "cannot be before the referral was screened" in too_early.content.decode()
    missing = client.post(url, {"decision": "accepted", "decided_on": ""})
    assert "Enter the date of the decision." in missing.content.decode()
    assert Referral.objects.get(pk=referral.pk).decision == ""
    day = today - timedelta(days=2)
    assert client.post(url, {"decision": "accepted", "decided_on": _d(day)}).status_code == 302
    referral.refresh_from_db()
    assert timezone.localtime(referral.decided_at).date() == day
    assert referral.case.opened_on == day
    assert _events(referral, "decided").get().detail["decided_on"] == day.isoformat()


# Referrals: API ------------------------------------------------------------------------


def test_api_dates_default_to_today(api, world, today):
    referral = _referral(world, today)
    client = api(world.members[Role.INVESTIGATOR])
    assert (
        client.post(
            reverse("api:referral-screen", args=[referral.pk]), {}, format="json"
        ).status_code
        == 200
    )
    decided = client.post(
        reverse("api:referral-decide", args=[referral.pk]),
        {"decision": "declined", "reason": "Not our area"},
        format="json",
    )
    assert decided.status_code == 200
    referral.refresh_from_db()
    assert timezone.localtime(referral.screened_at).date() == today
    assert timezone.localtime(referral.decided_at).date() == today


def test_api_refuses_bad_dates_by_field(api, world, today):
    referral = _referral(world, today)
    client = api(world.members[Role.INVESTIGATOR])
    screen = reverse("api:referral-screen", args=[referral.pk])
    future = client.post(screen, {"screened_on": str(today + timedelta(days=1))}, format="json")
    assert future.status_code == 400
    assert future.json()["errors"] == {
        "screened_on": ["The date of the screening must be today or in the past."]
    }
    early = client.post(screen, {"screened_on": str(today - timedelta(days=11))}, format="json")
    assert early.status_code == 400 and list(early.json()["errors"]) == ["screened_on"]
    junk = client.post(screen, {"screened_on": "yesterday"}, format="json")
    assert junk.status_code == 400 and list(junk.json()["errors"]) == ["screened_on"]
    assert not _events(referral, "screened").exists()
    day = today - timedelta(days=4)
    assert client.post(screen, {"screened_on": str(day)}, format="json").status_code == 200
    decide = reverse("api:referral-decide", args=[referral.pk])
    before = client.post(
        decide,
        {"decision": "declined", "reason": "x", "decided_on": str(day - timedelta(days=1))},
        format="json",
    )
    assert before.status_code == 400 and list(before.json()["errors"]) == ["decided_on"]
    future = client.post(
        decide,
        {"decision": "declined", "reason": "x", "decided_on": str(today + timedelta(days=1))},
        format="json",
    )
    assert future.status_code == 400 and list(future.json()["errors"]) == ["decided_on"]
    assert Referral.objects.get(pk=referral.pk).decision == ""
    ok = client.post(
        decide, {"decision": "declined", "reason": "x", "decided_on": str(day)}, format="json"
    )
    assert ok.status_code == 200
    assert timezone.localtime(Referral.objects.get(pk=referral.pk).decided_at).date() == day


# Screening actions and reclassification decisions --------------------------------------


def _entry(world, today, days_ago=10):
    return CrimeScreenEntryFactory(
        partnership=world.partnership, recorded_on=today - timedelta(days=days_ago)
    )


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The date must be today or in the past."),
        (11, "The date of the action cannot be before the crime was recorded."),
    ],
)
def test_screening_action_page_refuses_bad_dates(world, client, login, today, days, message):
    entry = _entry(world, today)
    login(world.members[Role.INVESTIGATOR])
    url = reverse("screening:entry-actions", args=[entry.pk])
    assert f'value="{_d(today)}"' in client.get(url).content.decode()
    response = client.post(
        url, {"kinds": ["recorded_only"], "acted_on": _d(today - timedelta(days=days))}
    )
    assert message in response.content.decode()
    assert not ScreeningAction.objects.filter(entry=entry).exists()


def test_screening_action_dated_in_the_past(world, client, login, today):
    entry = _entry(world, today)
    login(world.members[Role.INVESTIGATOR])
    day = today - timedelta(days=3)
    response = client.post(
        reverse("screening:entry-actions", args=[entry.pk]),
        {"kinds": ["recorded_only"], "acted_on": _d(day)},
    )
    assert response.status_code == 302
    action = ScreeningAction.objects.get(entry=entry)
    assert timezone.localtime(action.acted_at).date() == day
    entry.refresh_from_db()
    assert timezone.localtime(entry.screened_at).date() == day
    event = AccessEvent.objects.get(object_type="cases.CrimeScreenEntry", object_id=str(entry.pk))
    assert event.detail["acted_on"] == day.isoformat()
    assert timezone.localtime(event.at).date() == today


def test_screening_api_dates(api, world, today):
    entry = _entry(world, today)
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:screening-entry-actions", args=[entry.pk])
    future = client.post(
        url,
        {"kinds": ["recorded_only"], "acted_on": str(today + timedelta(days=1))},
        format="json",
    )
    assert future.status_code == 400 and list(future.json()["errors"]) == ["acted_on"]
    early = client.post(
        url,
        {"kinds": ["recorded_only"], "acted_on": str(today - timedelta(days=11))},
        format="json",
    )
    assert early.status_code == 400 and list(early.json()["errors"]) == ["acted_on"]
    ok = client.post(
        url,
        {
            "kinds": ["reclassification"],
            "requested_offence": "008/66",
            "acted_on": str(today - timedelta(days=4)),
        },
        format="json",
    )
    assert ok.status_code == 201
    action = ScreeningAction.objects.get(entry=entry)
    supervisor = api(world.members[Role.POLICE_SUPERVISOR])
    decide = reverse("api:screening-action-decide", args=[action.pk])
    before = client_post = supervisor.post(
        decide, {"outcome": "accepted", "decided_on": str(today - timedelta(days=5))}, format="json"
    )
    assert before.status_code == 400 and list(client_post.json()["errors"]) == ["decided_on"]
    day = today - timedelta(days=1)
    done = supervisor.post(decide, {"outcome": "accepted", "decided_on": str(day)}, format="json")
    assert done.status_code == 200
    action.refresh_from_db()
    assert timezone.localtime(action.decided_at).date() == day
    entry.refresh_from_db()
    assert entry.offence == offence("008/66")


def test_reclassification_decision_service_refuses_a_future_date(world, today):
    entry = _entry(world, today)
    member = world.members[Role.INVESTIGATOR]
    (action,) = screening_services.actions_record(
        actor=member.user,
        membership=member,
        entry=entry,
        kinds=["reclassification"],
        requested_offence=offence("008/66"),
    )
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    with pytest.raises(Exception) as error:
        screening_services.reclassification_decide(
            actor=supervisor.user,
            membership=supervisor,
            action=action,
            outcome="accepted",
            decided_on=today + timedelta(days=1),
        )
    assert "decided_on" in error.value.message_dict
    action.refresh_from_db()
    assert action.reclassification_outcome == "pending"
    entry.refresh_from_db()
    assert entry.offence == offence("8L")
