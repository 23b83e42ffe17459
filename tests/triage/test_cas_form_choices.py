"""The CAS form offers only what it accepts: action owner agencies the case is shared
with, owners who are members of that agency and work actions (narrowed by htmx or, without
JavaScript, by a reload); and it reports every error, the action rows' included, at once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import CaseAgency
from tests.cases.test_order_parties import summary_targets_resolve
from tests.factories_triage import AgendaItemFactory
from triage.models import CaseDiscussion, MeetingStatus


@pytest.fixture
def item(world, meeting):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    # own_case is shared with police; share it with health too.
    CaseAgency.objects.get_or_create(
        case=world.own_case,
        agency=world.agencies["health"],
        defaults={"shared_by": world.members[Role.CLINIC_CHAIR].user},
    )
    return AgendaItemFactory(meeting=meeting, case=world.own_case)


def _url(item):
    return reverse("triage:meeting-item-discussion", args=[item.pk])


def _data(item, **rows):
    prefix = f"item{item.pk}-"
    data = {
        "summary": "Known: 30 calls a day.",
        "risk_judgement": "medium",
        "decision": "accept",
        "next_review_on": (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"),
        "depth": "full",
        "action_rows": "1",
        **rows,
    }
    return {prefix + key: value for key, value in data.items()}


def _choices(field):
    values = []
    for value, label in field.field.choices:
        if isinstance(label, (list, tuple)):
            values += [v for v, _ in label]
        elif value != "":
            values.append(value)
    return values


def test_owner_agencies_are_those_the_case_is_shared_with(world, item, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    form = client.get(_url(item)).context["form"]
    agencies = _choices(form["actions-0-owner_agency"])
    assert set(agencies) == {world.agencies["police"].pk, world.agencies["health"].pk}
    assert world.agencies["advocacy"].pk not in agencies
    owners = set(_choices(form["actions-0-owner"]))
    assert world.members[Role.INVESTIGATOR].user.pk in owners
    assert world.members[Role.CLINICIAN].user.pk in owners
    assert world.members[Role.ADVOCATE].user.pk not in owners  # advocacy: not shared
    assert world.members[Role.PARTNERSHIP_ADMIN].user.pk not in owners  # works no actions


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_choosing_the_agency_narrows_the_owners(world, item, login, client, htmx):
    login(world.members[Role.CLINIC_CHAIR])
    data = _data(
        item,
        **{
            "actions-0-description": "Assess",
            "actions-0-owner_agency": str(world.agencies["health"].pk),
            "refresh_owners": "1",
        },
    )
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(_url(item), data, **extra)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" not in html
    assert world.members[Role.CLINICIAN].user.full_name in html
    assert world.members[Role.INVESTIGATOR].user.full_name not in html.split("owner (optional)")[1]
    assert not CaseDiscussion.objects.exists()
    if not htmx:
        assert "Show the owners of the chosen agencies" in html


def test_the_owner_agency_select_asks_htmx_to_narrow(world, item, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    html = client.get(_url(item)).content.decode()
    assert f'hx-post="{_url(item)}"' in html and "refresh_owners" in html


def test_every_cas_error_at_once(world, item, login, client):
    login(world.members[Role.CLINIC_CHAIR])
    police_member = world.members[Role.INVESTIGATOR].user
    data = _data(
        item,
        summary="",  # a form error
        risk_judgement="high",  # and the service's rule: high needs a rationale
        **{
            "actions-0-description": "Assess",
            "actions-0-owner_agency": str(world.agencies["health"].pk),
            "actions-0-owner": str(police_member.pk),  # not in health
            "actions-0-due_on": (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y"),
        },
    )
    response = client.post(_url(item), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"summary", "risk_rationale", "actions-0-owner", "actions-0-due_on"} <= set(errors)
    summary_targets_resolve(response.content.decode())
    assert not CaseDiscussion.objects.exists()
