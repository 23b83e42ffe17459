"""Support for a victim who came to the advocacy agency directly (self-referral, helpline,
MARAC): an advocacy-only case that police, health and probation cannot see, opened with the
victim and the support episode in one transaction, from the page and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import EpisodeStatus, SupportEpisode
from advocacy.services import referrals as referral_services
from audit.models import AccessEvent, Action
from cases.models import Case, CaseAgency, CaseParty, Person

pytestmark = pytest.mark.django_db

MARKER = "Zebedee-Quillfeather"


def _start(member, **overrides):
    arguments = {
        "victim": {"given_names": "Ada", "family_name": MARKER, "postcode": "NS1 2AB"},
        "summary": "Came to us after months of unwanted messages.",
        "referral_route": "self",
        "referred_on": timezone.localdate(),
        "needs": ["safety"],
        **overrides,
    }
    return referral_services.self_referral_start(actor=member.user, membership=member, **arguments)


def _rows():
    return Case.objects.count(), Person.objects.count(), SupportEpisode.objects.count()


def test_opens_a_case_only_the_advocacy_agency_can_see(world):
    advocate = world.members[Role.ADVOCATE]
    episode = _start(advocate, advocate=advocate.user)
    case = episode.case
    assert episode.status == EpisodeStatus.REFERRED
    assert episode.referral_route == "self" and episode.advocate == advocate.user
    assert case.lead_agency == advocate.agency and case.officer_in_charge is None
    assert list(CaseAgency.objects.filter(case=case).values_list("agency", flat=True)) == [
        advocate.agency_id
    ]
    victim = CaseParty.objects.get(case=case)
    assert victim.is_victim and victim.person.family_name == MARKER
    assert victim.person.postcode == "NS1 2AB"
    created = AccessEvent.objects.filter(action=Action.CREATE, case=case)
    assert created.count() >= 2
    assert AccessEvent.objects.filter(action=Action.CREATE, detail__advocacy_only=True).exists()


@pytest.mark.parametrize(
    "role", [Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.CLINICIAN, Role.PROBATION_OFFICER]
)
def test_police_health_and_probation_cannot_find_or_open_it(world, client, login, role):
    episode = _start(world.members[Role.ADVOCATE])
    login(world.members[role])
    assert client.get(reverse("cases:detail", args=[episode.case_id])).status_code == 404
    listing = client.get(reverse("cases:list"), {"q": MARKER}).content.decode()
    assert episode.case.reference not in listing and "0 cases matching" in listing
    api = client.get(reverse("api:case-detail", args=[episode.case_id]))
    assert api.status_code == 404


def test_the_page_starts_support_and_says_who_can_see_it(world, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    caseload = client.get(reverse("advocacy:caseload")).content.decode()
    assert reverse("advocacy:self-referral") in caseload
    form = client.get(reverse("advocacy:self-referral")).content.decode()
    assert "police, health" in form and 'name="given_names"' in form
    response = client.post(
        reverse("advocacy:self-referral"),
        {
            "given_names": "Ada",
            "family_name": MARKER,
            "summary": "Contacted us through the website.",
            "referral_route": "helpline",
            "referred_on": timezone.localdate().strftime("%d/%m/%Y"),
            "advocate": advocate.user_id,
            "needs": ["safety", "housing"],
        },
    )
    episode = SupportEpisode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:episode-detail", args=[episode.pk])
    assert episode.referral_route == "helpline"
    assert sorted(episode.needs.values_list("need", flat=True)) == ["housing", "safety"]


def test_every_error_at_once_and_nothing_saved(world, client, login):
    before = _rows()
    login(world.members[Role.ADVOCATE])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("advocacy:self-referral"),
        {
            "given_names": " ",
            "email": "not-an-email",
            "referral_route": "police_screening",
            "referred_on": tomorrow.strftime("%d/%m/%Y"),
            "date_of_birth": tomorrow.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {
        "given_names",
        "family_name",
        "email",
        "summary",
        "referral_route",
        "referred_on",
        "date_of_birth",
    } <= set(errors)
    assert "govuk-error-summary" in response.content.decode()
    assert _rows() == before


def test_the_service_reports_case_and_episode_problems_together(world):
    before = _rows()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        _start(
            world.members[Role.ADVOCATE],
            victim={"given_names": "", "family_name": "", "date_of_birth": tomorrow},
            summary="",
            referral_route="clinic",
            referred_on=tomorrow,
            needs=["nonsense"],
        )
    assert set(error.value.message_dict) == {
        "given_names",
        "family_name",
        "date_of_birth",
        "summary",
        "referral_route",
        "referred_on",
        "needs",
    }
    assert _rows() == before


def test_a_failure_after_the_case_rolls_everything_back(world, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"advocate": ["Refused late."]})

    before = _rows()
    monkeypatch.setattr(referral_services, "episode_start", refuse)
    with pytest.raises(ValidationError):
        _start(world.members[Role.ADVOCATE])
    assert _rows() == before


@pytest.mark.parametrize(
    "role", [Role.INVESTIGATOR, Role.CLINICIAN, Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN]
)
def test_only_advocacy_agencies_open_them(world, role):
    before = _rows()
    with pytest.raises(PermissionDenied):
        _start(world.members[role])
    assert _rows() == before


def test_api_creates_it_and_refuses_bad_input_by_field(world, client, login):
    advocate = world.members[Role.ADVOCATE]
    before = _rows()
    login(advocate)
    url = reverse("api:advocacy-direct-referral-list")
    bad = client.post(
        url,
        {
            "victim": {"given_names": "A", "family_name": "X", "date_of_birth": "2999-01-01"},
            "summary": " ",
            "referral_route": "self",
            "referred_on": str(timezone.localdate()),
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"summary"}
    late = client.post(
        url,
        {
            "victim": {"given_names": "A", "family_name": "X", "date_of_birth": "2999-01-01"},
            "summary": "s",
            "referral_route": "self",
            "referred_on": "2999-01-01",
        },
        content_type="application/json",
    )
    assert late.status_code == 400
    assert set(late.json()["errors"]) == {"victim", "referred_on"}
    assert set(late.json()["errors"]["victim"]) == {"date_of_birth"}
    wrong_route = client.post(
        url,
        {
            "victim": {"given_names": "A", "family_name": "B"},
            "summary": "s",
            "referral_route": "police_screening",
            "referred_on": str(timezone.localdate()),
        },
        content_type="application/json",
    )
    assert wrong_route.status_code == 400
    assert set(wrong_route.json()["errors"]) == {"referral_route"}
    assert _rows() == before
    created = client.post(
        url,
        {
            "victim": {"given_names": "Ada", "family_name": MARKER, "phone": "07700 900123"},
            "summary": "Self-referral by phone.",
            "referral_route": "self",
            "referred_on": str(timezone.localdate()),
            "advocate": advocate.user_id,
            "needs": ["safety"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    episode = SupportEpisode.objects.get(pk=created.json()["id"])
    assert episode.victim.person.phone == "07700 900123"
    assert list(CaseAgency.objects.filter(case=episode.case).values_list("agency", flat=True)) == [
        advocate.agency_id
    ]
