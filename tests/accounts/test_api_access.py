"""Who reaches the API's schema and under which agency a call acts (issue 9, items 5 and 6)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role
from tests.factories import AgencyFactory, MembershipFactory

ME = "/api/v1/me/"
CASES = "/api/v1/cases/"


# Item 5: the OpenAPI schema and its reference page are not public.


def test_schema_and_docs_refuse_anonymous_callers(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 401
    assert "paths" not in schema.content.decode()
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("accounts:sign-in"))


def test_schema_and_docs_for_signed_in_members(client, login, world):
    login(world.members[Role.PARTNER])
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/cases/" in schema.json()["paths"]
    assert client.get(reverse("api-docs")).status_code == 200


def test_schema_refuses_a_session_without_two_factor_when_required(client, login, world, settings):
    settings.OTP_REQUIRED = True
    login(world.members[Role.PARTNER])  # password only
    assert client.get(reverse("api-schema")).status_code == 403


def test_schema_with_an_api_token(world):
    _token, secret = ApiToken.objects.create(user=world.members[Role.PARTNER].user, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").status_code == 200


# Item 6: a wrong X-Agency-Id answers 400, never another agency.


@pytest.fixture
def two_agency_member(world):
    member = world.members[Role.INVESTIGATOR]
    second = MembershipFactory(
        user=member.user, agency=world.agencies["advocacy"], role=Role.MANAGER
    )
    return member, second


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def _header_error(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400
    return body["errors"]["X-Agency-Id"][0]


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "", " ", "٣", "1; 2"])
def test_agency_header_that_is_not_a_whole_number_is_400(api, two_agency_member, value):
    member, _second = two_agency_member
    message = _header_error(api(member).get(CASES, HTTP_X_AGENCY_ID=value))
    assert "whole number" in message
    assert str(member.agency_id) in message  # says which ids would do


def test_agency_header_of_an_agency_not_mine_is_400_not_the_default(api, world, two_agency_member):
    member, _second = two_agency_member
    client = api(member)
    for agency in (world.agencies["health"], world.other_partnership_member.agency):
        message = _header_error(client.get(CASES, HTTP_X_AGENCY_ID=str(agency.pk)))
        assert f"agency {agency.pk}" in message
        assert "police agency" in message and "advocacy agency" in message
    # A membership id is not an agency id: it no longer picks a membership by accident.
    if _second.pk not in (member.agency_id, _second.agency_id):
        _header_error(client.get(CASES, HTTP_X_AGENCY_ID=str(_second.pk)))


def test_agency_header_of_a_lapsed_or_inactive_membership_is_400(api, world, two_agency_member):
    member, second = two_agency_member
    second.vetting_expires_on = timezone.localdate() - timedelta(days=1)
    second.save()
    client = api(member)
    _header_error(client.get(CASES, HTTP_X_AGENCY_ID=str(second.agency_id)))
    closed = AgencyFactory(partnership=world.partnership, name="Closed agency", active=False)
    MembershipFactory(user=member.user, agency=closed, role=Role.MANAGER)
    _header_error(client.get(CASES, HTTP_X_AGENCY_ID=str(closed.pk)))


def test_agency_header_picks_the_agency_and_its_absence_the_default(api, world, two_agency_member):
    member, second = two_agency_member
    client = api(member)
    as_advocacy = client.get(CASES, HTTP_X_AGENCY_ID=str(second.agency_id)).json()
    assert {r["reference"] for r in as_advocacy["results"]} == {world.advocacy_case.reference}
    as_police = client.get(CASES, HTTP_X_AGENCY_ID=f" {member.agency_id} ").json()
    assert world.own_case.reference in {r["reference"] for r in as_police["results"]}
    # Without the header: the membership chosen in the session (the login fixture's).
    default = client.get(ME).json()
    assert default["acting_as"]["agency"] == "police agency"


def test_agency_header_on_a_page_is_400_too(client, login, two_agency_member, world):
    member, _second = two_agency_member
    login(member)
    response = client.get(reverse("home"), HTTP_X_AGENCY_ID=str(world.agencies["health"].pk))
    assert response.status_code == 400
    assert client.get(reverse("home")).status_code == 200


def test_a_refused_agency_header_leaves_one_denial_row(
    api, client, login, world, two_agency_member
):
    from audit.models import AccessEvent, Action

    member, _second = two_agency_member
    health = str(world.agencies["health"].pk)
    _header_error(api(member).get(CASES, HTTP_X_AGENCY_ID=health))
    login(member)
    assert client.get(reverse("home"), HTTP_X_AGENCY_ID=health).status_code == 400
    rows = AccessEvent.objects.filter(action=Action.DENIAL, actor=member.user)
    assert rows.count() == 2
    for row in rows:
        assert row.object_type == "accounts.Agency" and row.object_id == health
        assert row.detail["reason"] == "X-Agency-Id refused"
