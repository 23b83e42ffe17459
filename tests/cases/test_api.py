import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case, CaseParty, Person, Referral
from tests.factories import MembershipFactory, open_case


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


def test_case_list_is_scoped_and_logged(api, world):
    response = api(world.members[Role.CLINICIAN]).get(reverse("api:case-list"))
    assert response.status_code == 200
    refs = {row["reference"] for row in response.json()["results"]}
    assert refs == {world.health_case.reference, world.advocacy_case.reference}
    assert AccessEvent.objects.filter(
        action=Action.LIST, actor=world.members[Role.CLINICIAN].user
    ).exists()


def test_case_detail_redacts_victim_contact_by_reader(api, world):
    url = reverse("api:case-detail", args=[world.own_case.pk])
    oic = api(world.members[Role.INVESTIGATOR]).get(url).json()
    victim = next(p for p in oic["parties"] if p["role"] == "victim")
    assert victim["contact"]["address"] == "1 Secret Street, Northtown"
    assert victim["contact_withheld"] is False

    supervisor = api(world.members[Role.POLICE_SUPERVISOR]).get(url).json()
    victim = next(p for p in supervisor["parties"] if p["role"] == "victim")
    perpetrator = next(p for p in supervisor["parties"] if p["role"] == "perpetrator")
    assert victim["contact"] is None and victim["contact_withheld"] is True
    assert "Secret Street" not in str(victim)
    assert perpetrator["contact"]["address"]


def test_out_of_scope_answers_404_with_field_keyed_body(api, world):
    client = api(world.members[Role.CLINICIAN])
    for url in (
        reverse("api:case-detail", args=[world.own_case.pk]),
        reverse("api:case-party-list", kwargs={"case_pk": world.own_case.pk}),
        reverse("api:case-detail", args=[world.other_partnership_case.pk]),
        "/api/v1/no-such-thing/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"status": 404, "errors": {"detail": ["Not found."]}}, url


def test_unauthenticated_is_401_with_json_body(world):
    response = APIClient().get(reverse("api:case-list"))
    assert response.status_code == 401
    assert response.json()["errors"]["detail"]


def test_create_case_and_field_keyed_errors(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    bad = client.post(
        reverse("api:case-list"),
        {"summary": "", "lead_agency": 9999, "opened_on": "yesterday"},
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert set(errors) == {"summary", "lead_agency", "opened_on"}
    assert all(isinstance(messages, list) for messages in errors.values())
    future = client.post(
        reverse("api:case-list"),
        {"summary": "x", "lead_agency": world.agencies["police"].pk, "opened_on": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400 and "opened_on" in future.json()["errors"]
    assert Case.objects.count() == 4

    good = client.post(
        reverse("api:case-list"),
        {"summary": "Sends letters daily", "lead_agency": world.agencies["police"].pk},
        format="json",
    )
    assert good.status_code == 201
    assert good.json()["reference"].startswith(world.partnership.case_reference_prefix)
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_id=str(good.json()["id"]), object_type="cases.Case"
    ).exists()


def test_forbidden_create_is_403_json(api, world):
    response = api(world.members[Role.CLINICIAN]).post(
        reverse("api:case-list"), {"summary": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["errors"]["detail"] == ["Your role cannot open cases."]


def test_add_party_via_api_and_bad_input(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-party-list", kwargs={"case_pk": world.own_case.pk})
    before = (Person.objects.count(), CaseParty.objects.count())
    bad = client.post(
        url,
        {
            "role": "victim",
            "given_names": "A",
            "family_name": "B",
            "date_of_birth": "1990-01-01",
            "date_of_birth_not_known": True,
            "gender": "dragon",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"date_of_birth", "gender"} & set(bad.json()["errors"])
    future = client.post(
        url,
        {"role": "victim", "given_names": "A", "family_name": "B", "date_of_birth": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400 and "date_of_birth" in future.json()["errors"]
    assert (Person.objects.count(), CaseParty.objects.count()) == before

    good = client.post(
        url,
        {
            "role": "secondary_victim",
            "given_names": "Ann",
            "family_name": "Lee",
            "address": "2 Hidden Road",
        },
        format="json",
    )
    assert good.status_code == 201
    # The investigator is OIC, so sees the secondary victim's contact details.
    assert good.json()["contact"]["address"] == "2 Hidden Road"


def test_referral_api_scoping_and_errors(api, world):
    probation = world.members[Role.PROBATION_OFFICER]
    client = api(probation)
    bad = client.post(
        reverse("api:referral-list"),
        {"source": "nowhere", "received_on": "2999-01-01", "reason": "", "case": world.own_case.pk},
        format="json",
    )
    assert bad.status_code == 400
    assert {"source", "reason", "case"} <= set(bad.json()["errors"])
    future = client.post(
        reverse("api:referral-list"),
        {"source": "probation", "received_on": "2999-01-01", "reason": "Breach"},
        format="json",
    )
    assert future.status_code == 400 and "received_on" in future.json()["errors"]
    assert Referral.objects.count() == 0
    good = client.post(
        reverse("api:referral-list"),
        {"source": "probation", "received_on": "2026-04-01", "reason": "Breach"},
        format="json",
    )
    assert good.status_code == 201
    assert good.json()["referring_agency"] == probation.agency.pk


def test_token_authentication_and_agency_header(world):
    member = world.members[Role.INVESTIGATOR]
    second = MembershipFactory(
        user=member.user, agency=world.agencies["advocacy"], role=Role.MANAGER
    )
    _token, secret = ApiToken.objects.create(user=member.user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    me = client.get(reverse("api:me")).json()
    assert me["acting_as"]["agency"] == "advocacy agency" or me["acting_as"]["agency"] == (
        "police agency"
    )
    assert len(me["memberships"]) == 2
    as_advocacy = client.get(
        reverse("api:case-list"), HTTP_X_AGENCY_ID=str(second.agency_id)
    ).json()
    assert {r["reference"] for r in as_advocacy["results"]} == {world.advocacy_case.reference}
    as_police = client.get(reverse("api:case-list"), HTTP_X_AGENCY_ID=str(member.agency_id)).json()
    assert {r["reference"] for r in as_police["results"]} == {
        world.own_case.reference,
        world.health_case.reference,
    }


def test_openapi_schema_lists_the_endpoints(client, login, world):
    login(world.members[Role.PARTNER])
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{case_pk}/parties/",
        "/api/v1/referrals/",
        "/api/v1/me/",
    ):
        assert path in paths


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["cases:list", "api:case-list"])
def test_list_query_count_is_fixed_whatever_the_rows(url_name, api, world):
    member = world.members[Role.INVESTIGATOR]
    client = api(member)
    url = reverse(url_name)
    for _ in range(3):
        open_case(member, officer_in_charge=member.user)
    five = _count_queries(client, url)
    for _ in range(45):
        open_case(member, officer_in_charge=member.user)
    fifty = _count_queries(client, url)
    assert five == fifty
    # Session, user, 2FA devices, memberships, capped count, page ids, page rows, audit
    # insert (+ savepoint, nav).
    assert fifty <= 13, fifty


def test_case_detail_query_count_does_not_grow_with_parties(api, world):
    from tests.factories import add_party

    client = api(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-detail", args=[world.own_case.pk])
    two = _count_queries(client, url)
    for _ in range(10):
        add_party(world.own_case, role="other")
    assert _count_queries(client, url) == two
