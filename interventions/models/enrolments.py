"""Enrolments: a person referred to a programme, with consent, pathway, allocation and
withdrawal."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership
from cases.models import Case, CaseParty
from cases.models.external import ExternallyIdentified, external_id_unique

from .programmes import Programme
from .sessions import ATTENDED, SessionStatus


class Pathway(models.TextChoices):
    SPO_REQUIREMENT = "spo_requirement", "Stalking protection order positive requirement"
    CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution contract"
    REHABILITATIVE_ORDER = "rehabilitative_order", "Rehabilitative order on a guilty plea"
    LICENCE_CONDITION = "licence_condition", "Licence condition"
    VOLUNTARY = "voluntary", "Voluntary"


class WithdrawalReason(models.TextChoices):
    """Coded, grouped by who ended it (the label's first words)."""

    DECLINED = "declined", "Participant: declined to continue"
    DISENGAGED = "disengaged", "Participant: stopped attending"
    MOVED = "moved", "Participant: moved out of the area"
    UNWELL = "unwell", "Participant: too unwell to continue"
    CUSTODY = "custody", "Criminal justice: remanded or sentenced to custody"
    BREACH = "breach", "Criminal justice: returned to court for breach"
    UNSUITABLE = "unsuitable", "Provider: no longer suitable"
    DECEASED = "deceased", "Deceased"


class WithdrawalGroup(models.TextChoices):
    """How a withdrawal counts for the evaluation: a drop-out is the person ending it by
    their own choice or non-compliance (declined, stopped attending, returned to court for
    breach); moving away, illness, custody, unsuitability or death end it for another
    reason and are not counted as drop-outs. Derived from the coded reason, never typed."""

    DROP_OUT = "drop_out", "Dropped out"
    OTHER = "other", "Ended for another reason"

    @classmethod
    def of(cls, reason):
        if not reason:
            return ""
        return cls.DROP_OUT if reason in DROP_OUT_REASONS else cls.OTHER


DROP_OUT_REASONS = frozenset(
    {WithdrawalReason.DECLINED, WithdrawalReason.DISENGAGED, WithdrawalReason.BREACH}
)


class EnrolmentStatus(models.TextChoices):
    """Derived, never stored: dropped out from the withdrawal; completed when the attended
    sessions reach the planned number; active once consent is signed; awaiting consent once
    a practitioner is allocated; referred before that."""

    REFERRED = "referred", "Referred"
    AWAITING_CONSENT = "awaiting_consent", "Awaiting consent"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DROPPED_OUT = "dropped_out", "Dropped out"

    @classmethod
    def of(cls, *, withdrawn_on, attended, planned, consent_signed_on, practitioner_id):
        if withdrawn_on is not None:
            return cls.DROPPED_OUT
        if attended >= planned:
            return cls.COMPLETED
        if consent_signed_on is not None:
            return cls.ACTIVE
        if practitioner_id is None:
            return cls.REFERRED
        return cls.AWAITING_CONSENT


class ReferralRoute(models.TextChoices):
    """Where a referral came from: made on the case by the provider, or handed off without
    re-keying by a clinic decision or a crime-screening action (interventions.services)."""

    CASE = "case", "From the case"
    CLINIC = "clinic", "Clinic decision"
    SCREENING = "screening", "Crime screening action"


class Enrolment(ExternallyIdentified, models.Model):
    """One person on one case receiving one programme from one provider agency."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enrolments")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="enrolments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    provider_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_on = models.DateField()
    route = models.CharField(
        max_length=10, choices=ReferralRoute.choices, default=ReferralRoute.CASE
    )
    # The source of a hand-off (a CAS version, a screened crime): each refers a person once.
    discussion = models.ForeignKey(
        "triage.CaseDiscussion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    screening_entry = models.ForeignKey(
        "cases.CrimeScreenEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Blank on a hand-off until the provider agrees it: a clinic decision or a screening
    # action does not know the pathway, and nothing is guessed.
    pathway = models.CharField(max_length=30, choices=Pathway.choices, blank=True)
    planned_sessions = models.PositiveSmallIntegerField()
    consent_signed_on = models.DateField(
        null=True, blank=True, help_text="Consent and the information-sharing contract."
    )
    shares_progress = models.BooleanField(default=False)
    shares_compliance = models.BooleanField(default=False)
    shares_risk_indicators = models.BooleanField(default=False)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.CharField(
        max_length=20, choices=WithdrawalReason.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["provider_agency", "withdrawn_on", "-referred_on"]),
            models.Index(fields=["practitioner", "withdrawn_on"]),
        ]
        constraints = [
            external_id_unique("enrolment_external_id_unique"),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True, withdrawal_reason="")
                | (models.Q(withdrawn_on__isnull=False) & ~models.Q(withdrawal_reason="")),
                name="enrolment_withdrawal_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_signed_on__isnull=True)
                | models.Q(consent_signed_on__gte=models.F("referred_on")),
                name="enrolment_consent_after_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("referred_on")),
                name="enrolment_withdrawn_after_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_sessions__gte=1), name="enrolment_planned_sessions"
            ),
        ]

    def __str__(self):
        return f"Enrolment {self.pk}"

    # --- Derived from the dated sessions (prefetch ``sessions`` for lists) -------------

    def _attended_starts(self):
        return sorted(
            s.scheduled_at
            for s in self.sessions.all()
            if s.status == SessionStatus.RECORDED and s.attendance in ATTENDED
        )

    @property
    def attended_count(self):
        return len(self._attended_starts())

    @property
    def started_on(self):
        """The date of the first session attended."""
        starts = self._attended_starts()
        return timezone.localtime(starts[0]).date() if starts else None

    @property
    def last_attended_on(self):
        starts = self._attended_starts()
        return timezone.localtime(starts[-1]).date() if starts else None

    @property
    def status(self):
        return EnrolmentStatus.of(
            withdrawn_on=self.withdrawn_on,
            attended=self.attended_count,
            planned=self.planned_sessions,
            consent_signed_on=self.consent_signed_on,
            practitioner_id=self.practitioner_id,
        )

    def get_status_display(self):
        return EnrolmentStatus(self.status).label

    @property
    def status_label(self):
        """The label of the SQL-derived status where a list annotated it, else derived."""
        return EnrolmentStatus(getattr(self, "derived_status", None) or self.status).label

    @property
    def ended_on(self):
        """The date of the last session attended, once the enrolment has completed or
        dropped out (None while it runs)."""
        if self.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT):
            return self.last_attended_on
        return None

    @property
    def withdrawal_group(self):
        """WithdrawalGroup of the withdrawal reason, or "" while not withdrawn."""
        return WithdrawalGroup.of(self.withdrawal_reason)

    @property
    def minutes_attended(self):
        return sum(
            s.minutes or 0
            for s in self.sessions.all()
            if s.status == SessionStatus.RECORDED and s.attendance in ATTENDED
        )
