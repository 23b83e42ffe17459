"""The victim's voice: questionnaires at the start and at the end of support (issue 11 item
6), answered through the risk engine (risk.Instrument, purpose questionnaire).

The advocacy compartment: answers and results are read by the advocacy agency holding the
episode only (advocacy.selectors); nobody else sees that a questionnaire exists.
"""

from django.db import models

from advocacy.models.episodes import SupportEpisode
from risk.models import InstrumentAnswers


class QuestionnaireTiming(models.TextChoices):
    START = "start", "Start of support"
    END = "end", "End of support"


class QuestionnaireResponse(InstrumentAnswers):
    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, related_name="questionnaires"
    )
    timing = models.CharField(max_length=5, choices=QuestionnaireTiming.choices)

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
