"""Safety plans (versioned, with items and order links) and target-hardening measures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import ProtectiveOrder

from .episodes import SupportEpisode


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
