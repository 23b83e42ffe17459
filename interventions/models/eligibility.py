"""Eligibility: a recorded checklist per programme. The programme names its criteria (data,
loaded by migration for the national programmes); each enrolment's assessment answers every
one met / not met / not known and ends eligible, or ineligible with a reason."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .programmes import Programme


class CriterionAnswer(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_KNOWN = "not_known", "Not known"


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"


class EligibilityCriterion(models.Model):
    """One line of a programme's eligibility checklist (a neutral, short label)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="eligibility_criteria"
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="eligibility_criterion_code_unique"
            )
        ]

    def __str__(self):
        return self.label


class EligibilityAssessment(models.Model):
    """The eligibility of one enrolment: the answers {criterion code: answer}, who assessed
    it and when, and the outcome. Recorded again, it replaces the earlier answers (the
    history keeps them)."""

    enrolment = models.OneToOneField(
        "interventions.Enrolment", on_delete=models.CASCADE, related_name="eligibility"
    )
    answers = models.JSONField(default=dict)
    outcome = models.CharField(max_length=12, choices=EligibilityOutcome.choices)
    ineligible_reason = models.CharField(max_length=500, blank=True)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="eligible", ineligible_reason="")
                | (models.Q(outcome="ineligible") & ~models.Q(ineligible_reason="")),
                name="eligibility_ineligible_has_reason",
            )
        ]

    def __str__(self):
        return f"Eligibility of enrolment {self.enrolment_id}"

    @property
    def eligible(self):
        return self.outcome == EligibilityOutcome.ELIGIBLE
