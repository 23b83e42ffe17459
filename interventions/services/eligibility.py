"""Writes of eligibility: the programme's checklist answered, with an outcome.

Decisions the issue leaves open, as a provider would want them:
- "eligible" is refused while any criterion is "not met" (the checklist is the EASI
  gate); "not known" is allowed, since a clinician judges e.g. "able to benefit" at the
  first meeting and records that it is not known yet;
- "ineligible" needs a reason, whatever the answers (a person can meet every line and
  still not be suitable);
- the pathway may be agreed here (hand-offs leave it blank); an eligible outcome needs it,
  because the pathway decides whether absences alert the police and probation;
- recording again replaces the answers (the history keeps the earlier ones) until the
  enrolment has ended.
Errors on an answer are keyed ``answers.<criterion code>``."""

from django.db import transaction
from django.utils import timezone

from interventions.models import (
    CriterionAnswer,
    EligibilityAssessment,
    EligibilityOutcome,
    EnrolmentStatus,
    Pathway,
)
from interventions.selectors.eligibility import criteria_of

from .enrolments import EARLIEST, _audit, _fresh, _raise, _require_provider

REASON_MAX = 500


def eligibility_errors(
    enrolment, *, answers, outcome, ineligible_reason="", assessed_on, pathway="", today=None
):
    """Every problem with an eligibility assessment at once, {field: message}."""
    today = today or timezone.localdate()
    errors = {}
    if _fresh(enrolment).status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT):
        return {"outcome": "This enrolment has ended: its eligibility can no longer change."}
    answers = answers if isinstance(answers, dict) else {}
    criteria = criteria_of(enrolment.programme)
    codes = {c.code for c in criteria}
    for code in answers:
        if code not in codes:
            errors["answers"] = f"{enrolment.programme.name} has no criterion “{code}”."
    for criterion in criteria:
        if answers.get(criterion.code) not in CriterionAnswer.values:
            errors[f"answers.{criterion.code}"] = (
                f"Answer “{criterion.label}”: met, not met or not known."
            )
    reason = (ineligible_reason or "").strip()
    if outcome not in EligibilityOutcome.values:
        errors["outcome"] = "Choose whether the person is eligible."
    elif outcome == EligibilityOutcome.ELIGIBLE:
        unmet = [c.label for c in criteria if answers.get(c.code) == CriterionAnswer.NOT_MET]
        if unmet:
            errors["outcome"] = f"Not eligible while a criterion is not met: {unmet[0]}."
        if reason:
            errors["ineligible_reason"] = "Give a reason only when the person is not eligible."
    elif not reason:
        errors["ineligible_reason"] = "Enter why the person is not eligible."
    if len(reason) > REASON_MAX:
        errors["ineligible_reason"] = f"Keep the reason to {REASON_MAX} characters or fewer."
    if pathway and pathway not in Pathway.values:
        errors["pathway"] = "Choose the pathway."
    elif outcome == EligibilityOutcome.ELIGIBLE and not (pathway or enrolment.pathway):
        errors["pathway"] = "Choose the pathway before recording the person eligible."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment."
    elif assessed_on > today:
        errors["assessed_on"] = "The assessment date must be today or in the past."
    elif assessed_on < max(enrolment.referred_on, EARLIEST):
        errors["assessed_on"] = "The assessment cannot be before the referral date."
    return errors


def eligibility_record(
    *,
    actor,
    membership,
    enrolment,
    answers,
    outcome,
    assessed_on,
    ineligible_reason="",
    pathway="",
):
    """Record (or record again) the enrolment's eligibility checklist and outcome; agrees
    the pathway when one is given."""
    _require_provider(membership, enrolment)
    _raise(
        eligibility_errors(
            enrolment,
            answers=answers,
            outcome=outcome,
            ineligible_reason=ineligible_reason,
            assessed_on=assessed_on,
            pathway=pathway,
        )
    )
    with transaction.atomic():
        assessment, created = EligibilityAssessment.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "answers": dict(answers),
                "outcome": outcome,
                "ineligible_reason": (ineligible_reason or "").strip(),
                "assessed_on": assessed_on,
                "assessed_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        if pathway and pathway != enrolment.pathway:
            enrolment.pathway = pathway
            enrolment.save(update_fields=["pathway"])
        _audit(
            actor=actor,
            membership=membership,
            obj=enrolment,
            case=enrolment.case,
            eligibility=outcome,
            pathway=enrolment.pathway,
            first=created,
        )
    return assessment
