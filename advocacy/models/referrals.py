"""The advocacy referral queue: victims referred by the crime screen or the clinic."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership
from cases.models import Case, CaseParty

from .episodes import ReferralRoute, SupportEpisode

# Routes by which a victim reaches an advocacy agency directly (self-referral support on an
# advocacy-only case); referrals from the crime screen and the clinic come through the queue.
DIRECT_ROUTES = (
    ReferralRoute.SELF,
    ReferralRoute.HELPLINE,
    ReferralRoute.MARAC,
    ReferralRoute.OTHER,
)


class DeclineReason(models.TextChoices):
    """Why an advocacy agency declines a referral in its queue."""

    NOT_ELIGIBLE = "not_eligible", "Not eligible for the service"
    OUT_OF_AREA = "out_of_area", "The victim lives outside the service's area"
    SUPPORTED_ELSEWHERE = "supported_elsewhere", "Already supported by another service"
    ALREADY_SUPPORTED = "already_supported", "Already supported by this service"
    NO_CAPACITY = "no_capacity", "No capacity: referred on to another service"
    OTHER = "other", "Other reason (explained)"


class ReferralStatus(models.TextChoices):
    """Derived, never stored: waiting until the agency accepts (an episode starts) or
    declines (with a reason)."""

    WAITING = "waiting", "Referral waiting"
    ACCEPTED = "accepted", "Referral accepted"
    DECLINED = "declined", "Referral declined"

    @classmethod
    def of(cls, referral):
        if referral.accepted_at is not None:
            return cls.ACCEPTED
        if referral.declined_at is not None:
            return cls.DECLINED
        return cls.WAITING


class AdvocacyReferral(models.Model):
    """A victim referred into an advocacy agency's queue by the police crime screen or the
    triage clinic (issue 11 item 1, "no re-keying"), with the victim party already linked.

    Not a support episode: the agency has not taken the victim on yet, so nothing of the
    caseload, its statuses or the first-contact target counts it. Accepting it starts the
    episode (``episode``; route and referral date carried over, so the first-contact target
    runs from the day the victim was referred); declining it records a coded reason and
    starts nothing. The referring side sees the status only (advocacy.selectors.support_on_case).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="advocacy_referrals")
    victim = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="advocacy_referrals"
    )
    advocacy_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=ReferralRoute.choices)
    referred_on = models.DateField()
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Where it came from: the crime whose "Victim advocacy (ISAC) referral" action made it,
    # or the Case Analysis Summary whose decision referred the victim. A source makes at
    # most one referral per victim and agency, so recording it again adds nothing.
    screening_entry = models.ForeignKey(
        "cases.CrimeScreenEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discussion = models.ForeignKey(
        "triage.CaseDiscussion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    episode = models.OneToOneField(
        SupportEpisode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["referred_on", "id"]
        indexes = [models.Index(fields=["advocacy_agency", "accepted_at", "declined_at"])]
        constraints = [
            # One waiting referral per victim in an agency's queue.
            models.UniqueConstraint(
                fields=["victim", "advocacy_agency"],
                condition=models.Q(accepted_at__isnull=True, declined_at__isnull=True),
                name="one_waiting_referral_per_victim_and_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(declined_at__isnull=True),
                name="referral_accepted_or_declined_not_both",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True, episode__isnull=True)
                | models.Q(accepted_at__isnull=False, episode__isnull=False),
                name="referral_accepted_has_episode",
            ),
            models.CheckConstraint(
                condition=models.Q(declined_at__isnull=True, decline_reason="")
                | (models.Q(declined_at__isnull=False) & ~models.Q(decline_reason="")),
                name="referral_declined_has_reason",
            ),
        ]

    def __str__(self):
        return f"Advocacy referral {self.pk}"

    @property
    def status(self):
        return ReferralStatus.of(self)

    def get_status_display(self):
        return ReferralStatus(self.status).label
