"""Victim questionnaires (issue 11 item 6): start and end of support through the risk
engine's questionnaires, results scale by scale on the episode's Questionnaires page and
in the API, the rules, bad input, audit rows, and the compartment (only the advocacy agency
holding the episode sees an answer or a result: asserted on marker strings)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import QuestionnaireResponse
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from risk.models import Instrument
from tests.factories import MembershipFactory, open_case
from tests.factories_advocacy import (
    answer_questionnaire,
    raw_episode,
    second_advocacy_agency,
    start_episode,
)

pytestmark = pytest.mark.django_db

# Only a reader of the results sees a scale's label.
MARKERS = ("Satisfaction with the support", "Feeling safe")
VOICE_ITEMS = [f"VV-0{n}" for n in range(1, 8)]


def _voice():
    return Instrument.objects.get(partnership=None, code="victim-voice")


@pytest.fixture
def advocate(world):
    return world.members[Role.ADVOCATE]


@pytest.fixture
def episode(world, advocate):
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=agencies)
    return start_episode(advocate, case, referred_on=timezone.localdate() - timedelta(days=40))


def _urls(episode):
    new = reverse("advocacy:questionnaire-new", args=[episode.pk])
    return [
        reverse("advocacy:questionnaires", args=[episode.pk]),
        new,
        f"{new}?instrument={_voice().pk}",
        reverse("api:advocacy-questionnaire-list", kwargs={"episode_pk": episode.pk}),
    ]


def _form(timing, values, taken_on=None):
    data = {
        "timing": timing,
        "taken_on": (taken_on or timezone.localdate()).strftime("%d/%m/%Y"),
    }
    data.update(dict(zip(VOICE_ITEMS, values, strict=False)))
    return data


def test_start_and_end_through_the_page_show_each_scale(advocate, episode, client, login):
    login(advocate)
    choose = client.get(_urls(episode)[1]).content.decode()
    assert "Victim questionnaire: support and safety" in choose and "AAQ-II" not in choose
    form_page = client.get(_urls(episode)[2]).content.decode()
    assert "Prefer not to say" in form_page and "VV-05 Feels safe at home" in form_page
    start = ["2", "2", "3", "prefer_not", "1", "2", "3"]
    response = client.post(_urls(episode)[2], _form("start", start, episode.referred_on))
    assert response.status_code == 302
    end = ["4", "5", "4", "5", "4", "4", "prefer_not"]
    assert client.post(_urls(episode)[2], _form("end", end)).status_code == 302
    body = client.get(_urls(episode)[0]).content.decode()
    # Satisfaction: start mean(2, 2, 3) = 2.33, end mean(4, 5, 4, 5) = 4.5, +2.17.
    assert ">2.33<" in body and ">4.5<" in body and ">+2.17<" in body
    # Feeling safe: start mean(1, 2, 3) = 2.0, end mean(4, 4) = 4.0 ("prefer not" left out).
    assert ">2.0<" in body and ">4.0<" in body and ">+2.0<" in body
    episode_page = client.get(reverse("advocacy:episode-detail", args=[episode.pk])).content
    assert _urls(episode)[0] in episode_page.decode()
    created = AccessEvent.objects.filter(
        action=Action.CREATE, object_type="advocacy.QuestionnaireResponse"
    )
    assert sorted(row.detail["timing"] for row in created) == ["end", "start"]
    for row in created:
        assert row.actor == advocate.user and row.case == episode.case
        assert "answers" not in row.detail and "4.5" not in str(row.detail)


def test_bad_input_on_the_form_saves_nothing(advocate, episode, client, login):
    login(advocate)
    future = timezone.localdate() + timedelta(days=2)
    response = client.post(_urls(episode)[2], _form("", ["7", "1"], future))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["timing"] == ["Choose start or end of support."]
    assert "taken_on" in errors and "VV-01" in errors and "VV-07" in errors
    assert not QuestionnaireResponse.objects.exists()


def test_rules_once_per_timing_dates_and_questionnaires_only(advocate, episode):
    answer_questionnaire(advocate, episode, timing="start", taken_on=episode.referred_on)
    with pytest.raises(ValidationError) as error:
        answer_questionnaire(advocate, episode, timing="start")
    assert "already recorded" in error.value.message_dict["timing"][0]
    with pytest.raises(ValidationError) as error:
        answer_questionnaire(
            advocate, episode, timing="end", taken_on=episode.referred_on - timedelta(days=1)
        )
    assert "before the referral" in error.value.message_dict["taken_on"][0]
    from advocacy.services.questionnaires import questionnaire_record

    aaq = Instrument.objects.get(partnership=None, code="aaq-ii")
    with pytest.raises(ValidationError) as error:
        questionnaire_record(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            instrument=aaq,
            instruments=[_voice()],
            timing="end",
            taken_on=timezone.localdate(),
            answers={},
        )
    assert error.value.message_dict == {"instrument": ["Choose a questionnaire."]}
    answer_questionnaire(advocate, episode, "victim-perception", timing="end", value="4")
    assert QuestionnaireResponse.objects.count() == 2


def test_only_the_holding_agency_records_one(world, episode):
    _, other = second_advocacy_agency(world.partnership)
    with pytest.raises(PermissionDenied):
        answer_questionnaire(other, episode)
    assert not QuestionnaireResponse.objects.exists()


def test_api_lists_and_records_with_field_errors(advocate, episode, client, login):
    login(advocate)
    url = _urls(episode)[3]
    bad = client.post(
        url,
        {"instrument": _voice().pk, "timing": "start", "taken_on": "2000-01-01", "answers": {}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "taken_on" in bad.json()["errors"]
    assert set(bad.json()["errors"]["answers"]) == set(VOICE_ITEMS)
    wrong = client.post(
        url,
        {"instrument": 0, "timing": "start", "taken_on": "2025-01-01", "answers": {}},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "instrument" in wrong.json()["errors"]
    assert not QuestionnaireResponse.objects.exists()
    created = client.post(
        url,
        {
            "instrument": _voice().pk,
            "timing": "start",
            "taken_on": episode.referred_on.isoformat(),
            "answers": dict.fromkeys(VOICE_ITEMS, "prefer_not") | {"VV-01": "5"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["scales"]["satisfaction"]["score"] == 5.0
    assert created.json()["scales"]["safety"]["score"] is None
    before = AccessEvent.objects.filter(action=Action.VIEW).count()
    assert [r["timing"] for r in client.get(url).json()] == ["start"]
    assert AccessEvent.objects.filter(action=Action.VIEW).count() == before + 1


OUTSIDERS = [r for r in Role.values if r != Role.ADVOCATE]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_never_see_answers_or_results(world, advocate, episode, client, login, role):
    answer_questionnaire(advocate, episode, timing="start")
    login(world.members[role])
    for url in _urls(episode):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not any(m in response.content.decode() for m in MARKERS), url
    case_page = client.get(reverse("cases:detail", args=[episode.case_id]))
    assert not any(m in case_page.content.decode() for m in MARKERS)


def test_break_glass_another_agency_and_its_manager(world, advocate, episode, client, login):
    answer_questionnaire(advocate, episode, timing="start")
    hidden = open_case(world.members[Role.CLINIC_CHAIR])
    hidden_episode = raw_episode(hidden, world.agencies["advocacy"], created_by=advocate.user)
    answer_questionnaire(advocate, hidden_episode, timing="start")
    investigator = world.members[Role.INVESTIGATOR]
    break_glass_open(
        actor=investigator.user, membership=investigator, case=hidden, reason="Urgent check"
    )
    login(investigator)
    for url in _urls(hidden_episode):
        assert client.get(url).status_code == 403, url
    client.logout()
    _, other = second_advocacy_agency(world.partnership)
    login(other)
    for url in _urls(episode):
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(m in response.content.decode() for m in MARKERS)
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1, url
    client.logout()
    manager = MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)
    login(manager)
    assert "Satisfaction with the support" in client.get(_urls(episode)[0]).content.decode()


def test_the_page_read_is_audited_and_a_fixed_number_of_queries(advocate, episode, client, login):
    login(advocate)
    url = _urls(episode)[0]
    answer_questionnaire(advocate, episode, timing="start")
    client.get(url)
    before = AccessEvent.objects.filter(action=Action.VIEW).count()
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(action=Action.VIEW).count() == before + 1
    answer_questionnaire(advocate, episode, timing="end")
    answer_questionnaire(advocate, episode, "victim-perception", timing="end")
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(three) == len(one)
