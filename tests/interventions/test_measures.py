"""Psychometric measures on an enrolment (issue 12 item 5): recorded pre and post through
the risk engine's instruments the programme takes, the change per scale on the enrolment
page, the rules (one pre and one post, dates, every item answered), the API, the audit
rows and the clinical compartment (nobody outside the provider agency sees an answer or a
score: asserted on marker strings)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from interventions.models import Measure
from interventions.services.measures import measure_record
from risk.models import Instrument
from risk.services import AnswerErrors
from tests.factories import MembershipFactory, open_case
from tests.factories_interventions import (
    at,
    attend,
    book,
    refer,
    second_health_agency,
    take_measure,
)

pytestmark = pytest.mark.django_db

# What only a reader of the measures sees: the scale's label and the instrument's name.
MARKERS = ("Psychological inflexibility", "AAQ-II")


def _aaq():
    return Instrument.objects.get(partnership=None, code="aaq-ii")


def _answers(value, count=7):
    return {f"AAQ2-{n:02d}": str(value) for n in range(1, count + 1)}


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def enrolment(world, clinician):
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    case = open_case(police, shared_with=agencies)
    start = timezone.localdate() - timedelta(days=30)
    enrolment = refer(clinician, case, referred_on=start, consent_on=start)
    attend(clinician, book(clinician, enrolment, at(start + timedelta(days=7))))
    return enrolment


def _new_url(enrolment, instrument=None):
    url = reverse("interventions:measure-new", args=[enrolment.pk])
    return f"{url}?instrument={instrument.pk}" if instrument else url


def _post(client, enrolment, timing, value, taken_on=None, answers=None):
    data = {"timing": timing, "taken_on": (taken_on or timezone.localdate()).strftime("%d/%m/%Y")}
    data.update(_answers(value) if answers is None else answers)
    return client.post(_new_url(enrolment, _aaq()), data)


def test_fact_takes_aaq2_cfq_and_psyflex(clinician, enrolment, client, login):
    login(clinician)
    page = client.get(_new_url(enrolment)).content.decode()
    for name in ("AAQ-II", "CFQ", "PsyFlex"):
        assert name in page
    assert "Victim questionnaire" not in page and "DASH" not in page


def test_pre_and_post_through_the_page_show_the_change(clinician, enrolment, client, login):
    login(clinician)
    form = client.get(_new_url(enrolment, _aaq())).content.decode()
    assert "AAQ2-01 AAQ-II item 1" in form
    response = _post(client, enrolment, "pre", 6, taken_on=enrolment.referred_on)
    assert response.status_code == 302
    response = _post(client, enrolment, "post", 3)
    assert response.status_code == 302
    page = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    body = page.content.decode()
    assert "Psychological inflexibility" in body
    assert ">42<" in body and ">21<" in body and ">-21<" in body
    created = AccessEvent.objects.filter(
        action=Action.CREATE, object_type="interventions.Measure"
    ).order_by("id")
    assert [row.detail["timing"] for row in created] == ["pre", "post"]
    for row in created:
        assert row.actor == clinician.user and row.case == enrolment.case
        assert row.detail["instrument"] == "aaq-ii"
        assert "42" not in str(row.detail) and "answers" not in row.detail


def test_bad_input_on_the_form_saves_nothing(clinician, enrolment, client, login):
    login(clinician)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = _post(
        client, enrolment, "", 0, taken_on=tomorrow, answers={"AAQ2-01": "9", "AAQ2-02": "3"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["timing"] == ["Choose pre or post."]
    assert "taken_on" in errors
    assert "AAQ2-01" in errors and "AAQ2-07" in errors
    assert "govuk-error-summary" in response.content.decode()
    assert not Measure.objects.exists()


def test_the_rules_one_pre_and_one_post_and_the_dates(clinician, enrolment):
    take_measure(clinician, enrolment, timing="pre", taken_on=enrolment.referred_on + timedelta(3))

    def record(**kwargs):
        values = {
            "instrument": _aaq(),
            "timing": "post",
            "taken_on": timezone.localdate(),
            "answers": _answers(4),
        } | kwargs
        return measure_record(
            actor=clinician.user, membership=clinician, enrolment=enrolment, **values
        )

    with pytest.raises(ValidationError) as error:
        record(timing="pre")
    assert "already recorded" in error.value.message_dict["timing"][0]
    with pytest.raises(ValidationError) as error:
        record(taken_on=enrolment.referred_on + timedelta(days=1))
    assert "before the pre" in error.value.message_dict["taken_on"][0]
    with pytest.raises(ValidationError) as error:
        record(instrument=Instrument.objects.get(partnership=None, code="dash"))
    assert error.value.message_dict == {"instrument": ["Choose a measure this programme takes."]}
    with pytest.raises(AnswerErrors) as error:
        record(answers=_answers(4, count=5))
    assert set(error.value.item_errors) == {"AAQ2-06", "AAQ2-07"}
    assert Measure.objects.count() == 1
    record()
    assert Measure.objects.count() == 2


def test_no_post_before_a_session_is_attended(world, clinician):
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    fresh = refer(clinician, case, consent_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        take_measure(clinician, fresh, timing="post")
    assert "once sessions are attended" in error.value.message_dict["timing"][0]
    take_measure(clinician, fresh, timing="pre")


def test_only_the_provider_records_one(world, enrolment):
    _, other = second_health_agency(world.partnership)
    with pytest.raises(PermissionDenied):
        take_measure(other, enrolment)
    assert not Measure.objects.exists()


def test_api_lists_and_records_with_field_errors(clinician, enrolment, client, login):
    login(clinician)
    url = reverse("api:interventions-measure-list", kwargs={"enrolment_pk": enrolment.pk})
    bad = client.post(
        url,
        {
            "instrument": _aaq().pk,
            "timing": "pre",
            "taken_on": "2001-01-01",
            "answers": {"AAQ2-01": "8"},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    body = bad.json()
    assert "taken_on" in body["errors"]
    assert set(body["errors"]["answers"]) >= {"AAQ2-01", "AAQ2-07"}
    wrong = client.post(
        url,
        {"instrument": 0, "timing": "pre", "taken_on": "2025-01-01", "answers": {}},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "instrument" in wrong.json()["errors"]
    assert not Measure.objects.exists()
    created = client.post(
        url,
        {
            "instrument": _aaq().pk,
            "timing": "pre",
            "taken_on": enrolment.referred_on.isoformat(),
            "answers": _answers(5),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["score"] == 35
    assert created.json()["scales"]["total"]["label"] == "Psychological inflexibility"
    before = AccessEvent.objects.filter(action=Action.VIEW).count()
    listed = client.get(url).json()
    assert [m["timing"] for m in listed] == ["pre"]
    assert listed[0]["answers"]["AAQ2-01"] == "5"
    assert AccessEvent.objects.filter(action=Action.VIEW).count() == before + 1


def _reader_urls(enrolment):
    return [
        reverse("interventions:enrolment-detail", args=[enrolment.pk]),
        _new_url(enrolment),
        _new_url(enrolment, _aaq()),
        reverse("api:interventions-measure-list", kwargs={"enrolment_pk": enrolment.pk}),
    ]


OUTSIDERS = [r for r in Role.values if r not in (Role.CLINICIAN, Role.CLINIC_CHAIR)]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_never_see_answers_or_scores(world, clinician, enrolment, client, login, role):
    take_measure(clinician, enrolment, timing="pre", value=6)
    take_measure(clinician, enrolment, timing="post", value=2)
    login(world.members[role])
    for url in _reader_urls(enrolment):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not any(m in response.content.decode() for m in MARKERS), url
    page = client.get(reverse("interventions:case-interventions", args=[enrolment.case_id]))
    assert page.status_code == 200
    assert not any(m in page.content.decode() for m in MARKERS)


def test_chair_of_another_agency_break_glass_and_another_provider_see_nothing(
    world, clinician, enrolment, client, login
):
    take_measure(clinician, enrolment, timing="pre", value=6)
    police_chair = MembershipFactory(agency=world.agencies["police"], role=Role.CLINIC_CHAIR)
    login(police_chair)
    for url in _reader_urls(enrolment):
        assert client.get(url).status_code == 403, url
    client.logout()
    hidden = open_case(world.members[Role.CLINIC_CHAIR])
    hidden_enrolment = refer(clinician, hidden, consent_on=timezone.localdate())
    take_measure(clinician, hidden_enrolment, timing="pre", value=6)
    investigator = world.members[Role.INVESTIGATOR]
    break_glass_open(
        actor=investigator.user, membership=investigator, case=hidden, reason="Urgent check"
    )
    login(investigator)
    page = client.get(reverse("interventions:case-interventions", args=[hidden.pk]))
    assert page.status_code == 200 and not any(m in page.content.decode() for m in MARKERS)
    for url in _reader_urls(hidden_enrolment):
        assert client.get(url).status_code == 403, url
    client.logout()
    _, other = second_health_agency(world.partnership)
    login(other)
    for url in _reader_urls(enrolment):
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(m in response.content.decode() for m in MARKERS)
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1, url


def test_the_api_list_is_a_fixed_number_of_queries(clinician, enrolment, client, login):
    login(clinician)
    url = reverse("api:interventions-measure-list", kwargs={"enrolment_pk": enrolment.pk})
    take_measure(clinician, enrolment, timing="pre")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for code in ("cfq", "psyflex"):
        take_measure(clinician, enrolment, code=code, timing="pre")
    take_measure(clinician, enrolment, timing="post")
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url).json()) == 4
    assert len(four) == len(one)
