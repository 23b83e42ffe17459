"""The end-of-intervention report: outcomes achieved / partly / not achieved per component
covered, a shareable summary for the agencies the sharing contract names, and clinical
notes that stay with the provider."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class OutcomeRating(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class EndReport(models.Model):
    """Drafted by the provider, then sent (sent_at): once sent it no longer changes.
    ``outcomes`` is {objective code: rating}; "overall" plus each component covered."""

    enrolment = models.OneToOneField(
        "interventions.Enrolment", on_delete=models.CASCADE, related_name="end_report"
    )
    outcomes = models.JSONField(default=dict)
    summary = models.TextField(help_text="Shareable: sent to the agencies the contract names.")
    clinical_notes = models.TextField(blank=True, help_text="Clinical: the provider agency only.")
    drafted_at = models.DateTimeField(default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # The agencies it was sent to: they, and the provider, see it on the case.
    sent_to_agency_ids = models.JSONField(default=list, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"End report of enrolment {self.enrolment_id}"

    @property
    def sent(self):
        return self.sent_at is not None
