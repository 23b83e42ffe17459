"""The risk API: instruments, assessments, field-keyed errors, scope and audit."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from risk.models import Assessment, AssessmentStatus
from tests.factories import open_case
from tests.factories_risk import make_assessment, national_version


def _api(membership):
    client = APIClient()
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_AGENCY_ID=str(membership.agency_id))
    return client


def _sash_answers(yes):
    answers = {"SASH-EP": "no"}
    answers.update({f"SASH-{n:02d}": ("yes" if n <= yes else "no") for n in range(1, 14)})
    return answers


def test_instruments_list_and_detail_with_definition(world):
    client = _api(world.members[Role.PARTNER])
    data = client.get(reverse("api:risk-instrument-list")).json()
    codes = {row["code"] for row in data}
    assert {"dash", "s-dash", "sash", "srp"} <= codes
    dash = national_version("dash").instrument
    detail = client.get(reverse("api:risk-instrument-detail", args=[dash.pk])).json()
    assert detail["current"]["version"] == 1
    assert detail["current"]["definition"]["scoring"]["method"] == "count_yes"
    assert len(detail["current"]["definition"]["sections"][0]["items"]) == 27


def test_create_draft_answer_complete_and_override(world):
    clinician = world.members[Role.CLINICIAN]
    client = _api(clinician)
    case = world.health_case
    response = client.post(
        reverse("api:risk-assessment-list"),
        {"case": case.pk, "instrument": "sash", "answers": {"SASH-01": "yes"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["answers"] == {"SASH-01": "yes"}
    assert body["agency"] == clinician.agency.name
    pk = body["id"]
    detail = reverse("api:risk-assessment-detail", args=[pk])

    response = client.patch(detail, {"answers": _sash_answers(7)}, format="json")
    assert response.status_code == 200
    # Completing with a missing item: field-keyed by item code, nothing saved.
    answers = _sash_answers(7)
    del answers["SASH-05"]
    response = client.post(
        reverse("api:risk-assessment-complete", args=[pk]), {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]["answers"]) == ["SASH-05"]
    assert Assessment.objects.get(pk=pk).status == AssessmentStatus.DRAFT

    response = client.post(reverse("api:risk-assessment-complete", args=[pk]), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["level"], body["result"]["band"]) == (
        "complete",
        "medium",
        "moderate",
    )
    assert [p["code"] for p in body["result"]["prompts"]] == ["srp"]

    override = reverse("api:risk-assessment-override", args=[pk])
    response = client.post(override, {"override_level": "high"}, format="json")
    assert response.status_code == 400
    assert "override_reason" in response.json()["errors"]
    response = client.post(
        override,
        {"override_level": "low", "override_reason": "Contact ended; moved abroad."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["level"] == "low"  # SASH allows lowering; DASH does not.

    response = client.patch(detail, {"answers": {"SASH-01": "no"}}, format="json")
    assert response.status_code == 400
    later = date.today() + timedelta(days=10)
    response = client.patch(detail, {"review_due_on": later.isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["review_due_on"] == later.isoformat()

    actions = list(
        AccessEvent.objects.filter(object_type="risk.Assessment", object_id=str(pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        Action.CREATE,
        Action.UPDATE,  # answers
        Action.UPDATE,  # complete
        Action.UPDATE,  # override
        Action.UPDATE,  # review date
    ]


def test_dash_override_cannot_lower_through_the_api(world):
    police = world.members[Role.INVESTIGATOR]
    assessment = make_assessment(world.own_case, police, level="high")
    response = _api(police).post(
        reverse("api:risk-assessment-override", args=[assessment.pk]),
        {"override_level": "medium", "override_reason": "Feels lower"},
        format="json",
    )
    assert response.status_code == 400
    assert "override_level" in response.json()["errors"]


def test_bad_values_and_unknown_instrument_are_field_keyed(world):
    client = _api(world.members[Role.INVESTIGATOR])
    url = reverse("api:risk-assessment-list")
    response = client.post(url, {"case": world.own_case.pk, "instrument": "nope"}, format="json")
    assert response.status_code == 400 and "instrument" in response.json()["errors"]
    response = client.post(
        url,
        {"case": world.own_case.pk, "instrument": "dash", "answers": {"DASH-01": "maybe"}},
        format="json",
    )
    assert response.status_code == 400
    assert "DASH-01" in response.json()["errors"]["answers"]
    assert not Assessment.objects.exists()


def test_scope_and_agency_rules(world):
    police = world.members[Role.INVESTIGATOR]
    draft = make_assessment(world.health_case, police, status=AssessmentStatus.DRAFT)
    # Health sees the case: reads, but cannot change police's draft.
    clinician = _api(world.members[Role.CLINICIAN])
    assert clinician.get(reverse("api:risk-assessment-detail", args=[draft.pk])).status_code == 200
    response = clinician.post(
        reverse("api:risk-assessment-complete", args=[draft.pk]), {}, format="json"
    )
    assert response.status_code == 403
    # Advocacy does not see the case: 404; creating on it: 404.
    advocate = _api(world.members[Role.ADVOCATE])
    assert advocate.get(reverse("api:risk-assessment-detail", args=[draft.pk])).status_code == 404
    response = advocate.post(
        reverse("api:risk-assessment-list"),
        {"case": world.health_case.pk, "instrument": "dash"},
        format="json",
    )
    assert response.status_code == 404
    # A partner cannot create at all: 403 before anything is looked up.
    partner = _api(world.members[Role.PARTNER])
    response = partner.post(
        reverse("api:risk-assessment-list"),
        {"case": world.health_case.pk, "instrument": "dash"},
        format="json",
    )
    assert response.status_code == 403


def test_list_filters_by_case_scopes_and_has_fixed_queries(world):
    police = world.members[Role.INVESTIGATOR]
    clinician = world.members[Role.CLINICIAN]
    make_assessment(world.own_case, police)
    make_assessment(world.health_case, police)
    client = _api(clinician)
    rows = client.get(reverse("api:risk-assessment-list")).json()["results"]
    assert {r["case"] for r in rows} == {world.health_case.pk}
    assert (
        client.get(reverse("api:risk-assessment-list"), {"case": world.own_case.pk}).status_code
        == 404
    )

    case = open_case(police)
    url = reverse("api:risk-assessment-list")
    api = _api(police)
    for _ in range(5):
        make_assessment(case, police)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(url, {"case": case.pk}).json()["results"]) == 5
    for _ in range(40):
        make_assessment(case, police)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url, {"case": case.pk}).json()["results"]) == 45
    assert len(many.captured_queries) == len(few.captured_queries)
    assert AccessEvent.objects.filter(action=Action.LIST, case=case).exists()


def test_schema_describes_the_risk_endpoints():
    """The risk endpoints alone, so another area's schema problem does not hide ours."""
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from risk import api

    router = DefaultRouter()
    api.register(router)
    schema = SchemaGenerator(patterns=[path("api/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    paths = schema["paths"]
    for url in (
        "/api/risk/instruments/",
        "/api/risk/instruments/{id}/",
        "/api/risk/assessments/",
        "/api/risk/assessments/{id}/",
        "/api/risk/assessments/{id}/complete/",
        "/api/risk/assessments/{id}/override/",
    ):
        assert url in paths
    assert "post" in paths["/api/risk/assessments/"]
    assert "patch" in paths["/api/risk/assessments/{id}/"]
    create = paths["/api/risk/assessments/"]["post"]["requestBody"]["content"]
    assert "AssessmentCreate" in str(create)


def test_create_links_a_meeting_of_the_partnership_only(world):
    from tests.factories_triage import ClinicFactory, MeetingFactory

    client = _api(world.members[Role.CLINICIAN])
    own = MeetingFactory(clinic=ClinicFactory(partnership=world.partnership))
    other = MeetingFactory(
        clinic=ClinicFactory(partnership=world.other_partnership_case.partnership)
    )
    url = reverse("api:risk-assessment-list")
    body = {"case": world.health_case.pk, "instrument": "sash"}

    response = client.post(url, {**body, "meeting": other.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["meeting"]
    assert not Assessment.objects.filter(case=world.health_case).exists()

    response = client.post(url, {**body, "meeting": own.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert Assessment.objects.get(pk=response.json()["id"]).meeting_id == own.pk


def test_create_by_code_prefers_the_partnership_local_tool(world):
    from tests.factories_risk import make_instrument

    local = make_instrument(partnership=world.partnership, code="sash", name="Local SASH")
    response = _api(world.members[Role.CLINICIAN]).post(
        reverse("api:risk-assessment-list"),
        {"case": world.health_case.pk, "instrument": "sash"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["instrument_name"] == "Local SASH"
    assert Assessment.objects.get().instrument_version.instrument_id == local.pk
