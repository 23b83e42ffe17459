"""The victim's voice: questionnaires at the start and at the end of support (issue 11 item
6), answered through the risk engine (risk.Instrument, purpose questionnaire).

The advocacy compartment: answers and results are read by the advocacy agency holding the
episode only (advocacy.selectors); nobody else sees that a questionnaire exists.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from advocacy.models.episodes import SupportEpisode


class QuestionnaireTiming(models.TextChoices):
    START = "start", "Start of support"
    END = "end", "End of support"


class QuestionnaireResponse(models.Model):
    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, related_name="questionnaires"
    )
    instrument = models.ForeignKey("risk.Instrument", on_delete=models.PROTECT, related_name="+")
    instrument_version = models.ForeignKey(
        "risk.InstrumentVersion", on_delete=models.PROTECT, related_name="+"
    )
    timing = models.CharField(max_length=5, choices=QuestionnaireTiming.choices)
    taken_on = models.DateField()
    answers = models.JSONField(default=dict)
    # The engine's result: a score per scale (risk.scoring, method "scales").
    result = models.JSONField(default=dict)
    # The primary (first) scale's score, for reports.
    score = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["episode", "instrument", "taken_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "instrument", "timing"],
                name="questionnaire_once_per_timing",
            )
        ]

    def __str__(self):
        return f"Questionnaire {self.pk}"
