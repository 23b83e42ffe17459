"""Victim advocacy: the referral queue, support episodes, their allocation history, needs
and the contact log.

Everything here is the advocacy agency's confidential casework (DESIGN.md §4): it is read
through advocacy.selectors only, whose one rule (accounts.access.advocacy_agency_id) lets
in the members of the agency that holds the episode and nobody else.

Status is never stored: it follows from the dated fields (``EpisodeStatus.of``), and the
caseload filters by the same rule as an annotation (advocacy.selectors.status_expression).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership
from cases.models import Case, CaseParty, ProtectiveOrder


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


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"


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


def add_working_days(day, days):
    """The date ``days`` working days (Monday to Friday) after ``day``. Bank holidays are
    not counted out: the project holds no calendar of them yet."""
    result = day
    while days > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


class FirstContact(models.TextChoices):
    """Against the first-contact target: due (not yet made, deadline not passed), met,
    missed (made late, or not made by the deadline)."""

    DUE = "due", "Due"
    MET = "met", "Met"
    MISSED = "missed", "Missed"


class SupportEpisode(models.Model):
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
        ]
        constraints = [
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

    @property
    def status(self):
        return EpisodeStatus.of(self)

    def get_status_display(self):
        return EpisodeStatus(self.status).label

    @property
    def first_contact_due_on(self):
        return add_working_days(self.referred_on, settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS)

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


# Safety plans and target hardening (issue 11 item 3) ---------------------------------


class PlanItemOwner(models.TextChoices):
    VICTIM = "victim", "Victim"
    ADVOCATE = "advocate", "Advocate"
    POLICE = "police", "Police"


class SafetyPlan(models.Model):
    """One version of an episode's safety plan. Plans are never edited: each save is a new
    version (numbered from 1 per episode) with its own items and order links, and the one
    before it is marked superseded (``superseded_at``) in the same transaction. The current
    version is the one not superseded; a partial unique constraint keeps it to one per
    episode, and advocacy.services.safety_plan_save makes it the latest."""

    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, related_name="safety_plans"
    )
    version = models.PositiveIntegerField()
    review_on = models.DateField(help_text="When the plan is next reviewed with the victim.")
    notes = models.TextField(blank=True)
    orders = models.ManyToManyField(
        ProtectiveOrder,
        through="SafetyPlanOrder",
        blank=True,
        related_name="+",
        help_text="Protective orders on the episode's case that the plan relies on.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "version"], name="safety_plan_version_once_per_episode"
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_safety_plan_per_episode",
            ),
        ]

    def __str__(self):
        return f"Safety plan {self.pk} (version {self.version})"

    @property
    def is_current(self):
        return self.superseded_at is None


class SafetyPlanOrder(models.Model):
    """A plan's link to a protective order. The order must be on the plan's episode's case:
    services refuse it at the ``orders`` field, and ``save`` (and the m2m guard in
    advocacy.apps) refuse it again for any other writer."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="order_links")
    order = models.ForeignKey(ProtectiveOrder, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="safety_plan_order_once")
        ]

    def __str__(self):
        return f"Plan {self.plan_id} – order {self.order_id}"

    def save(self, *args, **kwargs):
        check_orders_on_plan_case(self.plan, [self.order_id])
        super().save(*args, **kwargs)


def check_orders_on_plan_case(plan, order_ids):
    """Refuse (ValidationError at ``orders``) orders that are not on the plan's case."""
    wanted = {int(pk) for pk in order_ids}
    if not wanted:
        return
    case_id = SupportEpisode.objects.filter(pk=plan.episode_id).values_list("case_id", flat=True)
    on_case = set(
        ProtectiveOrder.objects.filter(pk__in=wanted, case_id__in=case_id).values_list(
            "pk", flat=True
        )
    )
    if wanted - on_case:
        raise ValidationError({"orders": ["Choose protective orders on this case."]})


class SafetyPlanItem(models.Model):
    """One step of a plan version, owned by the victim, the advocate or the police."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    owner = models.CharField(max_length=10, choices=PlanItemOwner.choices)
    due_on = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="safety_plan_item_position_once"
            )
        ]

    def __str__(self):
        return f"Item {self.position} of safety plan {self.plan_id}"


class MeasureKind(models.TextChoices):
    PERSONAL_ALARM = "personal_alarm", "Personal alarm"
    LOCK_CHANGE = "lock_change", "Lock change"
    DOORBELL_CAMERA = "doorbell_camera", "Doorbell camera"
    CCTV = "cctv", "CCTV"
    TECSOS_PHONE = "tecsos_phone", "TecSOS-style emergency phone"
    WINDOW_ALARMS = "window_alarms", "Window alarms"
    DIGITAL_DEVICE_CHECK = "digital_device_check", "Digital device check"


class MeasureState(models.TextChoices):
    """Derived from the dates, never stored: declined from the date the victim declined,
    provided from the date it was fitted or handed over, requested before either."""

    REQUESTED = "requested", "Requested"
    PROVIDED = "provided", "Provided"
    DECLINED = "declined", "Declined"

    @classmethod
    def of(cls, measure):
        if measure.declined_on:
            return cls.DECLINED
        if measure.provided_on:
            return cls.PROVIDED
        return cls.REQUESTED


class TargetHardening(models.Model):
    """A target-hardening measure for the victim (one row per measure asked for; a second
    lock change is a second row).

    History is kept by dated fields, not state rows: the measure moves requested →
    provided or requested → declined once, so the three dates are its whole life and the
    state follows from them (``MeasureState.of``), like the episode's status. A correction
    (a wrong date, another provider) is an update whose earlier values django-simple-history
    keeps with who changed them and when."""

    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, related_name="target_hardening"
    )
    kind = models.CharField(max_length=30, choices=MeasureKind.choices)
    requested_on = models.DateField()
    provided_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    provider = models.CharField(
        max_length=200, blank=True, help_text="Who supplies or fits it: a charity, police, a firm."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provided_on__isnull=True) | models.Q(declined_on__isnull=True),
                name="measure_not_both_provided_and_declined",
            ),
            models.CheckConstraint(
                condition=models.Q(provided_on__isnull=True)
                | models.Q(provided_on__gte=models.F("requested_on")),
                name="measure_provided_after_requested",
            ),
            models.CheckConstraint(
                condition=models.Q(declined_on__isnull=True)
                | models.Q(declined_on__gte=models.F("requested_on")),
                name="measure_declined_after_requested",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.state_label.lower()})"

    @property
    def state(self):
        return MeasureState.of(self)

    @property
    def state_label(self):
        return MeasureState(self.state).label


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
