"""Issue 13: bringing historic risk ratings in: the level as services recorded it (their
"moderate/high" mapped), the common level as risk.services maps it, the instrument's
version in force on the date, the person on the case, idempotency by external id,
rollback, the bulk API, and no review reminder for a rating however old."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from cases.models import Case, Person
from imports import services
from imports.models import BatchStage
from reporting.models import NotificationKind
from risk.models import Assessment, AssessmentStatus, HistoricLevel, Instrument
from risk.selectors import current_level_by_case
from risk.services import add_months
from tests.factories import PersonFactory
from tests.factories_risk import make_assessment
from tests.reporting.helpers import run

pytestmark = pytest.mark.django_db

SOURCE = "Northshire SPS sheet"
HEADER = "Rating ID,Case ID,Person ID,Tool,Date,Level,Notes\n"
CSV = HEADER + (
    "R1,C1,P1,SASH,2018-04-01,Mod/High,Police SASH at report\nR2,C1,,sash,02/03/2020,low,\n"
)
COLUMNS = {
    "external_id": "Rating ID",
    "case": "Case ID",
    "subject": "Person ID",
    "instrument": "Tool",
    "assessed_on": "Date",
    "recorded_level": "Level",
    "note": "Notes",
}
VALUES = {"recorded_level": {"Mod/High": "moderate_high"}}


@pytest.fixture(autouse=True)
def loaded(world):
    """The case and its victim as an earlier migration file loaded them."""
    Case.objects.filter(pk=world.own_case.pk).update(external_source=SOURCE, external_id="C1")
    Person.objects.filter(pk=world.victim.person_id).update(
        external_source=SOURCE, external_id="P1", date_of_birth=date(1995, 1, 1)
    )


def _sash():
    return Instrument.objects.get(partnership=None, code="sash")


def _admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def _checked(world, data=CSV, values=VALUES):
    admin = _admin(world)
    batch = services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="risk_ratings",
        source_system=SOURCE,
        data=data.encode(),
        name="ratings.csv",
    )
    batch = services.batch_map(
        actor=admin.user, membership=admin, batch=batch, columns=COLUMNS, values=values
    )
    return services.batch_check(actor=admin.user, membership=admin, batch=batch)


def _load(world, data=CSV, values=VALUES):
    batch = _checked(world, data, values)
    assert batch.errors == []
    admin = _admin(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    batch.refresh_from_db()
    return batch


def test_dry_run_counts_and_writes_nothing(world):
    batch = _checked(world)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert batch.created_n == 2
    assert not Assessment.objects.exists()


def test_commit_records_historic_ratings_as_risk_services_does(world):
    _load(world)
    rating = Assessment.objects.get(external_source=SOURCE, external_id="R1")
    assert rating.historic and rating.status == AssessmentStatus.COMPLETE
    assert rating.recorded_level == HistoricLevel.MODERATE_HIGH
    # "Moderate/high" counts as high on the common scale (risk.models.HISTORIC_TO_LEVEL).
    assert (rating.computed_level, rating.level) == ("high", "high")
    assert rating.answers == {} and rating.review_due_on is None
    assert rating.case == world.own_case and rating.subject == world.victim.person
    assert rating.instrument_version.instrument == _sash()
    assert rating.assessed_on == date(2018, 4, 1) and rating.note == "Police SASH at report"
    admin = _admin(world)
    assert (rating.assessor, rating.agency) == (admin.user, admin.agency)
    later = Assessment.objects.get(external_id="R2")
    assert later.recorded_level == "low" and later.subject is None
    # The latest rating is the case's current level.
    assert current_level_by_case([world.own_case.pk]) == {world.own_case.pk: "low"}


def test_loading_again_creates_nothing_and_a_changed_level_updates(world):
    _load(world)
    again = _load(world)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    third = _load(world, CSV.replace("2020,low", "2020,high"))
    assert (third.created_n, third.updated_n, third.unchanged_n) == (0, 1, 1)
    rating = Assessment.objects.get(external_id="R2")
    assert (rating.recorded_level, rating.level) == ("high", "high")
    assert Assessment.objects.count() == 2


def test_the_version_in_force_on_the_rating_date_is_used_even_of_a_retired_tool(world):
    sash = _sash()
    first = sash.versions.get(version=1)
    first.effective_from = date(2015, 1, 1)
    first.save()
    second = sash.versions.create(
        version=2, effective_from=date(2019, 1, 1), definition=first.definition
    )
    Instrument.objects.filter(pk=sash.pk).update(active=False)
    _load(world)
    assert Assessment.objects.get(external_id="R1").instrument_version == first
    assert Assessment.objects.get(external_id="R2").instrument_version == second


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        ("R3,C1,,SASH,2018-04-01,medium-ish,", "Level", "not one of our values"),
        ("R3,C1,,SPACESHIP,2018-04-01,low,", "Tool", "not one of our values"),
        ("R3,C1,,SASH,2999-01-01,low,", "Date", "future"),
        ("R3,C1,,SASH,1989-12-31,low,", "Date", "before 1990"),
        ("R3,C1,P1,SASH,1994-01-01,low,", "Date", "before the person was born"),
        ("R3,C1,P2,SASH,2018-01-01,low,", "Person ID", "not on the case"),
        ("R3,C1,P404,SASH,2018-01-01,low,", "Person ID", "load the person file first"),
        ("R3,C404,,SASH,2018-01-01,low,", "Case ID", "load the case file first"),
        ("R3,C1,,SASH,,low,", "Date", "Enter the date of the rating"),
        ("R1,C1,,SASH,2018-01-01,low,", "Rating ID", "also on row 2"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    world, line, column, text
):
    PersonFactory(partnership=world.partnership, external_source=SOURCE, external_id="P2")
    batch = _checked(world, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    admin = _admin(world)
    with pytest.raises(ValidationError):
        services.batch_commit(actor=admin.user, membership=admin, batch=batch)
    assert not Assessment.objects.exists()


def test_an_assessment_made_here_is_never_replaced_by_a_historic_rating(world):
    made = make_assessment(world.own_case, world.members[Role.INVESTIGATOR])
    Assessment.objects.filter(pk=made.pk).update(external_source=SOURCE, external_id="R2")
    [error] = _checked(world).errors
    assert (error["row"], error["column"]) == (3, "Rating ID")
    assert not Assessment.objects.filter(historic=True).exists()


def test_rollback_removes_created_and_restores_changed_ratings(world):
    first = _load(world)
    second = _load(world, CSV.replace("2020,low", "2020,high"))
    admin = _admin(world)
    services.batch_rollback(actor=admin.user, membership=admin, batch=second)
    rating = Assessment.objects.get(external_id="R2")
    assert (rating.recorded_level, rating.computed_level, rating.level) == ("low", "low", "low")
    services.batch_rollback(actor=admin.user, membership=admin, batch=first)
    assert not Assessment.objects.exists()


def test_a_migrated_rating_never_causes_a_review_reminder(world):
    today = timezone.localdate()
    rated = today - timedelta(days=30)
    _load(world, HEADER + f"R9,C1,P1,SASH,{rated.isoformat()},high,\n")
    assert Assessment.objects.get(external_id="R9").review_due_on is None
    # A high SASH answered that day would be due for review three months on.
    would_be_due = (add_months(rated, 3) - today).days
    for offset in (0, would_be_due - 1, would_be_due):
        assert run(offset)["created"][NotificationKind.RISK_REVIEW_DUE] == 0


def test_bulk_api_for_risk_ratings(world, login):
    client = APIClient()
    login(_admin(world), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "risk_ratings"})
    row = {
        "external_id": "R1",
        "case": "C1",
        "subject": "P1",
        "instrument": "sash",
        "assessed_on": "2018-04-01",
        "recorded_level": "moderate_high",
    }
    body = {"source_system": SOURCE, "rows": [row]}
    first = client.post(url, body, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    assert client.post(url, body, format="json").json()["unchanged"] == 1
    bad = client.post(
        url, {"source_system": SOURCE, "rows": [{**row, "recorded_level": "meh"}]}, format="json"
    )
    assert bad.status_code == 400
    assert list(bad.json()["rows"][0]["errors"]) == ["recorded_level"]
    assert Assessment.objects.count() == 1
