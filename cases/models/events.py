"""Criminal-justice events on a case and the Victims' Code duty they trigger.

A ``CaseEvent`` is a dated, coded step in the criminal-justice process that the rest of the
case record cannot hold (arrest, interview under caution, charge, bail, release, out-of-court
disposal). Orders granted, varied or breached and the case's closure are already records of
their own (cases.models.record, Case.closed_on): their services raise the same duty, so
nothing is keyed twice.

A ``VictimNotification`` is the "tell the victim" task: one per victim party per trigger
(``source_key`` names the trigger, unique per victim, so raising it twice adds nothing).
It lives in cases, not advocacy, because the duty is the case's (the Victims' Code right 6
duty falls on the police) and it must work for a victim with no advocate: the task names
its responsible person and agency (the victim's advocate and the advocacy agency holding an
open support episode, else the officer in charge and their police agency), and only that
agency's case workers see it (cases.selectors.events). It holds no advocacy casework.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership

from .case import Case, CaseParty
from .people import Person

# Victims' Code (2021) right 6: told within 1 working day when entitled to enhanced rights
# (victims of the most serious crime, persistently targeted, vulnerable or intimidated:
# most stalking victims, so enhanced is the default on CaseParty), else 5 working days.
ENHANCED_RIGHTS_WORKING_DAYS = 1
STANDARD_RIGHTS_WORKING_DAYS = 5


class CaseEventKind(models.TextChoices):
    ARRESTED = "arrested", "Arrested"
    INTERVIEWED = "interviewed", "Interviewed under caution"
    CHARGED = "charged", "Charged"
    BAILED = "bailed", "Released on bail"
    BAIL_CHANGED = "bail_changed", "Bail conditions changed or cancelled"
    RELEASED_NFA = "released_nfa", "Released with no further action"
    RELEASED_FROM_CUSTODY = "released_from_custody", "Released from custody"
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal", "Given an out-of-court disposal"


class CaseEvent(models.Model):
    """A dated criminal-justice event about a perpetrator on the case. The note is case
    core (every linked agency reads it): it must not carry victim contact details."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    perpetrator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=CaseEventKind.choices)
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at"])]

    def __str__(self):
        return self.get_kind_display()


class NotificationTrigger(models.TextChoices):
    """What the victim must be told about: every case event kind, and the order and
    closure events held by other records."""

    ARRESTED = CaseEventKind.ARRESTED.value, "Perpetrator arrested"
    INTERVIEWED = CaseEventKind.INTERVIEWED.value, "Perpetrator interviewed under caution"
    CHARGED = CaseEventKind.CHARGED.value, "Perpetrator charged"
    BAILED = CaseEventKind.BAILED.value, "Perpetrator released on bail"
    BAIL_CHANGED = CaseEventKind.BAIL_CHANGED.value, "Bail conditions changed or cancelled"
    RELEASED_NFA = CaseEventKind.RELEASED_NFA.value, "Released with no further action"
    RELEASED_FROM_CUSTODY = CaseEventKind.RELEASED_FROM_CUSTODY.value, "Released from custody"
    OUT_OF_COURT_DISPOSAL = (
        CaseEventKind.OUT_OF_COURT_DISPOSAL.value,
        "Perpetrator given an out-of-court disposal",
    )
    ORDER_GRANTED = "order_granted", "Order granted"
    ORDER_VARIED = "order_varied", "Order varied"
    ORDER_BREACHED = "order_breached", "Order breached"
    CASE_CLOSED = "case_closed", "Case closed"


class NotificationOutcome(models.TextChoices):
    """Pending until the victim is told. "Could not inform" is a dated attempt that keeps
    the task open (the duty stands until the victim knows); a victim who has asked not to
    be told about such events closes it as declined (the Victims' Code lets them opt out)."""

    PENDING = "", "Pending"
    INFORMED = "informed", "Victim informed"
    DECLINED = "declined", "Victim asked not to be told"


class ContactChannel(models.TextChoices):
    """How someone was contacted: telling the victim here, the advocacy contact log too."""

    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"


class VictimNotification(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="victim_notifications")
    victim = models.ForeignKey(
        CaseParty, on_delete=models.CASCADE, related_name="victim_notifications"
    )
    trigger = models.CharField(max_length=30, choices=NotificationTrigger.choices)
    # Names the triggering record, e.g. "event:12", "order:5:granted", "case:3:closed:<date>".
    source_key = models.CharField(max_length=80)
    occurred_on = models.DateField()
    due_on = models.DateField()
    enhanced_rights = models.BooleanField()
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The victim's advocate, else the officer in charge.",
    )
    responsible_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=10, choices=NotificationOutcome.choices, blank=True, default=""
    )
    informed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=ContactChannel.choices, blank=True)
    told_by = models.CharField(
        max_length=200, blank=True, help_text="Empty: the person who recorded it."
    )
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The latest "could not inform" (earlier attempts are in the history).
    attempted_at = models.DateTimeField(null=True, blank=True)
    attempt_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "source_key"], name="victim_notification_once_per_trigger"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", informed_at__isnull=True)
                | (~models.Q(outcome="") & models.Q(informed_at__isnull=False)),
                name="victim_notification_resolved_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["responsible_agency", "due_on"],
                condition=models.Q(outcome=""),
                name="victim_notification_pending",
            ),
            models.Index(fields=["case", "due_on"]),
        ]

    def __str__(self):
        return f"Tell the victim: {self.get_trigger_display().lower()}"

    @property
    def is_pending(self):
        return self.outcome == NotificationOutcome.PENDING

    def is_overdue(self, today=None):
        return self.is_pending and self.due_on < (today or timezone.localdate())
