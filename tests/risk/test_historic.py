"""Issue 13: assessments dated in the past, historic ratings (a level as recorded, no item
answers), external ids, and the review reminders they do and do not cause."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AccessEvent, Action
from reporting.models import NotificationKind
from reporting.selectors.reminders import risk_reviews_due
from risk import services
from risk.models import Assessment, AssessmentStatus, HistoricLevel, Instrument
from risk.selectors import (
    case_risk,
    current_level_by_case,
    high_risk_case_ids,
    reviews_due,
)
from tests.factories import PersonFactory, open_case
from tests.factories_risk import make_assessment, national_version
from tests.reporting.helpers import run

TODAY = timezone.localdate()


def _sash():
    return Instrument.objects.get(partnership=None, code="sash")


def _sash_answers(yes):
    answers = {"SASH-EP": "no"}
    answers.update({f"SASH-{n:02d}": ("yes" if n <= yes else "no") for n in range(1, 14)})
    return answers


def _api(membership):
    client = APIClient()
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_AGENCY_ID=str(membership.agency_id))
    return client


def _historic(world, level, *, on=date(2019, 3, 4), case=None, **kwargs):
    return services.historic_rating_record(
        actor=world.members[Role.INVESTIGATOR].user,
        membership=world.members[Role.INVESTIGATOR],
        case=case or world.own_case,
        subject=kwargs.pop("subject", world.victim.person),
        instrument=kwargs.pop("instrument", _sash()),
        assessed_on=on,
        recorded_level=level,
        **kwargs,
    )


def _answered(world, *, on, yes=7, case=None, **kwargs):
    """A SASH answered in full with ``yes`` items present, dated ``on``."""
    police = world.members[Role.INVESTIGATOR]
    draft = services.assessment_start(
        actor=police.user,
        membership=police,
        case=case or world.own_case,
        instrument=_sash(),
        assessed_on=on,
    )
    return services.assessment_complete(
        actor=police.user, membership=police, assessment=draft, answers=_sash_answers(yes), **kwargs
    )


# --- Dated in the past --------------------------------------------------------------------


def test_a_past_assessment_keeps_its_date_and_counts_its_review_from_it(world):
    moderate = _answered(world, on=date(2021, 8, 31), yes=7)
    assert moderate.assessed_on == date(2021, 8, 31)
    # SASH: six months for moderate (clamped to the month's end), three for high.
    assert moderate.review_due_on == date(2022, 2, 28)
    high = _answered(world, on=date(2021, 1, 10), yes=9, case=world.health_case)
    assert (high.level, high.review_due_on) == ("high", date(2021, 4, 10))


def test_completing_gives_the_date_the_completion_names_or_the_drafts_or_today(world):
    police = world.members[Role.INVESTIGATOR]
    draft = services.assessment_start(
        actor=police.user, membership=police, case=world.own_case, instrument=_sash()
    )
    # A draft started a week ago without a date is dated the day it is completed.
    Assessment.objects.filter(pk=draft.pk).update(created_at=timezone.now() - timedelta(days=7))
    draft.refresh_from_db()
    done = services.assessment_complete(
        actor=police.user, membership=police, assessment=draft, answers=_sash_answers(2)
    )
    assert done.assessed_on == TODAY
    assert done.review_due_on > TODAY
    other = services.assessment_start(
        actor=police.user,
        membership=police,
        case=world.health_case,
        instrument=_sash(),
        assessed_on=date(2020, 5, 1),
    )
    done = services.assessment_complete(
        actor=police.user,
        membership=police,
        assessment=other,
        answers=_sash_answers(2),
        assessed_on=date(2020, 6, 1),
    )
    assert (done.assessed_on, done.review_due_on) == (date(2020, 6, 1), date(2020, 12, 1))


@pytest.mark.parametrize(
    ("assessed_on", "message"),
    [
        (TODAY + timedelta(days=1), "cannot be in the future"),
        (date(1989, 12, 31), "before 1990"),
        (date(1995, 1, 1), "before the person was born"),
    ],
)
def test_impossible_dates_are_refused_with_every_other_error_and_nothing_saved(
    world, assessed_on, message
):
    police = world.members[Role.INVESTIGATOR]
    person = world.victim.person
    person.date_of_birth = date(2000, 1, 1)
    person.save()
    taken = make_assessment(world.own_case, police)
    Assessment.objects.filter(pk=taken.pk).update(external_source="spreadsheet", external_id="R1")
    before = Assessment.objects.count()
    with pytest.raises(ValidationError) as error:
        services.assessment_start(
            actor=police.user,
            membership=police,
            case=world.own_case,
            instrument=_sash(),
            subject=person,
            assessed_on=assessed_on,
            external_source="spreadsheet",
            external_id="R1",
        )
    errors = error.value.message_dict
    assert set(errors) == {"assessed_on", "external_id"}
    assert message in errors["assessed_on"][0]
    assert Assessment.objects.count() == before


def test_a_future_date_on_completion_is_refused_and_the_draft_stays_a_draft(world):
    police = world.members[Role.INVESTIGATOR]
    draft = services.assessment_start(
        actor=police.user, membership=police, case=world.own_case, instrument=_sash()
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(
            actor=police.user,
            membership=police,
            assessment=draft,
            answers=_sash_answers(2),
            assessed_on=TODAY + timedelta(days=3),
        )
    assert set(error.value.message_dict) == {"assessed_on"}
    draft.refresh_from_db()
    assert (draft.status, draft.review_due_on) == (AssessmentStatus.DRAFT, None)


# --- Historic ratings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "level"),
    [
        (HistoricLevel.LOW, "low"),
        (HistoricLevel.MODERATE, "medium"),
        (HistoricLevel.MODERATE_HIGH, "high"),
        (HistoricLevel.HIGH, "high"),
        (HistoricLevel.NOT_COMPLETED, ""),
    ],
)
def test_a_historic_rating_keeps_the_level_as_recorded_and_maps_it(world, recorded, level):
    rating = _historic(
        world, recorded, external_source="SPS sheet", external_id="A-7", note="From row 7."
    )
    rating.refresh_from_db()
    assert rating.historic and rating.recorded_level == recorded
    assert (rating.level, rating.computed_level) == (level, level)
    assert rating.status == AssessmentStatus.COMPLETE
    assert (rating.answers, rating.result, rating.review_due_on) == ({}, {}, None)
    assert rating.partnership_id == world.partnership.pk
    assert (rating.external_source, rating.external_id, rating.note) == (
        "SPS sheet",
        "A-7",
        "From row 7.",
    )
    event = AccessEvent.objects.get(
        action=Action.CREATE, object_type="risk.Assessment", object_id=str(rating.pk)
    )
    assert event.detail["historic"] is True
    assert event.detail["recorded_level"] == recorded


def test_a_historic_rating_reports_every_error_at_once_and_saves_nothing(world):
    _historic(world, HistoricLevel.LOW, external_source="sheet", external_id="9")
    before = Assessment.objects.count()
    with pytest.raises(ValidationError) as error:
        _historic(
            world,
            "medium-ish",
            on=TODAY + timedelta(days=1),
            instrument=Instrument.objects.get(partnership=None, code="aaq-ii"),
            subject=PersonFactory(partnership=world.partnership),  # not on the case
            external_source="sheet",
            external_id="9",
        )
    assert set(error.value.message_dict) == {
        "instrument",
        "subject",
        "assessed_on",
        "recorded_level",
        "external_id",
    }
    assert Assessment.objects.count() == before
    with pytest.raises(ValidationError) as error:
        _historic(world, HistoricLevel.LOW, on=None)
    assert set(error.value.message_dict) == {"assessed_on"}


def test_a_retired_tool_still_dates_a_historic_rating_and_the_version_in_force_is_used(world):
    sash = _sash()
    first = sash.versions.get(version=1)
    first.effective_from = date(2015, 1, 1)
    first.save()
    second = sash.versions.create(
        version=2, effective_from=date(2022, 1, 1), definition=first.definition
    )
    Instrument.objects.filter(pk=sash.pk).update(active=False)
    sash.refresh_from_db()
    old = _historic(world, HistoricLevel.HIGH, on=date(2019, 1, 1), instrument=sash)
    new = _historic(world, HistoricLevel.HIGH, on=date(2023, 1, 1), instrument=sash)
    before = _historic(world, HistoricLevel.HIGH, on=date(2010, 1, 1), instrument=sash)
    assert (old.instrument_version, new.instrument_version) == (first, second)
    assert before.instrument_version == first


def test_a_historic_rating_has_no_override_and_no_review_date(world):
    police = world.members[Role.INVESTIGATOR]
    rating = _historic(world, HistoricLevel.MODERATE)
    with pytest.raises(ValidationError) as error:
        services.assessment_override(
            actor=police.user,
            membership=police,
            assessment=rating,
            override_level="high",
            override_reason="Escalating.",
        )
    assert set(error.value.message_dict) == {"status"}
    with pytest.raises(ValidationError) as error:
        services.assessment_set_review_date(
            actor=police.user,
            membership=police,
            assessment=rating,
            review_due_on=TODAY + timedelta(days=10),
        )
    assert set(error.value.message_dict) == {"review_due_on"}
    rating.refresh_from_db()
    assert (rating.level, rating.review_due_on) == ("medium", None)


def test_only_assessors_record_historic_ratings(world):
    partner = world.members[Role.PARTNER]
    with pytest.raises(PermissionDenied):
        services.historic_rating_record(
            actor=partner.user,
            membership=partner,
            case=world.own_case,
            subject=None,
            instrument=_sash(),
            assessed_on=date(2020, 1, 1),
            recorded_level="low",
        )


def test_moderate_high_counts_as_high_and_not_completed_never_replaces_a_rating(world):
    _historic(world, HistoricLevel.MODERATE_HIGH, on=date(2019, 1, 1))
    _historic(world, HistoricLevel.NOT_COMPLETED, on=date(2020, 1, 1))
    case = world.own_case
    assert current_level_by_case([case.pk]) == {case.pk: "high"}
    assert case.pk in {row["case_id"] for row in high_risk_case_ids(world.partnership.pk)}
    risk = case_risk(case)
    assert risk.level == "high" and [a.recorded_level for a in risk.history] == ["moderate_high"]
    # Reports can still tell moderate/high from high.
    assert set(
        Assessment.objects.filter(case=case, historic=True).values_list("recorded_level", flat=True)
    ) == {"moderate_high", "not_completed"}


# --- Review reminders ---------------------------------------------------------------------


def test_a_historic_rating_never_causes_a_review_reminder(world):
    rating = _historic(world, HistoricLevel.HIGH, on=TODAY - timedelta(days=200))
    assert rating.review_due_on is None
    assert rating.pk not in {a.pk for a in reviews_due(TODAY + timedelta(days=3650))}
    assert run(0)["created"][NotificationKind.RISK_REVIEW_DUE] == 0


def test_a_review_already_past_when_recorded_is_not_due_and_not_reminded(world):
    old = _answered(world, on=date(2019, 5, 1), yes=9)  # review due 1 Aug 2019
    assert old.review_due_on == date(2019, 8, 1)
    assert old.pk not in {a.pk for a in reviews_due(TODAY)}
    assert not risk_reviews_due(TODAY).filter(pk=old.pk).exists()
    assert run(0)["created"][NotificationKind.RISK_REVIEW_DUE] == 0
    # Someone sets a new review date: from then on it is a review to chase.
    police = world.members[Role.INVESTIGATOR]
    services.assessment_set_review_date(
        actor=police.user,
        membership=police,
        assessment=old,
        review_due_on=TODAY + timedelta(days=2),
    )
    assert run(1)["created"][NotificationKind.RISK_REVIEW_DUE] == 0
    assert run(2)["created"][NotificationKind.RISK_REVIEW_DUE] == 1


def test_a_past_assessment_whose_review_is_still_ahead_is_reminded_on_its_date(world):
    recent = _answered(world, on=TODAY - timedelta(days=60), yes=9)  # high: three months
    assert recent.review_due_on > TODAY
    offset = (recent.review_due_on - TODAY).days
    assert run(offset - 1)["created"][NotificationKind.RISK_REVIEW_DUE] == 0
    assert run(offset)["created"][NotificationKind.RISK_REVIEW_DUE] == 1


def test_a_later_historic_rating_supersedes_a_review_but_not_completed_does_not(world):
    police = world.members[Role.INVESTIGATOR]
    due = TODAY + timedelta(days=5)
    earlier = make_assessment(
        world.own_case,
        police,
        version=national_version("sash"),
        assessed_on=TODAY - timedelta(days=100),
        review_due_on=due,
    )
    _historic(world, HistoricLevel.NOT_COMPLETED, on=TODAY - timedelta(days=50))
    assert earlier.pk in {a.pk for a in reviews_due(due)}
    _historic(world, HistoricLevel.LOW, on=TODAY - timedelta(days=40))
    assert earlier.pk not in {a.pk for a in reviews_due(due)}


# --- External ids -------------------------------------------------------------------------


def test_external_ids_are_unique_per_partnership_only(world):
    _historic(world, HistoricLevel.LOW, external_source="sheet", external_id="1")
    other = world.other_partnership_member
    elsewhere = services.historic_rating_record(
        actor=other.user,
        membership=other,
        case=world.other_partnership_case,
        subject=None,
        instrument=_sash(),
        assessed_on=date(2020, 1, 1),
        recorded_level="low",
        external_source="sheet",
        external_id="1",
    )
    assert elsewhere.partnership_id == world.other_partnership_case.partnership_id
    # Another source, the same id: a different record.
    _historic(world, HistoricLevel.LOW, external_source="police", external_id="1")
    # Blank ids never collide.
    _historic(world, HistoricLevel.LOW)
    _historic(world, HistoricLevel.LOW)


# --- API ----------------------------------------------------------------------------------


def test_api_records_a_historic_rating_and_filters_by_external_id(world):
    police = world.members[Role.INVESTIGATOR]
    client = _api(police)
    url = reverse("api:risk-assessment-historic")
    body = {
        "case": world.own_case.pk,
        "instrument": "sash",
        "subject": world.victim.person.pk,
        "assessed_on": "2018-11-02",
        "recorded_level": "moderate_high",
        "external_source": "SPS sheet",
        "external_id": "S-12",
        "note": "Row 12.",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["historic"], data["recorded_level"], data["level"]) == (
        True,
        "moderate_high",
        "high",
    )
    assert (data["answers"], data["review_due_on"], data["assessed_on"]) == (
        {},
        None,
        "2018-11-02",
    )
    assert (data["external_source"], data["external_id"]) == ("SPS sheet", "S-12")

    # The same external id again: a field error, nothing saved.
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"external_id"}
    assert Assessment.objects.filter(external_id="S-12").count() == 1

    make_assessment(world.own_case, police)
    listing = reverse("api:risk-assessment-list")
    rows = client.get(listing, {"external_source": "SPS sheet", "external_id": "S-12"}).json()
    assert [r["id"] for r in rows["results"]] == [data["id"]]
    assert client.get(listing, {"external_id": "nope"}).json()["results"] == []


def test_api_historic_rating_bad_input_is_field_keyed(world):
    client = _api(world.members[Role.INVESTIGATOR])
    url = reverse("api:risk-assessment-historic")
    response = client.post(
        url,
        {"case": world.own_case.pk, "instrument": "sash", "recorded_level": "medium"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"assessed_on", "recorded_level"}
    response = client.post(
        url,
        {
            "case": world.own_case.pk,
            "instrument": "sash",
            "assessed_on": "1985-01-01",
            "recorded_level": "not_completed",
            "external_id": "x" * 101,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"assessed_on", "external_id"}
    response = client.post(
        url,
        {
            "case": world.own_case.pk,
            "instrument": "no-such-tool",
            "assessed_on": "2020-01-01",
            "recorded_level": "low",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"instrument"}
    assert not Assessment.objects.exists()
    # Someone else's case: 404, as everywhere.
    response = client.post(
        url,
        {
            "case": world.other_partnership_case.pk,
            "instrument": "sash",
            "assessed_on": "2020-01-01",
            "recorded_level": "low",
        },
        format="json",
    )
    assert response.status_code == 404


def test_api_dates_a_new_assessment_in_the_past_and_sets_its_external_id(world):
    clinician = world.members[Role.CLINICIAN]
    client = _api(clinician)
    response = client.post(
        reverse("api:risk-assessment-list"),
        {
            "case": world.health_case.pk,
            "instrument": "sash",
            "assessed_on": "2022-03-01",
            "answers": _sash_answers(7),
            "external_source": "clinic db",
            "external_id": "77",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.post(reverse("api:risk-assessment-complete", args=[pk]), {}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["assessed_on"], data["review_due_on"], data["external_id"]) == (
        "2022-03-01",
        "2022-09-01",
        "77",
    )
    detail = reverse("api:risk-assessment-detail", args=[pk])
    response = client.patch(detail, {"external_id": "78"}, format="json")
    assert response.status_code == 200 and response.json()["external_id"] == "78"
    # An external id and a refused change together: neither is saved.
    response = client.patch(
        detail, {"external_id": "79", "review_due_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"review_due_on"}
    assert Assessment.objects.get(pk=pk).external_id == "78"
    response = client.post(
        reverse("api:risk-assessment-list"),
        {
            "case": world.health_case.pk,
            "instrument": "sash",
            "assessed_on": (TODAY + timedelta(days=1)).isoformat(),
            "external_source": "clinic db",
            "external_id": "78",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"assessed_on", "external_id"}


def test_api_historic_is_refused_to_roles_that_do_not_assess(world):
    response = _api(world.members[Role.PARTNER]).post(
        reverse("api:risk-assessment-historic"), {}, format="json"
    )
    assert response.status_code == 403


# --- Pages --------------------------------------------------------------------------------


def test_the_case_risk_page_marks_historic_ratings(world, login):
    police = world.members[Role.INVESTIGATOR]
    rating = _historic(world, HistoricLevel.MODERATE_HIGH, on=date(2019, 3, 4), note="Row 3.")
    _historic(world, HistoricLevel.NOT_COMPLETED, on=date(2020, 3, 4))
    client = login(police)
    page = client.get(reverse("risk:case-risk", args=[world.own_case.pk])).content.decode()
    assert "Historic rating (no item answers)" in page
    assert "Moderate/high" in page and "Not completed" in page
    detail = client.get(reverse("risk:assessment-detail", args=[rating.pk])).content.decode()
    assert "Historic rating (no item answers)" in detail
    assert "Level as recorded" in detail and "Row 3." in detail
    assert reverse("risk:assessment-override", args=[rating.pk]) not in detail
    case_page = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert "historic rating (no item answers)" in case_page


def test_a_past_dated_assessment_on_a_new_case(world):
    """Only the subject's birth bounds the date from below on the case's side: a SASH done
    by the police before the partnership opened the case is accepted."""
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police, opened_on=date(2023, 6, 1))
    done = _answered(world, on=date(2023, 1, 15), yes=2, case=case)
    assert done.assessed_on == date(2023, 1, 15)


def test_the_start_page_takes_a_past_date_and_puts_a_wrong_one_at_the_field(world, login):
    police = world.members[Role.INVESTIGATOR]
    client = login(police)
    url = reverse("risk:assessment-start", args=[world.own_case.pk])
    sash = _sash().pk
    response = client.post(url, {"instrument": sash, "assessed_on": "1/2/1985"})
    assert response.status_code == 400
    assert "cannot be before 1990" in response.content.decode()
    assert not Assessment.objects.exists()
    response = client.post(url, {"instrument": sash, "assessed_on": "3/2/2021"})
    assert response.status_code == 302
    assert Assessment.objects.get().assessed_on == date(2021, 2, 3)
