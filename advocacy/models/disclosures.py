"""Risk updates: what the advocate chooses to tell partner agencies, and to whom.

A risk update is the one way advocacy content leaves the compartment (DESIGN.md §4): the
advocate writes it, chooses the agencies on the case that receive it and the lawful basis,
and submits. Members of a recipient agency that the case is shared with read it on the
case; nobody else outside the holding advocacy agency does."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership
from cases.models import Case, ReoffendingEvent
from risk.models import RiskLevel

from .episodes import SupportEpisode


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent: the risk has gone up and police must act now"


class LawfulBasis(models.TextChoices):
    """Why the advocacy agency may share without breaching confidence (UK GDPR art. 6 and
    DPA 2018 sch. 1). The values consent, vital_interests and safeguarding match
    cases.SharingBasis; public task and legal obligation are left out because a charity
    holding the casework rests on neither, and crime prevention is added (DPA 2018 sch. 1
    para. 10)."""

    CONSENT = "consent", "Consent of the victim"
    VITAL_INTERESTS = "vital_interests", "Vital interests (risk to life or of serious harm)"
    SAFEGUARDING = "safeguarding", "Substantial public interest: safeguarding"
    CRIME_PREVENTION = "crime_prevention", "Substantial public interest: preventing crime"


# The bases that rest on the victim's consent: refused once consent to share is withdrawn
# (or was never given).
CONSENT_BASES = frozenset({LawfulBasis.CONSENT})


class RiskUpdate(models.Model):
    """A risk update disclosed to chosen agencies on the case. Never edited: a later
    update supersedes it in the reader's mind, and the audit trail keeps what was sent."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_updates")
    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.PROTECT, related_name="risk_updates"
    )
    what_changed = models.TextField()
    new_incidents = models.TextField(blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    recipients = models.ManyToManyField(Agency, through="RiskUpdateRecipient", related_name="+")
    reoffending_event = models.OneToOneField(
        ReoffendingEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_update",
        help_text="The re-offending event recorded from this update's new incident.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["episode", "-submitted_at", "-id"]),
            models.Index(fields=["case", "-submitted_at", "-id"]),
        ]

    def __str__(self):
        return f"Risk update {self.pk}"


class RiskUpdateRecipient(models.Model):
    """One agency an update was disclosed to."""

    risk_update = models.ForeignKey(
        RiskUpdate, on_delete=models.CASCADE, related_name="recipient_links"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["risk_update", "agency"], name="risk_update_recipient_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "risk_update"])]

    def __str__(self):
        return f"Risk update {self.risk_update_id} to agency {self.agency_id}"
