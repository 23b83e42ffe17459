"""Notifications shown in the header badge and sent by email, and the ledger that makes the
daily reminder job send each reminder once per due event."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Partnership


class NotificationKind(models.TextChoices):
    ACTION_DUE = "action_due", "Action due tomorrow"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    ACTION_ESCALATED = "action_escalated", "Overdue action escalated"
    RISK_REVIEW_DUE = "risk_review_due", "Risk review due"
    CASE_REVIEW_DUE = "case_review_due", "Case due for clinic review"
    MEETING_TOMORROW = "meeting_tomorrow", "Meeting tomorrow"
    FIRST_CONTACT_OVERDUE = "first_contact_overdue", "Advocacy first contact overdue"
    NEXT_CONTACT_OVERDUE = "next_contact_overdue", "Advocacy next contact overdue"
    SAFETY_PLAN_REVIEW_DUE = "safety_plan_review_due", "Safety plan review due"
    # Sent at once by a service (notify_now), not by the daily job.
    RISK_UPDATE = "risk_update", "Urgent risk update"
    COMPLIANCE_ALERT = "compliance_alert", "Intervention compliance alert"
    # The victim must be told something: a task for the advocate (or the OIC).
    VICTIM_NOTIFICATION_DUE = "victim_notification_due", "Victim must be told"
    VICTIM_NOTIFICATION_OVERDUE = "victim_notification_overdue", "Victim notification overdue"
    # Interventions reminders (the daily job).
    SESSION_TOMORROW = "session_tomorrow", "Intervention session tomorrow"
    ATTENDANCE_NOT_RECORDED = "attendance_not_recorded", "Attendance not recorded"
    POST_MEASURE_DUE = "post_measure_due", "Post-intervention measure due"
    END_REPORT_DUE = "end_report_due", "End-of-intervention report due"
    # Reports (sent at once by the report job and the extract approval).
    REPORT_READY = "report_ready", "Report ready"
    EXTRACT_APPROVAL = "extract_approval", "Research extract waiting for approval"


class Notification(models.Model):
    # No single-column indexes on these: every read starts from the recipient (covered by
    # the unique constraint and the badge index), and each index slows the daily job's insert.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # Names the due event: one notification per (recipient, event), whatever the day it runs.
    event_key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path inside the product; never personal data (it goes into email too).
    link = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The daily job's email step reads only what has not been emailed yet.
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_to_email",
            ),
        ]

    def __str__(self):
        return self.title


class ReminderSent(models.Model):
    """The ledger of due events already reminded about: one row per (kind, object, date).

    The daily job leaves out every source row that has a ledger row (one anti-join per
    kind), so a second run the same day, or the next day, reads the due rows once and
    writes nothing. The date is part of the event: an action moved to a new due date is a
    new event. Notifications keep their own unique (recipient, event_key) as the last guard.
    """

    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    object_id = models.BigIntegerField()
    due_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_on"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.due_on}"
