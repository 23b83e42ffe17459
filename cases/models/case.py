import calendar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership

from .external import ExternallyIdentified, external_id_unique
from .people import Person


class Classification(models.TextChoices):
    STALKING = "stalking", "Stalking"
    NOT_STALKING = "not_stalking", "Not stalking"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class OffenceLevel(models.TextChoices):
    S2A = "s2a", "Section 2A (course of conduct amounting to stalking)"
    S4A = "s4a", "Section 4A (fear of violence or serious alarm or distress)"
    NOT_KNOWN = "not_known", "Not known"


class Tier(models.TextChoices):
    TIER_1 = "1", "Tier 1: checks and advice to the officer"
    TIER_2 = "2", "Tier 2: work with a profession on risk and planning"
    TIER_3 = "3", "Tier 3: significant perpetrator work and consultation"
    TIER_4 = "4", "Tier 4: intensive assessment and formulation-led care"
    # A decision (blank is "not recorded yet"): the case was looked at and given no tier.
    NONE = "none", "No tier: not accepted for tiered work"
    NOT_KNOWN = "not_known", "Not known"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


MONITORING_MONTHS = 6
CASE_STATUS_LABELS = {
    "open": "Open",
    "monitoring": "Closed: monitoring",
    "closed": "Closed",
}


class Case(ExternallyIdentified, models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=30)
    summary = models.TextField()
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    officer_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_in_charge",
    )
    opened_on = models.DateField(default=timezone.localdate)
    relationship = models.ForeignKey(
        "cases.ReferenceCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": "relationship"},
    )
    typologies = models.ManyToManyField(
        "cases.ReferenceCode",
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": "typology"},
    )
    classification = models.CharField(max_length=20, choices=Classification.choices, blank=True)
    classification_reason = models.TextField(blank=True)
    offence_level = models.CharField(max_length=10, choices=OffenceLevel.choices, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    monitoring_started_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day monitoring began; the six months of monitoring run from it "
        "(from the date closed when it is not recorded).",
    )
    closure_reason = models.ForeignKey(
        "cases.ReferenceCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": "closure_reason"},
    )
    closure_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="case_reference_unique"
            ),
            external_id_unique("case_external_id_unique"),
        ]
        indexes = [
            models.Index(fields=["partnership", "-opened_on", "-id"]),
            # Reports count cases closed in a period.
            models.Index(
                fields=["partnership", "closed_on"],
                condition=models.Q(closed_on__isnull=False),
                name="case_closed_on",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    @property
    def status(self):
        """Derived from dated events: open, monitoring (six months after closure), closed."""
        return self.status_on(timezone.localdate())

    def status_on(self, on):
        """The status on a given day: open until closed_on; then monitored up to and
        including monitoring_until (6 months from the monitoring start, clamped to the
        month's end); closed after that."""
        if not self.closed_on or on < self.closed_on:
            return "open"
        return "monitoring" if on <= self.monitoring_until else "closed"

    def get_status_display(self):
        return CASE_STATUS_LABELS[self.status]

    def open_span(self):
        """(first, last) day the case was open: opened_on to closed_on, or to today.
        Codes describing the whole case (relationship, typologies) were in use then."""
        return self.opened_on, self.closed_on or timezone.localdate()

    @property
    def monitoring_from(self):
        """The day the closed case's six months of monitoring count from: the recorded
        monitoring start (a historic case's own date), else the date it closed."""
        if not self.closed_on:
            return None
        return self.monitoring_started_on or self.closed_on

    @property
    def monitoring_until(self):
        if not self.closed_on:
            return None
        return add_months(self.monitoring_from, MONITORING_MONTHS)


def add_months(day, months):
    """The same day of the month ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian grant of a case to an agency's group (direct foreign key: fast joins)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class PartyRole(models.TextChoices):
    PERPETRATOR = "perpetrator", "Perpetrator"
    VICTIM = "victim", "Victim"
    SECONDARY_VICTIM = "secondary_victim", "Secondary victim"
    OTHER = "other", "Other"


VICTIM_ROLES = frozenset({PartyRole.VICTIM, PartyRole.SECONDARY_VICTIM})


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The victim's advocate; with the officer in charge, reads contact details.",
    )
    # Victims' Code enhanced rights (told within 1 working day, not 5): stalking victims
    # are persistently targeted, so it is the default; police may record otherwise.
    enhanced_rights = models.BooleanField(
        default=True, help_text="Entitled to enhanced rights under the Victims' Code."
    )
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "person__family_name"]
        verbose_name_plural = "case parties"
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="party_once_per_role")
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    @property
    def is_victim(self):
        return self.role in VICTIM_ROLES


class CaseAgency(models.Model):
    """The case is shared with this agency. Mirrors a guardian grant to the agency group."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_links")
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        verbose_name_plural = "case agencies"
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="case_shared_once_per_agency")
        ]

    def __str__(self):
        return f"{self.case} shared with {self.agency}"
