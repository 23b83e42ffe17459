"""Programmes as data: what is delivered, by whom, how many sessions, how completion is judged."""

from django.db import models

from accounts.models import Partnership
from accounts.roles import AgencyKind


class Recipient(models.TextChoices):
    PERPETRATOR = "perpetrator", "Perpetrator"
    VICTIM = "victim", "Victim"


class Delivery(models.TextChoices):
    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect"


class ProgrammeKind(models.TextChoices):
    RISK_ASSESSMENT = "risk_assessment", "Comprehensive risk assessment"
    HEALTH_INTERVENTION = "health_intervention", "Direct health intervention"
    HEALTH_SIGNPOSTING = "health_signposting", "Health signposting"
    CONSULTATION = "consultation", "Third-party consultation"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    TARGET_HARDENING = "target_hardening", "Target hardening"
    RELOCATION = "relocation", "Relocation"
    EMPLOYMENT = "employment", "Employment support"
    LEGAL_REMEDY = "legal_remedy", "Legal remedy"


class CompletionRule(models.TextChoices):
    PLANNED_ATTENDED = "planned_attended", "The planned number of sessions attended"


class Component(models.TextChoices):
    """fACT's four components (neutral labels; a deployment may rename them)."""

    FORMULATION = "formulation", "Formulation and values"
    OPEN = "open", "Open: acceptance and defusion"
    AWARE = "aware", "Aware: present moment and perspective"
    ENGAGED = "engaged", "Engaged: committed action"


class Programme(models.Model):
    """An intervention a provider delivers. National programmes have no partnership (data
    migration); a partnership's local ones have one."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    provider_kind = models.CharField(
        max_length=20, choices=AgencyKind.choices, default=AgencyKind.HEALTH
    )
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    kind = models.CharField(max_length=30, choices=ProgrammeKind.choices)
    sessions_min = models.PositiveSmallIntegerField()
    sessions_max = models.PositiveSmallIntegerField()
    session_minutes = models.PositiveSmallIntegerField(default=60)
    completion_rule = models.CharField(
        max_length=20, choices=CompletionRule.choices, default=CompletionRule.PLANNED_ATTENDED
    )
    # Unacceptable absences that alert the police and probation automatically where the
    # pathway makes attendance a requirement (interventions.services.compliance).
    absence_alert_threshold = models.PositiveSmallIntegerField(default=2)
    active = models.BooleanField(default=True)
    # The psychometric measures taken before and after (risk instruments whose purpose is
    # psychometric; interventions.models.measures).
    measures = models.ManyToManyField(
        "risk.Instrument",
        blank=True,
        related_name="+",
        limit_choices_to={"purpose": "psychometric"},
        help_text="Psychometric measures taken pre and post.",
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="programme_code_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(partnership__isnull=True),
                name="national_programme_code_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_min__gte=1, sessions_max__gte=models.F("sessions_min")),
                name="programme_sessions_range",
            ),
            models.CheckConstraint(
                condition=models.Q(absence_alert_threshold__gte=1),
                name="programme_absence_alert_threshold",
            ),
            models.CheckConstraint(
                condition=models.Q(session_minutes__gte=1, session_minutes__lte=600),
                name="programme_session_minutes_range",
            ),
        ]

    def __str__(self):
        return self.name
