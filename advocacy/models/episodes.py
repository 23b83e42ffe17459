"""Support episodes: allocation history, needs and the contact log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership
from cases.models import Case, CaseParty
from cases.models import ContactChannel as Channel
from cases.models.external import ExternallyIdentified, external_id_unique
from config.dates import add_working_days


class ReferralRoute(models.TextChoices):
    POLICE_SCREENING = "police_screening", "Police crime screening"
    CLINIC = "clinic", "Triage clinic"
    MARAC = "marac", "MARAC"
    HELPLINE = "helpline", "National stalking helpline"
    SELF = "self", "Self-referral"
    OTHER = "other", "Other"


class ConsentMethod(models.TextChoices):
    """How a consent was recorded."""

    VERBAL = "verbal", "Verbally (noted by the advocate)"
    WRITTEN = "written", "Signed form"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class ContactFrequency(models.TextChoices):
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    VICTIM_LED = "victim_led", "When the victim asks"


class ClosureReason(models.TextChoices):
    SUPPORT_COMPLETE = "support_complete", "Support complete"
    DECLINED = "declined", "Victim declined support"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    TRANSFERRED = "transferred", "Transferred to another service"
    DECEASED = "deceased", "Deceased"


class NeedArea(models.TextChoices):
    SAFETY = "safety", "Safety"
    HOUSING = "housing", "Housing"
    CIVIL_ORDERS = "civil_orders", "Civil orders"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal-justice process"
    HEALTH = "health", "Health and mental health"
    FINANCE = "finance", "Finance"
    CHILDREN = "children", "Children"
    EMPLOYMENT = "employment", "Employment"
    DIGITAL_SAFETY = "digital_safety", "Digital safety"
    IMMIGRATION = "immigration", "Immigration"


class NeedOutcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Direction(models.TextChoices):
    OUTGOING = "outgoing", "Advocate to victim"
    INCOMING = "incoming", "Victim to advocate"


class EpisodeStatus(models.TextChoices):
    """Derived, never stored: referred until first contact is made, contacted until the
    victim consents to support (and while that consent is withdrawn), engaged while it
    stands, closed from the closure date."""

    REFERRED = "referred", "Referred"
    CONTACTED = "contacted", "Contacted"
    ENGAGED = "engaged", "Engaged"
    CLOSED = "closed", "Closed"

    @classmethod
    def of(cls, episode):
        if episode.closed_on:
            return cls.CLOSED
        if episode.first_contact_made_at is None:
            return cls.REFERRED
        if episode.support_consent_on and not episode.support_consent_withdrawn_on:
            return cls.ENGAGED
        return cls.CONTACTED


class FirstContact(models.TextChoices):
    """Against the first-contact target: due (not yet made, deadline not passed), met,
    missed (made late, or not made by the deadline)."""

    DUE = "due", "Due"
    MET = "met", "Met"
    MISSED = "missed", "Missed"


def first_contact_target(referred_on):
    """The date first contact is due: the configured number of working days (England and
    Wales: weekends and bank holidays excluded) after the referral."""
    return add_working_days(referred_on, settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS)


class SupportEpisode(ExternallyIdentified):
    """One period of support for one victim by one advocacy agency."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="support_episodes")
    victim = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="support_episodes")
    advocacy_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The allocated advocate; earlier ones are in the allocations.",
    )
    referral_route = models.CharField(max_length=20, choices=ReferralRoute.choices)
    referred_on = models.DateField()
    first_contact_due_on = models.DateField(
        editable=False,
        help_text="The first-contact target: working days after the referral (save sets it).",
    )
    first_contact_attempted_at = models.DateTimeField(null=True, blank=True)
    first_contact_made_at = models.DateTimeField(null=True, blank=True)
    support_consent_on = models.DateField(null=True, blank=True)
    support_consent_method = models.CharField(
        max_length=10, choices=ConsentMethod.choices, blank=True
    )
    support_consent_withdrawn_on = models.DateField(null=True, blank=True)
    share_consent_on = models.DateField(null=True, blank=True)
    share_consent_with = models.CharField(max_length=300, blank=True)
    share_consent_purpose = models.CharField(max_length=300, blank=True)
    share_consent_method = models.CharField(
        max_length=10, choices=ConsentMethod.choices, blank=True
    )
    share_consent_withdrawn_on = models.DateField(null=True, blank=True)
    contact_frequency = models.CharField(
        max_length=20, choices=ContactFrequency.choices, blank=True
    )
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    next_contact_due = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The latest contact's next-contact date, kept by advocacy.services "
        "contact_log so the advocate's home finds the contacts due by index.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["advocacy_agency", "closed_on", "-referred_on"]),
            models.Index(fields=["advocate", "closed_on"]),
            # The caseload's order (open first, oldest referral first), walked to a page.
            models.Index(
                fields=["advocacy_agency", "closed_on", "referred_on", "id"],
                name="episode_caseload_order",
            ),
            models.Index(
                fields=["advocate", "closed_on", "referred_on", "id"],
                name="episode_my_caseload_order",
            ),
            # Contacts due today and overdue: open episodes by their next contact.
            models.Index(
                fields=["advocacy_agency", "next_contact_due"],
                condition=models.Q(closed_on__isnull=True, next_contact_due__isnull=False),
                name="episode_open_next_contact",
            ),
            models.Index(
                fields=["advocate", "next_contact_due"],
                condition=models.Q(closed_on__isnull=True, next_contact_due__isnull=False),
                name="episode_my_open_next_contact",
            ),
        ]
        constraints = [
            external_id_unique("supportepisode_external_id_unique"),
            # One open period of support per victim in an agency.
            models.UniqueConstraint(
                fields=["victim", "advocacy_agency"],
                condition=models.Q(closed_on__isnull=True),
                name="one_open_episode_per_victim_and_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True, closure_reason="")
                | (models.Q(closed_on__isnull=False) & ~models.Q(closure_reason="")),
                name="episode_closure_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("referred_on")),
                name="episode_closed_after_referral",
            ),
        ]

    def __str__(self):
        return f"Support episode {self.pk}"

    def save(self, *args, **kwargs):
        # Stored rather than computed in SQL: bank holidays make the target depend on the
        # date, not only on the weekday, and the caseload, reminders and reports filter on it.
        self.first_contact_due_on = first_contact_target(self.referred_on)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "referred_on" in update_fields:
            kwargs["update_fields"] = {*update_fields, "first_contact_due_on"}
        super().save(*args, **kwargs)

    @property
    def status(self):
        return EpisodeStatus.of(self)

    def get_status_display(self):
        return EpisodeStatus(self.status).label

    def first_contact_on(self, today=None):
        """Due, met or missed against the first-contact target."""
        due = self.first_contact_due_on
        if self.first_contact_made_at is not None:
            made = timezone.localtime(self.first_contact_made_at).date()
            return FirstContact.MET if made <= due else FirstContact.MISSED
        today = today or timezone.localdate()
        if self.closed_on or today > due:
            return FirstContact.MISSED
        return FirstContact.DUE

    @property
    def first_contact(self):
        return self.first_contact_on()


class EpisodeAllocation(models.Model):
    """Who held the episode when: a row per allocation, ended when it is reallocated."""

    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, related_name="allocations"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(default=timezone.now)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-allocated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_allocation_per_episode",
            )
        ]

    def __str__(self):
        return f"Allocation {self.pk} of support episode {self.episode_id}"


class SupportNeed(models.Model):
    """A coded need identified with the victim, with its outcome at closure."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=20, choices=NeedArea.choices)
    identified_on = models.DateField(default=timezone.localdate)
    outcome = models.CharField(max_length=20, choices=NeedOutcome.choices, blank=True)

    class Meta:
        ordering = ["need"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "need"], name="need_once_per_episode")
        ]

    def __str__(self):
        return self.get_need_display()


class Contact(models.Model):
    """One contact, or attempt at contact, with the victim."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    made = models.BooleanField(help_text="True when the advocate and victim spoke or wrote.")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    safe_to_talk = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    next_contact_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["episode", "-at", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__lte=600),
                name="contact_duration_at_most_ten_hours",
            )
        ]

    def __str__(self):
        return f"Contact {self.pk}"
