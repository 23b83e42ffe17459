"""Compliance flags: after a session the practitioner tells the police officer in charge and
the probation officers on the case that the person did not attend, did not engage, or showed
a heightened-risk indicator; or the service raises one when unacceptable absences reach the
programme's threshold on a pathway that makes attendance a requirement."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FlagKind(models.TextChoices):
    NON_ATTENDANCE = "non_attendance", "Non-attendance"
    POOR_ENGAGEMENT = "poor_engagement", "Poor engagement"
    HEIGHTENED_RISK = "heightened_risk", "Heightened-risk indicator"


class RiskIndicator(models.TextChoices):
    THREATS = "threats", "Threats"
    ESCALATION = "escalation", "Escalation"
    SUICIDAL_THOUGHTS = "suicidal_thoughts", "Suicidal thoughts"
    VICTIM_CONTACT = "victim_contact", "Contact with the victim"


class ComplianceFlag(models.Model):
    """What was shared, with whom it went is in the audit trail (one disclosure per agency)
    and the notifications. Carries no notes: recipients see the kind, the indicators and
    the session's date and attendance."""

    enrolment = models.ForeignKey(
        "interventions.Enrolment", on_delete=models.CASCADE, related_name="compliance_flags"
    )
    session = models.ForeignKey(
        "interventions.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_flags",
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    indicators = models.JSONField(default=list, blank=True)
    automatic = models.BooleanField(default=False)
    # The agencies it was disclosed to (the OIC's, probation): they, and the provider, see
    # it on the case's Interventions section.
    recipient_agency_ids = models.JSONField(default=list, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # The automatic alert is sent once per enrolment.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(automatic=True),
                name="compliance_flag_automatic_once",
            )
        ]

    def __str__(self):
        return f"Compliance flag {self.pk}"

    def indicator_labels(self):
        return [RiskIndicator(c).label for c in self.indicators if c in RiskIndicator.values]
