"""Advocacy pages and API: starting support from a victim, logging contacts, editing and
closing, every error at once, the caseload's fixed query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import Contact, EpisodeStatus, SupportEpisode
from tests.factories import add_party, open_case
from tests.factories_advocacy import start_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    police = world.members[Role.INVESTIGATOR]
    return open_case(police, shared_with=[world.agencies["advocacy"]])


def test_start_support_from_the_case_page(world, case, client, login):
    victim = add_party(case)
    login(world.members[Role.ADVOCATE])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    start_url = reverse("advocacy:episode-start", args=[case.pk]) + f"?victim={victim.pk}"
    assert start_url.replace("&", "&amp;") in page or start_url in page
    response = client.post(
        reverse("advocacy:episode-start", args=[case.pk]),
        {
            "victim": victim.pk,
            "referral_route": "police_screening",
            "referred_on": timezone.localdate().strftime("%d/%m/%Y"),
            "advocate": world.members[Role.ADVOCATE].user_id,
            "needs": ["safety", "digital_safety"],
        },
    )
    assert response.status_code == 302
    episode = SupportEpisode.objects.get()
    assert response["Location"] == reverse("advocacy:episode-detail", args=[episode.pk])
    assert episode.status == EpisodeStatus.REFERRED


def test_start_form_shows_every_error_at_once(world, case, client, login):
    add_party(case)
    login(world.members[Role.ADVOCATE])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("advocacy:episode-start", args=[case.pk]),
        {"referred_on": tomorrow.strftime("%d/%m/%Y"), "needs": ["x"]},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"victim", "referral_route", "referred_on", "needs"} <= set(form.errors)
    assert "govuk-error-summary" in response.content.decode()
    assert not SupportEpisode.objects.exists()


def test_log_contacts_through_the_page(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case)
    login(advocate)
    url = reverse("advocacy:contact-new", args=[episode.pk])
    bad = client.post(url, {"made": "yes", "at_date": "31/2/2026"})
    assert bad.status_code == 400
    assert {"at_date", "at_time", "channel", "direction"} <= set(bad.context["form"].errors)
    assert not Contact.objects.exists()
    now = timezone.localtime() - timedelta(minutes=2)
    ok = client.post(
        url,
        {
            "at_date": now.strftime("%d/%m/%Y"),
            "at_time": now.strftime("%H:%M"),
            "channel": "phone",
            "direction": "outgoing",
            "made": "yes",
            "safe_to_talk": "on",
            "duration_minutes": "20",
            "summary": "Safety planning started.",
        },
    )
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.first_contact_made_at is not None
    assert episode.status == EpisodeStatus.CONTACTED
    page = client.get(reverse("advocacy:episode-detail", args=[episode.pk])).content.decode()
    assert "Safety planning started." in page and "Met" in page


def test_edit_and_close_with_confirmation(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case, needs=["housing"])
    login(advocate)
    today = timezone.localdate().strftime("%d/%m/%Y")
    edit = client.post(
        reverse("advocacy:episode-edit", args=[episode.pk]),
        {
            "referral_route": "clinic",
            "referred_on": today,
            "advocate": advocate.user_id,
            "support_consent_on": today,
            "share_consent_on": today,
            "made_date": today,
            "needs": ["housing", "finance"],
        },
    )
    assert edit.status_code == 400
    errors = edit.context["form"].errors
    assert {
        "made_time",
        "support_consent_method",
        "share_consent_with",
        "share_consent_purpose",
    } <= set(errors)
    close_url = reverse("advocacy:episode-close", args=[episode.pk])
    confirm = client.get(close_url)
    assert confirm.status_code == 200 and "cannot be reopened" in confirm.content.decode()
    missing = client.post(close_url, {"closed_on": today, "closure_reason": "declined"})
    assert missing.status_code == 400 and "outcome_housing" in missing.context["form"].errors
    done = client.post(
        close_url,
        {"closed_on": today, "closure_reason": "declined", "outcome_housing": "not_achieved"},
    )
    assert done.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED


def test_caseload_query_count_is_fixed(world, client, login):
    advocate = world.members[Role.ADVOCATE]
    police = world.members[Role.INVESTIGATOR]

    def add(n):
        for _ in range(n):
            case = open_case(police, shared_with=[world.agencies["advocacy"]])
            episode = start_episode(advocate, case)
            Contact.objects.create(
                episode=episode,
                at=timezone.now(),
                channel="phone",
                direction="outgoing",
                made=True,
                summary="x",
                recorded_by=advocate.user,
            )

    login(advocate)
    url = reverse("advocacy:caseload")
    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 8
    assert len(many) == len(few)


def test_api_create_episode_and_contact(world, case, client, login):
    advocate = world.members[Role.ADVOCATE]
    victim = add_party(case)
    login(advocate)
    bad = client.post(
        reverse("api:advocacy-episode-list"),
        {"victim": victim.pk, "referral_route": "nope", "referred_on": "2999-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"referral_route"} <= set(bad.json()["errors"])
    future = client.post(
        reverse("api:advocacy-episode-list"),
        {"victim": victim.pk, "referral_route": "self", "referred_on": "2999-01-01"},
        content_type="application/json",
    )
    assert future.status_code == 400 and set(future.json()["errors"]) == {"referred_on"}
    created = client.post(
        reverse("api:advocacy-episode-list"),
        {"victim": victim.pk, "referral_route": "self", "referred_on": str(timezone.localdate())},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "referred" and body["advocate"] is None
    contacts = reverse("api:advocacy-contact-list", kwargs={"episode_pk": body["id"]})
    at = (timezone.now() - timedelta(minutes=1)).isoformat()
    bad_contact = client.post(
        contacts,
        {"at": at, "channel": "phone", "direction": "outgoing", "made": True},
        content_type="application/json",
    )
    assert bad_contact.status_code == 400 and set(bad_contact.json()["errors"]) == {"summary"}
    made = client.post(
        contacts,
        {"at": at, "channel": "phone", "direction": "outgoing", "made": True, "summary": "Hi"},
        content_type="application/json",
    )
    assert made.status_code == 201
    detail = client.get(reverse("api:advocacy-episode-detail", args=[body["id"]])).json()
    assert detail["status"] == "contacted" and detail["first_contact_made_at"]
