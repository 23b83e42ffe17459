"""Accepting a reclassification changes the crime's offence code; re-imports keep it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CrimeScreenEntry, ReclassificationOutcome
from cases.services import screening as services
from tests.factories_screening import csv_bytes, csv_row, offence


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(world, rows):
    member = world.members[Role.INVESTIGATOR]
    run = services.import_start(actor=member.user, membership=member, data=csv_bytes(rows))
    assert run.status == "succeeded", run.errors
    return run


def _request(world, entry, code="008/66"):
    member = world.members[Role.INVESTIGATOR]
    (action,) = services.actions_record(
        actor=member.user,
        membership=member,
        entry=entry,
        kinds=["reclassification"],
        requested_offence=offence(code),
    )
    return action


def _decide(world, action, outcome):
    member = world.members[Role.POLICE_SUPERVISOR]
    return services.reclassification_decide(
        actor=member.user, membership=member, action=action, outcome=outcome
    )


def _imported(world, n=1, **overrides):
    _import(world, [csv_row(n, **overrides)])
    return CrimeScreenEntry.objects.get(crime_reference=f"NS/{n:06d}/26")


def test_import_records_the_police_system_code(world):
    entry = _imported(world)
    assert entry.offence == offence("8L") and entry.source_offence == offence("8L")
    assert not entry.reclassified


def test_accepting_changes_the_code_and_keeps_the_previous_one(world):
    entry = _imported(world)
    action = _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    entry.refresh_from_db()
    assert entry.offence == offence("008/66")
    assert entry.source_offence == offence("8L")
    assert entry.reclassified and entry.police_system_offence == offence("8L")
    assert action.previous_offence == offence("8L")
    event = AccessEvent.objects.get(
        action=Action.UPDATE, object_type="cases.CrimeScreenEntry", object_id=str(entry.pk)
    )
    assert event.detail["outcome"] == "accepted"
    assert event.detail["previous_offence"] == "8L"
    assert event.detail["requested_offence"] == "008/66"


def test_refusing_leaves_the_code(world):
    entry = _imported(world)
    action = _decide(world, _request(world, entry), ReclassificationOutcome.REFUSED)
    entry.refresh_from_db()
    assert entry.offence == offence("8L") and not entry.reclassified
    assert action.previous_offence is None
    event = AccessEvent.objects.get(
        action=Action.UPDATE, object_type="cases.CrimeScreenEntry", object_id=str(entry.pk)
    )
    assert "previous_offence" not in event.detail


def test_entry_made_before_source_codes_existed_keeps_its_code_as_source(world):
    from tests.factories_screening import CrimeScreenEntryFactory

    entry = CrimeScreenEntryFactory(partnership=world.partnership, source_offence=None)
    _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    entry.refresh_from_db()
    assert entry.offence == offence("008/66") and entry.source_offence == offence("8L")


def test_reimport_does_not_undo_an_accepted_reclassification(world):
    entry = _imported(world)
    _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    # The police system sends the crime again, changed, still as 8L.
    run = _import(world, [csv_row(1, summary="More messages overnight.")])
    assert run.updated_count == 1
    entry.refresh_from_db()
    assert entry.summary == "More messages overnight."
    assert entry.offence == offence("008/66") and entry.source_offence == offence("8L")
    # The police system later records a third code: it is visible, the decision stands.
    _import(world, [csv_row(1, summary="More messages overnight.", offence_code="8M")])
    entry.refresh_from_db()
    assert entry.offence == offence("008/66") and entry.source_offence == offence("8M")
    assert entry.reclassified


def test_reimport_of_an_unreclassified_crime_follows_the_police_system(world):
    entry = _imported(world)
    _decide(world, _request(world, entry), ReclassificationOutcome.REFUSED)
    _import(world, [csv_row(1, offence_code="8M")])
    entry.refresh_from_db()
    assert entry.offence == offence("8M") and entry.source_offence == offence("8M")
    assert not entry.reclassified


def test_police_system_catching_up_clears_the_difference(world):
    entry = _imported(world)
    _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    _import(world, [csv_row(1, offence_code="008/66")])
    entry.refresh_from_db()
    assert entry.offence == offence("008/66") and not entry.reclassified
    # From now on the crime follows the police system again.
    _import(world, [csv_row(1, offence_code="8M")])
    entry.refresh_from_db()
    assert entry.offence == offence("8M")


def test_entry_page_and_api_show_both_codes(world, client, login):
    entry = _imported(world)
    _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:entry", args=[entry.pk])).content.decode()
    assert "Reclassified" in page
    assert "Police system code" in page and "still records this crime as 8L" in page
    assert "Previously 8L" in page
    api = APIClient()
    login(world.members[Role.INVESTIGATOR], api)
    data = api.get(reverse("api:screening-entry-detail", args=[entry.pk])).json()
    assert data["offence_code"] == "008/66" and data["source_offence_code"] == "8L"
    assert data["reclassified"] is True
    assert data["actions"][0]["previous_offence"] == "8L"
    listed = api.get(reverse("api:screening-entry-list")).json()["results"][0]
    assert listed["source_offence_code"] == "8L" and listed["reclassified"] is True


def test_decision_page_accepts_and_changes_the_code(world, client, login):
    entry = _imported(world)
    action = _request(world, entry)
    login(world.members[Role.POLICE_SUPERVISOR])
    response = client.post(
        reverse("screening:decide", args=[action.pk]),
        {"outcome": "accepted", "decided_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.offence == offence("008/66")


def test_worklist_shows_the_police_system_code_of_a_reclassified_crime(world, client, login):
    entry = _imported(world)
    _imported(world, n=2)
    _decide(world, _request(world, entry), ReclassificationOutcome.ACCEPTED)
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:worklist")).content.decode()
    assert page.count("Police system: 8L") == 1
