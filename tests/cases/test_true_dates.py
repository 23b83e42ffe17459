"""Dates that cannot be true are refused with field errors, and a reference code is checked
against the date of the event it describes, not today (issue 9, item 15)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.importers import crime_screen
from cases.models import CodeList, CriminalJusticeOutcome, ReferenceCode, Referral
from cases.models.reference import code_versions
from cases.services import record as record_services
from tests.factories_record import make_crime, national


@pytest.fixture
def api(login):
    def _api(membership):
        client = APIClient()
        login(membership, client)
        return client

    return _api


BASE = {"source": "probation", "reason": "Breach of licence"}


def _refer(client, **data):
    return client.post("/api/v1/referrals/", {**BASE, **data}, format="json")


def test_a_referral_received_in_1900_is_refused(api, world):
    client = api(world.members[Role.PROBATION_OFFICER])
    response = _refer(client, received_on="1900-01-01")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["received_on"]
    assert not Referral.objects.exists()


def test_a_perpetrator_born_after_the_referral_is_refused(api, world):
    client = api(world.members[Role.PROBATION_OFFICER])
    received = timezone.localdate() - timedelta(days=30)
    perpetrator = {
        "given_names": "Carl",
        "family_name": "Voss",
        "date_of_birth": str(received + timedelta(days=1)),
    }
    response = _refer(client, received_on=str(received), perpetrator=perpetrator)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "perpetrator" in errors and "after the date the referral" in str(errors)
    assert not Referral.objects.exists()
    perpetrator["date_of_birth"] = "1981-05-04"
    assert _refer(client, received_on=str(received), perpetrator=perpetrator).status_code == 201


def _relabel(code, *, on):
    """The code's wording changed on ``on``: version 1 ends, version 2 begins."""
    code.effective_to = on
    code.save(update_fields=["effective_to"])
    return ReferenceCode.objects.create(
        partnership=code.partnership,
        code_list=code.code_list,
        code=code.code,
        label=code.label + " (new wording)",
        effective_from=on,
        version=code.version + 1,
        supersedes=code,
    )


def test_a_referral_source_is_checked_on_the_date_received(api, world):
    client = api(world.members[Role.PROBATION_OFFICER])
    source = national(CodeList.REFERRAL_SOURCE, "probation")
    retired_on = timezone.localdate() - timedelta(days=10)
    source.effective_to = retired_on
    source.save(update_fields=["effective_to"])
    # Received while the code was in use: accepted although it is retired today.
    before = _refer(client, received_on=str(retired_on - timedelta(days=5)))
    assert before.status_code == 201, before.json()
    assert Referral.objects.get().source == source
    # Received after it was retired: refused at the source.
    after = _refer(client, received_on=str(retired_on + timedelta(days=1)))
    assert after.status_code == 400 and list(after.json()["errors"]) == ["source"]
    assert "was not in use" in after.json()["errors"]["source"][0]


def test_the_version_in_use_on_the_event_date_is_the_one_recorded(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    changed_on = timezone.localdate() - timedelta(days=10)
    old = national(CodeList.OUTCOME, "16")
    new = _relabel(old, on=changed_on)
    url = f"/api/v1/cases/{world.own_case.pk}/outcomes/"
    world.own_case.opened_on = changed_on - timedelta(days=30)
    world.own_case.save(update_fields=["opened_on"])
    body = {"person": world.perpetrator.person.pk, "outcome": "16"}
    earlier = client.post(
        url, {**body, "outcome_on": str(changed_on - timedelta(days=1))}, format="json"
    )
    later = client.post(url, {**body, "outcome_on": str(changed_on)}, format="json")
    assert (earlier.status_code, later.status_code) == (201, 201), earlier.json()
    outcomes = CriminalJusticeOutcome.objects.order_by("outcome_on")
    assert [o.outcome_id for o in outcomes] == [old.pk, new.pk]


def test_an_outcome_before_its_case_and_its_crime_is_refused(world):
    case = world.own_case
    member = world.members[Role.INVESTIGATOR]
    case.opened_on = timezone.localdate() - timedelta(days=20)
    case.save(update_fields=["opened_on"])
    crime = make_crime(case, recorded_on=timezone.localdate() - timedelta(days=40))
    kwargs = {
        "actor": member.user,
        "membership": member,
        "case": case,
        "person": world.perpetrator.person,
        "outcome": national(CodeList.OUTCOME, "16"),
    }
    with pytest.raises(ValidationError) as refused:
        record_services.outcome_record(**kwargs, outcome_on=crime.recorded_on - timedelta(days=1))
    assert list(refused.value.message_dict) == ["outcome_on"]
    assert "the crime was recorded" in refused.value.message_dict["outcome_on"][0]
    # After the crime, before the case was opened: true (charged, then referred).
    assert record_services.outcome_record(**kwargs, outcome_on=crime.recorded_on)


def test_an_outcome_before_the_case_with_no_crime_is_refused_in_the_api(api, world):
    client = api(world.members[Role.INVESTIGATOR])
    url = f"/api/v1/cases/{world.own_case.pk}/outcomes/"
    body = {
        "person": world.perpetrator.person.pk,
        "outcome": "16",
        "outcome_on": str(world.own_case.opened_on - timedelta(days=1)),
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["outcome_on"]
    assert not CriminalJusticeOutcome.objects.exists()


def test_the_crime_screen_checks_the_offence_code_on_the_recorded_date(world):
    from tests.factories_screening import csv_row

    today = timezone.localdate()
    code = national(CodeList.OFFENCE, "8L")
    code.effective_to = today - timedelta(days=10)
    code.save(update_fields=["effective_to"])
    offences = code_versions(CodeList.OFFENCE, world.partnership.pk)
    rows = [
        (2, csv_row(1, recorded_date=str(today - timedelta(days=11)))),
        (3, csv_row(2, recorded_date=str(today - timedelta(days=9)))),
        (4, csv_row(3, recorded_date="1900-01-01")),
    ]
    result = crime_screen.validate_rows(rows, offences=offences)
    assert [row.number for row in result.rows] == [2]
    assert result.rows[0].values["offence_id"] == code.pk
    assert {(e["row"], e["field"]) for e in result.errors} == {
        (3, "offence_code"),
        (4, "recorded_date"),
    }


def test_code_versions_prefer_the_partnership_s_own_code(world):
    local = ReferenceCode.objects.create(
        partnership=world.partnership,
        code_list=CodeList.OFFENCE,
        code="8L",
        label="Local harassment",
        effective_from=date(2020, 1, 1),
    )
    versions = code_versions(CodeList.OFFENCE, world.partnership.pk)["8L"]
    assert versions[0][2] == local.pk and len(versions) == 2
