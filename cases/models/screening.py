"""The police daily crime screen: imported crimes, what was done with each, imports."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership
from config.jobs import JobRow, JobStatus

from .case import Case
from .external import EXTERNAL_SOURCE_MAX, ExternallyIdentified, external_id_unique
from .people import Gender, Person
from .reference import ReferenceCode

# An import is a job row (config.jobs): the same statuses as every background job.
ImportStatus = JobStatus


class ImportRun(JobRow):
    """One upload of the police crime-screen export, with its counts and row errors.

    A job row (config.jobs.JobRow): status, message, attempts, queued/started/finished
    times and heartbeat. A refused file is FAILED and not ``retryable`` (the person
    corrects the file); a failure of the service is FAILED and ``retryable`` ("Try
    again" queues the kept file again).
    """

    job_task = "cases.tasks.import_crime_screen"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, default="upload")  # upload | api
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    # The system the rows came from: the external source of a row's ``external_id`` when
    # the row has no ``external_source`` column of its own.
    external_source = models.CharField(max_length=EXTERNAL_SOURCE_MAX, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # [{"row": 12, "field": "recorded_on", "message": "…"}]; row 1 is the header.
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class CrimeScreenEntry(ExternallyIdentified, models.Model):
    """One crime from the police daily search (stalking, harassment, order breaches).

    Police-only until it is linked to a case. Re-importing the same crime reference
    updates this row; ``row_hash`` tells an unchanged row from an updated one.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    crime_reference = models.CharField(max_length=40)
    recorded_on = models.DateField()
    # The working classification: the police system's code, or the code a supervisor
    # accepted on reclassification. ``source_offence`` is what the police system last
    # sent (set by every import); a re-import never overwrites an accepted
    # reclassification, and pages show both codes when they differ. Null: the same as
    # ``offence`` (entries made before the field existed, never reclassified).
    offence = models.ForeignKey(ReferenceCode, on_delete=models.PROTECT, related_name="+")
    source_offence = models.ForeignKey(
        ReferenceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offence_description = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    domestic_abuse = models.BooleanField(default=False)
    officer_in_charge = models.CharField(max_length=200, blank=True)
    suspect_name = models.CharField(max_length=200, blank=True)
    suspect_date_of_birth = models.DateField(null=True, blank=True)
    suspect_gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    victim_name = models.CharField(max_length=200, blank=True)
    victim_date_of_birth = models.DateField(null=True, blank=True)
    victim_gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    location_area = models.CharField(max_length=100, blank=True)
    stalking_started_on = models.DateField(null=True, blank=True)
    stalking_ended_on = models.DateField(null=True, blank=True)
    suspect_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    victim_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="linked_crimes"
    )
    # Several reports of one course of conduct: each duplicate points at the first, and
    # only the first is counted.
    same_course_as = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    # The Home Office outcome (disposal) once the police system finalises the crime, and
    # its date: both empty until then, both set after.
    disposal = models.ForeignKey(
        ReferenceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disposal_on = models.DateField(null=True, blank=True)
    row_hash = models.CharField(max_length=64)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set by the screening service when the first action is recorded (a dated event).
    screened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name_plural = "crime screen entries"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "crime_reference"], name="crime_reference_unique"
            ),
            external_id_unique("crime_screen_external_id_unique"),
            models.CheckConstraint(
                condition=models.Q(disposal__isnull=True, disposal_on__isnull=True)
                | models.Q(disposal__isnull=False, disposal_on__isnull=False),
                name="crime_screen_disposal_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "screened_at", "-recorded_on", "-id"]),
            models.Index(fields=["partnership", "-recorded_on", "-id"]),
            models.Index(fields=["partnership", "offence"]),
            # A local area's cases by where their crimes were recorded (reporting Scope).
            models.Index(
                fields=["partnership", "location_area", "case"],
                condition=models.Q(case__isnull=False),
                name="crime_screen_area_cases",
            ),
            # The worklist order: unscreened first, then newest recorded (selectors/screening).
            models.Index(
                models.F("partnership"),
                models.ExpressionWrapper(
                    models.Q(screened_at__isnull=False), output_field=models.BooleanField()
                ),
                models.F("recorded_on").desc(),
                models.F("id").desc(),
                name="crime_screen_worklist",
            ),
        ]

    def __str__(self):
        return self.crime_reference

    @property
    def police_system_offence(self):
        """The offence code the police system last sent."""
        return self.source_offence if self.source_offence_id else self.offence

    @property
    def reclassified(self):
        """True when the working code differs from the police system's code."""
        return bool(self.source_offence_id) and self.source_offence_id != self.offence_id


class ScreeningActionKind(models.TextChoices):
    RECORDED_ONLY = "recorded_only", "Recorded on the daily log only"
    RECLASSIFICATION = "reclassification", "Misclassified: reclassification requested"
    REFER_TO_TRIAGE = "refer_to_triage", "Refer to triage clinic"
    SPO_INTERIM = "spo_interim", "SPO candidate (interim)"
    SPO_FULL = "spo_full", "SPO candidate (full)"
    ADVOCACY_REFERRAL = "advocacy_referral", "Victim advocacy (ISAC) referral"
    EASI_CANDIDATE = "easi_candidate", "EASI / intervention candidate"
    CUSTODY_HIT = "custody_hit", "Custody-suite hit"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ReclassificationOutcome(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class ScreeningAction(models.Model):
    entry = models.ForeignKey(CrimeScreenEntry, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=30, choices=ScreeningActionKind.choices)
    acted_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # For no further action: why.
    reason = models.TextField(blank=True)
    # For reclassification: the offence it should be, and the decision when it comes.
    requested_offence = models.ForeignKey(
        ReferenceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the request is accepted: the code the entry had until then.
    previous_offence = models.ForeignKey(
        ReferenceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reclassification_outcome = models.CharField(
        max_length=10, choices=ReclassificationOutcome.choices, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "cases.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-acted_at", "-id"]
        indexes = [models.Index(fields=["kind", "acted_at"])]

    def __str__(self):
        return f"{self.entry}: {self.get_kind_display()}"
