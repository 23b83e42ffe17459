from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership
from config.dates import long_date

from .case import Case
from .external import ExternallyIdentified, external_id_unique


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    SCREENED = "screened", "Screened"
    ACCEPTED = "accepted", "Accepted"
    NOT_STALKING = "not_stalking", "Not stalking"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"


DECISIONS = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.NOT_STALKING,
    ReferralStatus.NOT_APPLICABLE,
    ReferralStatus.DECLINED,
)
# What the decision field may hold: a decision, or the referrer's withdrawal (which, like a
# decision, ends the referral: decided_at, decided_by and decision_reason record it).
OUTCOMES = (*DECISIONS, ReferralStatus.WITHDRAWN)


class SharingBasis(models.TextChoices):
    CONSENT = "consent", "Consent of the person"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    PUBLIC_TASK = "public_task", "Public task / law enforcement purpose"
    VITAL_INTERESTS = "vital_interests", "Vital interests (risk to life)"
    SAFEGUARDING = "safeguarding", "Safeguarding without consent"


class Referral(ExternallyIdentified, models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    source = models.ForeignKey(
        "cases.ReferenceCode",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": "referral_source"},
    )
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_made"
    )
    received_on = models.DateField()
    reason = models.TextField()
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    perpetrator = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    victim = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    crime_screen_entry = models.ForeignKey(
        "cases.CrimeScreenEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    # Lifecycle as dated events: screened, then one decision with its reason.
    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    screening_note = models.TextField(blank=True)
    decision = models.CharField(
        max_length=20, choices=[(d.value, d.label) for d in OUTCOMES], blank=True
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [external_id_unique("referral_external_id_unique")]
        # Reports count referrals received in a period (reporting.selectors.returns).
        indexes = [models.Index(fields=["partnership", "received_on"])]

    def __str__(self):
        return f"Referral {self.pk} received {long_date(self.received_on)}"

    @property
    def status(self):
        if self.decision:
            return self.decision
        return ReferralStatus.SCREENED if self.screened_at else ReferralStatus.RECEIVED

    def get_status_display(self):
        return ReferralStatus(self.status).label
