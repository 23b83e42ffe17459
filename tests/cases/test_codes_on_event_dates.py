"""A reference code is checked against the date of the event it describes (issue 13): a
code that began in 2019 is refused for an event of 2018, and a code retired in 2020 is
accepted for one. Codes describing the whole case (relationship, typologies) must have been
in use on some day the case was open."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import Case, CodeList, CriminalJusticeOutcome, ReferenceCode, Referral
from cases.services import record as record_services
from tests.factories_record import local_code

OPENED, EVENT, CLOSED = date(2018, 2, 1), date(2018, 6, 1), date(2018, 10, 1)
NEW = {"effective_from": date(2019, 1, 1)}  # began after the 2018 events
RETIRED = {"effective_from": date(2015, 1, 1), "effective_to": date(2020, 6, 1)}


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


@pytest.fixture
def case_of_2018(world):
    Case.objects.filter(pk=world.own_case.pk).update(opened_on=OPENED)
    world.own_case.refresh_from_db()
    return world.own_case


def _closed(case):
    Case.objects.filter(pk=case.pk).update(closed_on=CLOSED)
    case.refresh_from_db()
    return case


def test_outcome_codes_on_the_outcome_date(api, world, case_of_2018):
    new = local_code(world.partnership, CodeList.OUTCOME, code="L1", **NEW)
    retired = local_code(world.partnership, CodeList.OUTCOME, code="L2", **RETIRED)
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-outcome-list", kwargs={"case_pk": case_of_2018.pk})
    body = {"person": world.perpetrator.person.pk, "outcome_on": str(EVENT)}
    refused = client.post(url, {**body, "outcome": "L1"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["outcome"]
    assert "was not in use on 1 June 2018" in refused.json()["errors"]["outcome"][0]
    assert not CriminalJusticeOutcome.objects.exists()
    accepted = client.post(url, {**body, "outcome": "L2"}, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert CriminalJusticeOutcome.objects.get().outcome == retired
    # The service says the same to any caller.
    member = world.members[Role.INVESTIGATOR]
    with pytest.raises(ValidationError) as error:
        record_services.outcome_record(
            actor=member.user,
            membership=member,
            case=case_of_2018,
            person=world.perpetrator.person,
            outcome=new,
            outcome_on=EVENT,
        )
    assert list(error.value.message_dict) == ["outcome"]


def test_referral_sources_on_the_date_received(api, world):
    local_code(world.partnership, CodeList.REFERRAL_SOURCE, code="new_src", **NEW)
    retired = local_code(world.partnership, CodeList.REFERRAL_SOURCE, code="old_src", **RETIRED)
    client = api(world.members[Role.PROBATION_OFFICER])
    body = {"received_on": str(EVENT), "reason": "Historic referral"}
    url = reverse("api:referral-list")
    refused = client.post(url, {**body, "source": "new_src"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["source"]
    assert not Referral.objects.exists()
    accepted = client.post(url, {**body, "source": "old_src"}, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert Referral.objects.get().source == retired


def test_closure_reasons_on_the_date_closed(api, world, case_of_2018):
    local_code(world.partnership, CodeList.CLOSURE_REASON, code="new_reason", **NEW)
    local_code(world.partnership, CodeList.CLOSURE_REASON, code="old_reason", **RETIRED)
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-record-close", args=[case_of_2018.pk])
    body = {"closed_on": str(CLOSED)}
    refused = client.post(url, {**body, "reason": "new_reason"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["reason"]
    case_of_2018.refresh_from_db()
    assert case_of_2018.closed_on is None
    accepted = client.post(url, {**body, "reason": "old_reason"}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["closure_reason"] == "old_reason"


def test_relationship_and_typologies_of_a_closed_2018_case(api, world, case_of_2018):
    case = _closed(case_of_2018)
    local_code(world.partnership, CodeList.RELATIONSHIP, code="new_rel", **NEW)
    retired = local_code(world.partnership, CodeList.RELATIONSHIP, code="old_rel", **RETIRED)
    local_code(world.partnership, CodeList.TYPOLOGY, code="new_typ", **NEW)
    old_typology = local_code(world.partnership, CodeList.TYPOLOGY, code="old_typ", **RETIRED)
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-record-detail", args=[case.pk])
    refused = client.patch(
        url, {"relationship": "new_rel", "typologies": ["new_typ"]}, format="json"
    )
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert set(errors) == {"relationship", "typologies"}
    assert "while the case was open (1 February 2018 to 1 October 2018)" in str(errors)
    case.refresh_from_db()
    assert case.relationship is None and not case.typologies.exists()
    accepted = client.patch(
        url, {"relationship": "old_rel", "typologies": ["old_typ"]}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    case.refresh_from_db()
    assert case.relationship == retired and list(case.typologies.all()) == [old_typology]
    # The service refuses the code of 2019 to any caller, not only the API.
    member = world.members[Role.INVESTIGATOR]
    new_rel = ReferenceCode.objects.get(code="new_rel")
    with pytest.raises(ValidationError) as error:
        record_services.record_update(
            actor=member.user, membership=member, case=case, relationship=new_rel
        )
    assert list(error.value.message_dict) == ["relationship"]


def test_a_case_still_open_takes_today_s_codes_and_those_of_its_start(api, world, case_of_2018):
    """Open since 2018: a code that began in 2019 describes it (it is open now), and so
    does one retired in 2020 (it was open then); one retired before it opened does not."""
    local_code(world.partnership, CodeList.RELATIONSHIP, code="new_rel", **NEW)
    local_code(world.partnership, CodeList.RELATIONSHIP, code="old_rel", **RETIRED)
    local_code(
        world.partnership,
        CodeList.RELATIONSHIP,
        code="gone_rel",
        effective_from=date(2010, 1, 1),
        effective_to=date(2017, 1, 1),
    )
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-record-detail", args=[case_of_2018.pk])
    for code in ("new_rel", "old_rel"):
        response = client.patch(url, {"relationship": code}, format="json")
        assert response.status_code == 200 and response.json()["relationship"] == code
    gone = client.patch(url, {"relationship": "gone_rel"}, format="json")
    assert gone.status_code == 400 and list(gone.json()["errors"]) == ["relationship"]


def test_the_version_in_use_while_the_case_was_open_is_recorded(api, world, case_of_2018):
    """A relabelled code (version 2 from 2020): a case closed in 2018 gets version 1."""
    case = _closed(case_of_2018)
    old = local_code(
        world.partnership,
        CodeList.RELATIONSHIP,
        code="ex",
        label="Ex",
        effective_from=date(2015, 1, 1),
        effective_to=date(2020, 1, 1),
    )
    local_code(
        world.partnership,
        CodeList.RELATIONSHIP,
        code="ex",
        label="Former partner",
        effective_from=date(2020, 1, 1),
        version=2,
        supersedes=old,
    )
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-record-detail", args=[case.pk])
    response = client.patch(url, {"relationship": "ex"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["relationship_label"] == "Ex"
