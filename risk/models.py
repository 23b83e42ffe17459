"""Risk instruments as versioned data, and the assessments made with them.

An instrument version's ``definition`` holds everything that differs between tools: item
codes and short neutral labels, domains, answer scales, the scoring method and its bands,
and prompts (a MARAC referral, an SRP). Licensed wording is never shipped: a deployment
loads it into ``item_wording`` from a file. Scoring code reads the definition; nothing
about a particular tool is hard-coded outside the loaded definitions.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership
from cases.models import Case, ExternallyIdentified, external_id_unique


class RiskLevel(models.TextChoices):
    """The common scale every instrument's bands map onto, for agendas, charts and reminders.
    Each band also keeps its own label (DASH "standard", SASH "moderate concern")."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVEL_RANK = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class HistoricLevel(models.TextChoices):
    """A rating recorded before this system, as services wrote it down (the SASH levels in
    use): kept as given in ``Assessment.recorded_level`` so reports can count each one,
    and mapped onto the common level (HISTORIC_TO_LEVEL) for agendas, charts and lists."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    MODERATE_HIGH = "moderate_high", "Moderate/high"
    HIGH = "high", "High"
    NOT_COMPLETED = "not_completed", "Not completed"


# "Moderate/high" counts as high on the common scale: the service judged the risk above
# moderate, and ranking such a case below the high ones (high-risk lists, clinic agendas)
# is the more dangerous mistake. "Not completed" is no rating: no common level, so it never
# replaces an earlier rating as the case's current level.
HISTORIC_TO_LEVEL = {
    HistoricLevel.LOW: RiskLevel.LOW,
    HistoricLevel.MODERATE: RiskLevel.MEDIUM,
    HistoricLevel.MODERATE_HIGH: RiskLevel.HIGH,
    HistoricLevel.HIGH: RiskLevel.HIGH,
    HistoricLevel.NOT_COMPLETED: "",
}


class InstrumentPurpose(models.TextChoices):
    """What an instrument is for. Risk tools have bands onto the common risk level and are
    the only ones the risk pages list and start; psychometric measures (interventions) and
    victim questionnaires (advocacy) are scored per scale by the same engine
    (risk.scoring, method "scales") and recorded by the app that takes them."""

    RISK = "risk", "Risk assessment"
    PSYCHOMETRIC = "psychometric", "Psychometric measure"
    QUESTIONNAIRE = "questionnaire", "Victim questionnaire"


class Instrument(models.Model):
    """A tool: national ones have no partnership; a partnership's local tools have one."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="instruments"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=15, choices=InstrumentPurpose.choices, default=InstrumentPurpose.RISK
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="instrument_code_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(partnership__isnull=True),
                name="national_instrument_code_unique",
            ),
        ]

    def __str__(self):
        return self.name


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    definition = models.JSONField()
    # Licensed item wording loaded by a deployment: {item_code: text}. Empty when shipped.
    item_wording = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="instrument_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.instrument.name} v{self.version}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    COMPLETE = "complete", "Complete"


class Assessment(ExternallyIdentified):
    # The case's partnership, copied when the row is made: the scope of the external id.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_assessments")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    # Who is assessed, where the tool is about one person (a victim's DASH, a stalker's SRP).
    subject = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Started before a clinic and finished during it: the meeting it was finished in.
    meeting = models.ForeignKey(
        "triage.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_on = models.DateField(default=timezone.localdate)
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    # The computed result as the instrument defines it (score, band, domain ratings, prompts).
    result = models.JSONField(default=dict, blank=True)
    computed_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    override_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    override_reason = models.TextField(blank=True)
    # override_level if set, else computed_level: what agendas, charts and reminders read.
    level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    # A rating brought in from before this system: a level as recorded, no item answers,
    # no result and no review date (it never causes a reminder).
    historic = models.BooleanField(default=False)
    recorded_level = models.CharField(max_length=15, choices=HistoricLevel.choices, blank=True)
    note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["case", "status", "-assessed_on"]),
            models.Index(fields=["status", "review_due_on"]),
            # high_risk_case_ids starts from the complete high assessments.
            models.Index(
                fields=["case"],
                condition=models.Q(status="complete", level="high"),
                name="risk_assessment_high_by_case",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(override_level="") | ~models.Q(override_reason=""),
                name="override_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(historic=False, recorded_level="")
                | (models.Q(historic=True) & ~models.Q(recorded_level="")),
                name="historic_has_recorded_level",
            ),
            external_id_unique("risk_assessment_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.instrument_version} for {self.case}"

    @property
    def band_label(self):
        """The instrument's own name for the result: the band, or the level as recorded."""
        if self.historic:
            return self.get_recorded_level_display()
        return (self.result or {}).get("band_label", "")

    def save(self, *args, **kwargs):
        if self.partnership_id is None and self.case_id is not None:
            self.partnership_id = self.case.partnership_id
        super().save(*args, **kwargs)


class InstrumentAnswers(models.Model):
    """A measure or questionnaire answered in one go and scored by the engine (method
    "scales"): the base of interventions.Measure and advocacy.QuestionnaireResponse, which
    add what they are about (an enrolment, an episode) and when (pre/post, start/end)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="+"
    )
    taken_on = models.DateField()
    answers = models.JSONField(default=dict)
    # The engine's result: a score per scale (risk.scoring, method "scales").
    result = models.JSONField(default=dict)
    # The primary (first) scale's score, for means in SQL (dashboards, reports).
    score = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
