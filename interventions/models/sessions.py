"""Sessions: scheduled, rescheduled (superseded), cancelled and attended."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models.external import ExternallyIdentified, external_id_unique

from .programmes import Component


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


class Session(ExternallyIdentified, models.Model):
    """One appointment. Rescheduling marks it rescheduled and points to the new one, so only
    the new one can be attended: nothing is counted twice."""

    enrolment = models.ForeignKey(
        "interventions.Enrolment", on_delete=models.CASCADE, related_name="sessions"
    )
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
    # Set on sessions brought in from an earlier system: the scope of their external id.
    partnership = models.ForeignKey(
        "accounts.Partnership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["enrolment", "status", "scheduled_at"]),
            # The attended sessions each enrolment's start, end, count and minutes are
            # derived from (interventions.selectors): read from the index alone.
            models.Index(
                fields=["enrolment", "scheduled_at"],
                include=["minutes"],
                condition=models.Q(status="recorded", attendance__in=ATTENDED),
                name="session_attended_by_enrolment",
            ),
        ]
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
            external_id_unique("session_external_id_unique"),
        ]

    def __str__(self):
        return f"Session {self.pk}"

    @property
    def attended(self):
        return self.status == SessionStatus.RECORDED and self.attendance in ATTENDED

    def component_labels(self):
        return [Component(code).label for code in self.components if code in Component.values]
