"""Clinics: who meets how often, each meeting's agenda and attendance, the Case Analysis
Summary written for each case discussed, and the actions that come out of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership
from cases.models import Case, Classification, Priority, Tier
from config.dates import long_date
from config.jobs import JobRow


class MeetingKind(models.TextChoices):
    TRIAGE_CLINIC = "triage_clinic", "Triage clinic"
    MORNING_MEETING = "morning_meeting", "Daily morning meeting"
    OVERSIGHT = "oversight", "Monthly oversight meeting"


class Cadence(models.TextChoices):
    WEEKDAYS = "weekdays", "Every weekday"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly (same weekday of the month)"


class Clinic(models.Model):
    """A standing meeting a partnership runs, with its cadence and attending agencies.

    Members see the agendas of clinics their agency attends, limited to the cases shared
    with their agency; partnership-wide roles see all of them.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="clinics")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    first_meeting_on = models.DateField(help_text="Anchors the cadence.")
    starts_at = models.TimeField(help_text="Local time (Europe/London).")
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=200, blank=True)
    agencies = models.ManyToManyField(Agency, related_name="clinics")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="clinic_name_unique")
        ]

    def __str__(self):
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="meetings")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    starts_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The chair may reopen a closed meeting within 7 days, with a reason; its minutes are
    # then made again as the next version (earlier files stay, marked superseded).
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)
    minutes_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            # The beat job may run twice: one meeting per clinic per day.
            models.UniqueConstraint(fields=["clinic", "held_on"], name="meeting_once_a_day")
        ]
        indexes = [models.Index(fields=["partnership", "held_on"])]

    def __str__(self):
        return f"{self.clinic.name}, {long_date(self.held_on)}"


class AgendaReason(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    REVIEW_DUE = "review_due", "Review date reached"
    HIGH_RISK = "high_risk", "High risk"
    OVERDUE_ACTIONS = "overdue_actions", "Overdue actions"
    ADDED = "added", "Added by a member"
    CARRIED_OVER = "carried_over", "Not discussed at the last meeting"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    # Every rule that put the case here, as AgendaReason values.
    reasons = models.JSONField(default=list)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Removed items stay, so a rebuilt agenda does not bring back what the chair took off.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once")]

    def __str__(self):
        return f"{self.case} at {self.meeting}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For a guest without an account (a CPS lawyer dialling in, say).
    name = models.CharField(max_length=200, blank=True)
    # A member's agency, or a guest's when it is one of the partnership's; a guest from any
    # other organisation has ``organisation`` instead, and the minutes name it so.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="attendance_user_once",
            )
        ]

    def __str__(self):
        return f"{self.name or self.user} ({self.get_status_display()})"

    @property
    def organisation_name(self):
        """Where the person comes from: the agency, or a guest's own organisation."""
        return self.agency.name if self.agency_id else self.organisation


class Decision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    MONITOR = "monitor", "Monitor"
    NOT_STALKING = "not_stalking", "Not stalking"
    REFER_INTERVENTION = "refer_intervention", "Refer to intervention"
    REFER_MARAC_MAPPA = "refer_marac_mappa", "Refer to MARAC or MAPPA"
    CLOSE = "close", "Close"


class RiskJudgement(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    NOT_KNOWN = "not_known", "Not known"


class DiscussionDepth(models.TextChoices):
    FULL = "full", "In full"
    BRIEF = "brief", "In brief"


class CaseDiscussion(models.Model):
    """One version of a case's Case Analysis Summary: a new row per discussion, so earlier
    versions stay readable."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="discussions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="discussions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="discussions"
    )
    version = models.PositiveIntegerField()
    depth = models.CharField(
        max_length=10, choices=DiscussionDepth.choices, default=DiscussionDepth.FULL
    )
    summary = models.TextField(help_text="What is known.")
    classification = models.CharField(max_length=20, blank=True)
    typologies = models.ManyToManyField(
        "cases.ReferenceCode",
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": "typology"},
    )
    risk_judgement = models.CharField(max_length=20, choices=RiskJudgement.choices)
    risk_rationale = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    decision = models.CharField(max_length=30, choices=Decision.choices)
    decision_note = models.TextField(blank=True)
    # Refer the case's victims to the partnership's victim advocacy service: a choice of
    # its own beside the decision (a case is accepted, monitored or referred to MARAC and
    # its victim referred to an ISAC at the same time), so no existing decision changes.
    # It puts a referral in the advocacy agency's queue (advocacy.services).
    refer_to_advocacy = models.BooleanField(default=False)
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="discussion_version_unique")
        ]
        indexes = [models.Index(fields=["next_review_on"])]

    def __str__(self):
        return f"{self.case} CAS v{self.version}"

    @property
    def classification_label(self):
        """The classification as people read it ("Stalking"), not its code; a value no
        longer on the list is shown as recorded."""
        value = self.classification
        return dict(Classification.choices).get(value, value)


class MinutesFile(models.Model):
    """A meeting's minutes as one audience may read them. An audience is the set of the
    meeting's cases a reader can see plus whether victim contact details are withheld, so
    readers with the same view share one PDF."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_files")
    audience_key = models.CharField(max_length=64)
    case_ids = models.JSONField(default=list)
    contact_withheld = models.BooleanField(default=True)
    # Who the file was made for, as printed on it: the agencies whose readers get it, or
    # the partnership-wide view (triage.selectors.minutes.Readers).
    prepared_for = models.CharField(max_length=500, blank=True)
    agency_ids = models.JSONField(default=list)
    partnership_wide = models.BooleanField(default=False)
    pdf = models.FileField(upload_to="minutes/%Y/%m/")
    page_count = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(default=timezone.now)
    # The meeting's minutes_version when made; set when the chair reopens the meeting (the
    # file stays downloadable, shown as superseded).
    version = models.PositiveIntegerField(default=1)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "audience_key", "version"], name="minutes_once_per_version"
            )
        ]

    def __str__(self):
        return f"Minutes of {self.meeting} v{self.version} ({self.audience_key[:8]})"

    @property
    def superseded(self):
        return self.superseded_at is not None


class MinutesJob(JobRow):
    """The minutes job of one closed meeting (a job row, config.jobs): queued when the
    meeting closes, shown on the meeting and minutes pages, and queued again by the chair's
    "Try again" when it failed. Its key is the meeting's, so the task takes the meeting id.
    """

    job_task = "triage.tasks.generate_minutes"

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, primary_key=True, related_name="minutes_job"
    )

    def __str__(self):
        return f"Minutes job of {self.meeting_id} ({self.get_status_display()})"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(models.Model):
    """A dated task from a clinic (or added to a case between clinics). Overdue is derived:
    open and past its due date."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    discussion = models.ForeignKey(
        CaseDiscussion, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_owned",
    )
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default="open")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["partnership", "status", "due_on"]),
            models.Index(fields=["owner_agency", "status", "due_on"]),
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self):
        return self.description[:60]

    def is_overdue_on(self, day):
        return self.status == ActionStatus.OPEN and self.due_on < day

    @property
    def is_overdue(self):
        return self.is_overdue_on(timezone.localdate())
