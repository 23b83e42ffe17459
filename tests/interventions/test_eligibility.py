"""Eligibility as a recorded checklist per programme (issue 12 item 2): the EASI criteria
are data; each answered met / not met / not known; eligible needs no criterion not met and
an agreed pathway; ineligible needs a reason; refused at the field, nothing saved; audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import EligibilityAssessment, Enrolment, Pathway, WithdrawalReason
from interventions.selectors.eligibility import criteria_of
from interventions.services import eligibility as eligibility_services
from interventions.services import enrolments as enrolment_services
from tests.factories_interventions import fact, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


def _record(member, enrolment, **values):
    values.setdefault("answers", {c.code: "met" for c in criteria_of(enrolment.programme)})
    values.setdefault("outcome", "eligible")
    values.setdefault("assessed_on", timezone.localdate())
    return eligibility_services.eligibility_record(
        actor=member.user, membership=member, enrolment=enrolment, **values
    )


def test_the_easi_checklist_is_data():
    assert [c.code for c in criteria_of(fact())] == [
        "adult",
        "ex_intimate_partner",
        "no_serious_mental_illness",
        "admission",
        "disposal",
        "voluntary",
        "able_to_benefit",
    ]


def test_eligible_with_not_known_and_the_pathway_agreed_later(world, clinician):
    # A hand-off leaves the pathway blank; the eligibility assessment agrees it.
    enrolment = refer(clinician, world.health_case)
    Enrolment.objects.filter(pk=enrolment.pk).update(pathway="")
    enrolment.refresh_from_db()
    answers = {c.code: "met" for c in criteria_of(fact())}
    answers["able_to_benefit"] = "not_known"
    with pytest.raises(ValidationError) as error:
        _record(clinician, enrolment, answers=answers)
    assert set(error.value.message_dict) == {"pathway"}
    assessment = _record(clinician, enrolment, answers=answers, pathway=Pathway.SPO_REQUIREMENT)
    assert assessment.eligible and assessment.assessed_by == clinician.user
    enrolment.refresh_from_db()
    assert enrolment.pathway == Pathway.SPO_REQUIREMENT
    event = AccessEvent.objects.get(detail__eligibility="eligible")
    assert (event.action, event.object_id) == (Action.UPDATE, str(enrolment.pk))
    assert event.case == enrolment.case


def test_bad_answers_and_outcomes_are_refused_at_the_field(world, clinician):
    enrolment = refer(clinician, world.health_case)
    answers = {c.code: "met" for c in criteria_of(fact())}
    with pytest.raises(ValidationError) as error:
        _record(
            clinician,
            enrolment,
            answers={**answers, "adult": "not_met", "voluntary": "perhaps", "tall": "met"},
            assessed_on=enrolment.referred_on - timedelta(days=1),
        )
    assert set(error.value.message_dict) == {
        "answers",
        "answers.voluntary",
        "outcome",
        "assessed_on",
    }
    with pytest.raises(ValidationError) as error:
        _record(clinician, enrolment, outcome="ineligible")
    assert set(error.value.message_dict) == {"ineligible_reason"}
    with pytest.raises(ValidationError) as error:
        _record(clinician, enrolment, outcome="eligible", ineligible_reason="Because.")
    assert set(error.value.message_dict) == {"ineligible_reason"}
    assert not EligibilityAssessment.objects.exists()


def test_recording_again_replaces_and_an_ineligible_person_attends_nothing(world, clinician):
    today = timezone.localdate()
    enrolment = refer(
        clinician, world.health_case, referred_on=today - timedelta(days=5), consent_on=today
    )
    from tests.factories_interventions import at, attend, book

    session = book(clinician, enrolment, at(today, 0, 1))
    _record(
        clinician,
        enrolment,
        answers={c.code: "not_met" for c in criteria_of(fact())},
        outcome="ineligible",
        ineligible_reason="Serious mental illness drives the behaviour: referred to the CMHT.",
    )
    assert EligibilityAssessment.objects.get().outcome == "ineligible"
    with pytest.raises(ValidationError) as error:
        attend(clinician, session)
    assert "eligible" in error.value.message_dict["attendance"][0]


def test_an_ended_enrolment_keeps_its_eligibility(world, clinician):
    enrolment = refer(clinician, world.health_case)
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        withdrawn_on=timezone.localdate(),
        reason=WithdrawalReason.DECLINED,
    )
    with pytest.raises(ValidationError) as error:
        _record(clinician, enrolment)
    assert set(error.value.message_dict) == {"outcome"}


def test_another_agency_cannot_record_it(world, clinician):
    from django.core.exceptions import PermissionDenied

    from tests.factories_interventions import second_health_agency

    enrolment = refer(clinician, world.health_case)
    _, other = second_health_agency(world.partnership)
    with pytest.raises(PermissionDenied):
        _record(other, enrolment)
