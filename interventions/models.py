"""Interventions: programmes (data), enrolments of a person on a case, and dated sessions.

Session notes are the provider's clinical record (DESIGN.md §4): they are read through
interventions.selectors only, whose one rule (accounts.access.interventions_agency_id) lets
in the members of the health agency delivering the enrolment. Every other reader of the
case learns status-level facts only (interventions.selectors.interventions_on_case).

Nothing about progress is typed: start, end, completion and drop-out follow from the dated
session rows and the withdrawal (``Enrolment.status`` and friends), and lists compute the
same thing in SQL (interventions.selectors.with_progress).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership
from accounts.roles import AgencyKind
from cases.models import Case, CaseParty


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


class Modality(models.TextChoices):
    VIDEO = "video", "Video"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    RECORDED = "recorded", "Attendance recorded"


class CancellationReason(models.TextChoices):
    PARTICIPANT_REQUEST = "participant_request", "Participant asked to cancel"
    PRACTITIONER_UNAVAILABLE = "practitioner_unavailable", "Practitioner unavailable"
    COURT_OR_CUSTODY = "court_or_custody", "Court appearance or custody"
    WITHDRAWN = "withdrawn", "Participant withdrew from the programme"
    OTHER = "other", "Other"


class Attendance(models.TextChoices):
    ATTENDED_ENGAGED = "attended_engaged", "Attended and engaged"
    ATTENDED_NOT_ENGAGED = "attended_not_engaged", "Attended, did not engage"
    LATE = "late", "Late"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Unacceptable absence"
    PROVIDER_CANCELLED = "provider_cancelled", "Cancelled by the provider"


# The codes that count as a session attended (start, end, completion, hours).
ATTENDED = (Attendance.ATTENDED_ENGAGED, Attendance.ATTENDED_NOT_ENGAGED, Attendance.LATE)


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
    active = models.BooleanField(default=True)

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
                condition=models.Q(session_minutes__gte=1, session_minutes__lte=600),
                name="programme_session_minutes_range",
            ),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
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
    def minutes_attended(self):
        return sum(
            s.minutes or 0
            for s in self.sessions.all()
            if s.status == SessionStatus.RECORDED and s.attendance in ATTENDED
        )


class Session(models.Model):
    """One appointment. Rescheduling marks it rescheduled and points to the new one, so only
    the new one can be attended: nothing is counted twice."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField()
    modality = models.CharField(max_length=10, choices=Modality.choices)
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    cancellation_reason = models.CharField(
        max_length=30, choices=CancellationReason.choices, blank=True
    )
    attendance = models.CharField(max_length=30, choices=Attendance.choices, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    components = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True, help_text="Clinical: the provider agency only.")
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["enrolment", "status", "scheduled_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="recorded") & ~models.Q(attendance="")
                    | ~models.Q(status="recorded") & models.Q(attendance="")
                ),
                name="session_attendance_only_when_recorded",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="cancelled") & ~models.Q(cancellation_reason="")
                    | ~models.Q(status="cancelled") & models.Q(cancellation_reason="")
                ),
                name="session_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="rescheduled", superseded_by__isnull=False)
                    | ~models.Q(status="rescheduled") & models.Q(superseded_by__isnull=True)
                ),
                name="session_rescheduled_has_successor",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__isnull=True) | models.Q(minutes__lte=600),
                name="session_minutes_at_most_ten_hours",
            ),
        ]

    def __str__(self):
        return f"Session {self.pk}"

    @property
    def attended(self):
        return self.status == SessionStatus.RECORDED and self.attendance in ATTENDED

    def component_labels(self):
        return [Component(code).label for code in self.components if code in Component.values]
