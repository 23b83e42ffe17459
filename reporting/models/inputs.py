"""What a partnership admin records for reports that is not a case record: local areas,
training delivered, and staff FTE per agency and period."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Agency, Partnership


class LocalArea(models.Model):
    """A part of the partnership reported on its own (a borough, a local policing area).

    A case is in the area when its lead agency is one of the area's agencies, or one of its
    crime-screen entries was recorded in one of the area's police areas
    (``CrimeScreenEntry.location_area``). reporting.selectors.scope holds that rule."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="local_areas")
    # The police areas (as the crime screen names them in location_area) inside this area.
    police_areas = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="local_area_name_unique")
        ]

    def __str__(self):
        return self.name


class TrainingAudience(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    ADVOCACY = "advocacy", "Victim advocacy"
    PROBATION = "probation", "Probation"
    CPS = "cps", "Crown Prosecution Service"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    EDUCATION = "education", "Education"
    VOLUNTARY = "voluntary", "Voluntary sector"
    PUBLIC = "public", "Members of the public"
    OTHER = "other", "Other"


class TrainingEvent(models.Model):
    """One training session delivered: the Home Office return counts the people trained."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    delivered_on = models.DateField()
    topic = models.CharField(max_length=200)
    audience = models.CharField(max_length=20, choices=TrainingAudience.choices)
    attendee_count = models.PositiveIntegerField()
    delivered_by = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Set when the training was for one local area; otherwise it counts where the
    # delivering agency belongs.
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["partnership", "delivered_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendee_count__gte=1), name="training_has_attendees"
            )
        ]

    def __str__(self):
        return f"{self.topic} ({self.delivered_on})"


class StaffFte(models.Model):
    """Staff full-time equivalents an agency gave the partnership for a period: the
    denominator of caseload per FTE."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    fte = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "-period_start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(fte__gt=0), name="staff_fte_positive"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="staff_fte_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.agency} {self.fte} FTE from {self.period_start}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The last day must be on or after the first."})
