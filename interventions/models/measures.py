"""Psychometric measures taken on an enrolment, before and after: the clinical compartment.

The instrument (AAQ-II, CFQ, PsyFlex …) is risk engine data (risk.Instrument, purpose
psychometric); a programme names the measures it takes pre and post (Programme.measures).
Answers and scores are read by the provider agency only (interventions.selectors), like
session notes: a score is a clinical finding, and the sharing contract's "progress" is
attendance and completion, not test results (decided for the clinicians: a perpetrator's
self-report scores shown to police could be read as a risk rating, which they are not).
"""

from django.db import models

from interventions.models.enrolments import Enrolment
from risk.models import InstrumentAnswers


class MeasureTiming(models.TextChoices):
    PRE = "pre", "Pre: before the intervention"
    POST = "post", "Post: at the end"


class Measure(InstrumentAnswers):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="measures")
    timing = models.CharField(max_length=4, choices=MeasureTiming.choices)

    class Meta:
        ordering = ["enrolment", "instrument", "timing"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "instrument", "timing"], name="measure_once_per_timing"
            )
        ]

    def __str__(self):
        return f"Measure {self.pk}"
