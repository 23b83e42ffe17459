"""Local programmes (issue 12 item 1): the partnership admin adds and changes the
partnership's own programmes without code, pages and API; the national fACT stays
read-only; every problem at the field, nothing saved; audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import Programme
from interventions.selectors.eligibility import criteria_of
from interventions.services import programmes as programme_services
from tests.factories_interventions import fact

pytestmark = pytest.mark.django_db

VALID = {
    "code": "recolo",
    "name": "Recolo (high-risk stalkers with mental-health needs)",
    "provider_kind": "health",
    "recipient": "perpetrator",
    "delivery": "direct",
    "kind": "health_intervention",
    "sessions_min": 6,
    "sessions_max": 12,
    "session_minutes": 90,
    "absence_alert_threshold": 3,
    "active": True,
}


@pytest.fixture
def admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def test_the_admin_adds_a_local_programme_with_more_than_six_sessions(world, admin):
    programme = programme_services.programme_add(
        actor=admin.user,
        membership=admin,
        criteria=["Adult (18 or over)", "  Adult (18 or over)", "Stalking behaviour", ""],
        **VALID,
    )
    assert programme.partnership == world.partnership
    assert (programme.sessions_min, programme.sessions_max) == (6, 12)  # no fACT cap
    assert [c.label for c in criteria_of(programme)] == ["Adult (18 or over)", "Stalking behaviour"]
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="interventions.Programme", object_id=str(programme.pk)
    ).exists()
    programme_services.programme_edit(
        actor=admin.user,
        membership=admin,
        programme=programme,
        criteria=["Stalking behaviour", "Able to benefit"],
        **{**VALID, "code": "ignored", "name": "Recolo", "active": False},
    )
    programme.refresh_from_db()
    assert (programme.code, programme.name, programme.active) == ("recolo", "Recolo", False)
    assert [c.code for c in criteria_of(programme)] == ["stalking-behaviour", "able-to-benefit"]


def test_bad_values_are_refused_at_the_field(world, admin):
    programme_services.programme_add(actor=admin.user, membership=admin, **VALID)
    bad = {
        **VALID,
        "code": "recolo",  # taken
        "name": " ",
        "provider_kind": "wizard",
        "sessions_min": 5,
        "sessions_max": 4,
        "session_minutes": 0,
        "absence_alert_threshold": 0,
    }
    with pytest.raises(ValidationError) as error:
        programme_services.programme_add(actor=admin.user, membership=admin, **bad)
    assert set(error.value.message_dict) == {
        "code",
        "name",
        "provider_kind",
        "sessions_max",
        "session_minutes",
        "absence_alert_threshold",
    }
    with pytest.raises(ValidationError) as error:
        programme_services.programme_add(
            actor=admin.user,
            membership=admin,
            **{**VALID, "code": "Not A Slug", "sessions_min": 51},
        )
    assert set(error.value.message_dict) == {"code", "sessions_min"}
    assert Programme.objects.filter(partnership=world.partnership).count() == 1


def test_national_programmes_and_other_roles_are_refused(world, admin):
    with pytest.raises(PermissionDenied):
        programme_services.programme_edit(
            actor=admin.user, membership=admin, programme=fact(), **VALID
        )
    clinician = world.members[Role.CLINICIAN]
    with pytest.raises(PermissionDenied):
        programme_services.programme_add(actor=clinician.user, membership=clinician, **VALID)
    assert fact().sessions_max == 6


def test_pages_and_api(world, admin, client, login):
    login(admin)
    listing = client.get(reverse("interventions:programme-list")).content.decode()
    assert "fACT" in listing and "national" in listing
    assert reverse("interventions:programme-edit", args=[fact().pk]) not in listing
    assert client.get(reverse("interventions:programme-edit", args=[fact().pk])).status_code == 404
    new = reverse("interventions:programme-new")
    form = {**VALID, "criteria": "Adult (18 or over)\nAble to benefit", "active": "on"}
    bad = client.post(new, {**form, "sessions_min": "7", "sessions_max": "6", "code": "A B"})
    assert bad.status_code == 400
    assert {"sessions_max", "code"} <= set(bad.context["form"].errors)
    assert not Programme.objects.filter(partnership=world.partnership).exists()
    assert client.post(new, form).status_code == 302
    programme = Programme.objects.get(partnership=world.partnership)
    assert len(criteria_of(programme)) == 2
    edit = reverse("interventions:programme-edit", args=[programme.pk])
    assert client.post(edit, {**form, "name": "Recolo v2"}).status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Recolo v2" and programme.code == "recolo"

    api = reverse("api:interventions-programme-list")
    refused = client.post(
        api, {**VALID, "code": "x2", "sessions_max": 99}, content_type="application/json"
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"sessions_max"}
    created = client.post(
        api, {**VALID, "code": "signpost", "criteria": ["Adult"]}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["criteria"] == ["Adult"]
    detail = reverse("api:interventions-programme-detail", args=[created.json()["id"]])
    changed = client.put(
        detail, {**VALID, "sessions_min": 2, "sessions_max": 1}, content_type="application/json"
    )
    assert changed.status_code == 400 and set(changed.json()["errors"]) == {"sessions_max"}
    changed = client.put(detail, {**VALID, "name": "Signposting"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["name"] == "Signposting"
    national = reverse("api:interventions-programme-detail", args=[fact().pk])
    assert client.get(national).json()["national"] is True
    assert client.put(national, VALID, content_type="application/json").status_code == 404
    # Clinicians see the local programmes and can refer to them, but not change them.
    login(world.members[Role.CLINICIAN])
    codes = [p["code"] for p in client.get(api).json()]
    assert "signpost" in codes and "fact" in codes
    assert client.put(detail, VALID, content_type="application/json").status_code == 403
