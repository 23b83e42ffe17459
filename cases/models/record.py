"""The rest of the case record: protective orders and breaches, criminal-justice
outcomes, re-offending events."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Partnership
from config.dates import long_date

from .case import Case
from .external import ExternallyIdentified, external_id_unique
from .people import Person
from .reference import ReferenceCode


class OrderKind(models.TextChoices):
    SPO_INTERIM = "spo_interim", "Stalking protection order (interim)"
    SPO_FULL = "spo_full", "Stalking protection order (full)"
    RESTRAINING = "restraining", "Restraining order"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    DVPN = "dvpn", "Domestic violence protection notice"
    DVPO = "dvpo", "Domestic violence protection order"


class OrderDecision(models.TextChoices):
    PENDING = "pending", "Applied, awaiting decision"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Application withdrawn"


class ProtectiveOrder(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    subject = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="orders_against",
        help_text="The person the order is made against: a perpetrator on the case.",
    )
    # The victim the order protects (a victim on the case). Empty only on orders recorded
    # before it was asked.
    protected = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_protecting",
        help_text="The victim the order protects: a victim on the case.",
    )
    kind = models.CharField(max_length=20, choices=OrderKind.choices)
    applied_on = models.DateField()
    decision = models.CharField(
        max_length=10, choices=OrderDecision.choices, default=OrderDecision.PENDING
    )
    decided_on = models.DateField(null=True, blank=True)
    conditions = models.TextField(blank=True, help_text="Prohibitions in the order.")
    positive_requirements = models.TextField(
        blank=True, help_text="For example, attend an intervention."
    )
    expires_on = models.DateField(null=True, blank=True, help_text="Empty: until further order.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_decision_display().lower()})"

    def is_in_force(self, on=None):
        on = on or timezone.localdate()
        return (
            self.decision == OrderDecision.GRANTED
            and (self.decided_on is None or self.decided_on <= on)
            and (self.expires_on is None or self.expires_on >= on)
        )


class OrderBreach(models.Model):
    order = models.ForeignKey(ProtectiveOrder, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField()
    reported_on = models.DateField(null=True, blank=True)
    crime_reference = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"Breach on {long_date(self.occurred_on)}"


class CriminalJusticeOutcome(ExternallyIdentified, models.Model):
    # The case's partnership, held here so an external id is unique per partnership.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(ReferenceCode, on_delete=models.PROTECT, related_name="+")
    outcome_on = models.DateField()
    crime_reference = models.CharField(max_length=40, blank=True)
    charge = models.CharField(max_length=300, blank=True)
    convicted = models.BooleanField(null=True, blank=True, help_text="Empty: not yet known.")
    sentence = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-outcome_on", "-id"]
        constraints = [external_id_unique("criminaljusticeoutcome_external_id_unique")]

    def __str__(self):
        return f"{self.outcome} on {long_date(self.outcome_on)}"


class ReoffendingVictim(models.TextChoices):
    SAME = "same", "Same victim (persistence)"
    NEW = "new", "New victim (recurrence)"


class ReoffendingSource(models.TextChoices):
    POLICE_REPORT = "police_report", "Police report"
    ADVOCATE = "advocate", "Advocate"
    PROBATION = "probation", "Probation"
    HEALTH = "health", "Health"
    OTHER = "other", "Other"


class ReoffendingEvent(ExternallyIdentified, models.Model):
    """A dated re-offence, so 3/6/9/12-month windows can be counted from any anchor."""

    # The case's partnership, held here so an external id is unique per partnership.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reoffending")
    perpetrator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    victim = models.CharField(max_length=10, choices=ReoffendingVictim.choices)
    source = models.CharField(max_length=20, choices=ReoffendingSource.choices)
    crime_reference = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["perpetrator", "occurred_on"])]
        constraints = [external_id_unique("reoffendingevent_external_id_unique")]

    def __str__(self):
        return f"Re-offence on {long_date(self.occurred_on)} ({self.get_victim_display().lower()})"
