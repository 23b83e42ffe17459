"""Reads of eligibility checklists."""

from interventions.models import EligibilityAssessment, EligibilityCriterion


def criteria_of(programme):
    """The programme's checklist, in order."""
    return list(EligibilityCriterion.objects.filter(programme=programme).order_by("position", "pk"))


def eligibility_of(enrolment):
    """The enrolment's assessment (the caller found the enrolment through the compartment's
    selectors), or None."""
    return (
        EligibilityAssessment.objects.filter(enrolment=enrolment)
        .select_related("assessed_by")
        .first()
    )


def is_eligible(enrolment):
    return EligibilityAssessment.objects.filter(enrolment=enrolment, outcome="eligible").exists()
