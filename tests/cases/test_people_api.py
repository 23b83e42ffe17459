"""People API: match suggestions and merges."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import IdentifierKind
from tests.factories_people import person_in_case


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def test_match_endpoint_lists_visible_suggestions_with_reasons(api, world):
    john = person_in_case(
        world.own_case,
        given_names="John",
        family_name="Smith",
        date_of_birth=date(1980, 3, 12),
        identifiers={IdentifierKind.PNC: "12/345678A"},
    )
    person_in_case(
        world.advocacy_case, given_names="Rosa", family_name="Klein", date_of_birth=date(1975, 4, 4)
    )
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:person-matches")
    body = client.get(url, {"given_names": "Jon", "family_name": "Smith"}).json()
    assert [s["person_id"] for s in body["suggestions"]] == [john.pk]
    assert body["suggestions"][0]["cases"][0]["case_reference"] == world.own_case.reference
    assert body["hidden_match"] is False and body["hidden_match_message"] is None
    by_pnc = client.get(url, {"pnc": "12/345678a"}).json()
    assert by_pnc["suggestions"][0]["strong"] is True
    assert "Same PNC number" in by_pnc["suggestions"][0]["reasons"]
    hidden = client.get(
        url, {"given_names": "Rosa", "family_name": "Klein", "date_of_birth": "1975-04-04"}
    ).json()
    assert hidden["suggestions"] == [] and hidden["hidden_match"] is True
    assert "ask the police or the clinic chair" in hidden["hidden_match_message"]
    assert "Klein" not in str(hidden)
    assert AccessEvent.objects.filter(action=Action.SEARCH, detail__people_match="api").count() == 3


def test_match_endpoint_bad_input(api, world):
    client = api(world.members[Role.ADVOCATE])
    url = reverse("api:person-matches")
    missing = client.get(url, {"given_names": "John"})
    assert missing.status_code == 400
    assert missing.json() == {
        "status": 400,
        "errors": {"family_name": ["Give a family name, or an identifier to match on."]},
    }
    bad_date = client.get(url, {"family_name": "Smith", "date_of_birth": "12/3/1980"})
    assert bad_date.status_code == 400 and "date_of_birth" in bad_date.json()["errors"]


def test_merge_endpoint(api, world):
    keep = person_in_case(world.own_case, given_names="John", family_name="Smith")
    duplicate = person_in_case(
        world.own_case,
        given_names="Jon",
        family_name="Smith",
        identifiers={IdentifierKind.NHS: "9434765919"},
    )
    hidden = person_in_case(world.advocacy_case, given_names="John", family_name="Smith")
    url = reverse("api:person-merge")
    investigator = api(world.members[Role.INVESTIGATOR])
    refused = investigator.post(
        url, {"keep": keep.pk, "duplicate": duplicate.pk, "reason": "x"}, format="json"
    )
    assert refused.status_code == 403
    client = api(world.members[Role.POLICE_SUPERVISOR])
    bad = client.post(url, {"keep": "a"}, format="json")
    assert bad.status_code == 400 and {"keep", "duplicate", "reason"} <= set(bad.json()["errors"])
    same = client.post(url, {"keep": keep.pk, "duplicate": keep.pk, "reason": "x"}, format="json")
    assert same.status_code == 400 and "duplicate" in same.json()["errors"]
    out = client.post(url, {"keep": keep.pk, "duplicate": hidden.pk, "reason": "x"}, format="json")
    assert out.status_code == 404
    ok = client.post(
        url, {"keep": keep.pk, "duplicate": duplicate.pk, "reason": "Same man"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["identifiers"] == [{"kind": "nhs", "value": "9434765919"}]
    assert ok.json()["aliases"] == ["Jon Smith"]
    assert AccessEvent.objects.filter(detail__merge=True, reason="Same man").count() == 1
    again = client.post(
        url, {"keep": keep.pk, "duplicate": duplicate.pk, "reason": "Same man"}, format="json"
    )
    assert again.status_code == 404  # the merged record is no longer anyone's to see
