"""Reference data: controlled code lists with effective dates and versions.

National lists (Home Office offence and outcome codes, ONS ethnicity, …) have no
partnership and arrive by migration. A partnership admin adds local codes and retires
or relabels them; relabelling makes a new version and ends the old one, so records keep
pointing at the exact wording they were recorded with.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Partnership


class CodeList(models.TextChoices):
    OFFENCE = "offence", "Offence code"
    OUTCOME = "outcome", "Home Office outcome code"
    RELATIONSHIP = "relationship", "Relationship"
    TYPOLOGY = "typology", "Stalker typology"
    ETHNICITY = "ethnicity", "Ethnicity"
    REFERRAL_SOURCE = "referral_source", "Referral source"
    CLOSURE_REASON = "closure_reason", "Closure reason"


class ReferenceCodeQuerySet(models.QuerySet):
    def for_partnership(self, partnership_id):
        return self.filter(Q(partnership__isnull=True) | Q(partnership_id=partnership_id))

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=on)
        )

    def in_use_during(self, start, end):
        """Codes in use on at least one day from ``start`` to ``end`` (both included)."""
        return self.filter(effective_from__lte=end).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=start)
        )

    def of(self, code_list):
        return self.filter(code_list=code_list)


class ReferenceCode(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reference_codes",
        help_text="Empty for national lists shared by every partnership.",
    )
    code_list = models.CharField(max_length=30, choices=CodeList.choices)
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="First day not in use.")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    sort_order = models.PositiveIntegerField(default=100)
    # A code that means "not known" (asked, but could not be found out).
    means_not_known = models.BooleanField(default=False)

    objects = ReferenceCodeQuerySet.as_manager()

    class Meta:
        ordering = ["code_list", "sort_order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code_list", "code", "version"],
                name="reference_code_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="reference_code_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["code_list", "code"])]

    def __str__(self):
        return f"{self.code} – {self.label}" if self.code_list in SHOWS_CODE else self.label

    def is_current(self, on=None):
        on = on or timezone.localdate()
        return self.effective_from <= on and (self.effective_to is None or self.effective_to > on)


# No event the product records (a referral received, a crime recorded, an outcome) is
# older than this: a date before it is a typing slip (1900, 0026), not history.
EARLIEST_EVENT_DATE = date(2000, 1, 1)


def too_early(day):
    """Field error text if ``day`` is before EARLIEST_EVENT_DATE; None when it is not."""
    if day is not None and day < EARLIEST_EVENT_DATE:
        return f"The date must be on or after {EARLIEST_EVENT_DATE:%-d %B %Y}."
    return None


# Lists whose code people quote (008/65, outcome 16); the others show only the label.
SHOWS_CODE = {CodeList.OFFENCE, CodeList.OUTCOME}


def code_choices(code_list, partnership_id, on=None):
    """Codes of one list for a partnership in use on ``on`` (default today), for forms and
    serializers. A code describes an event, so check it against the event's date (the
    referral received, the outcome, the crime recorded), not today: see ``in_use_on``."""
    return ReferenceCode.objects.of(code_list).for_partnership(partnership_id).current(on)


def in_use_on(code, partnership_id, on):
    """Field error text if ``code`` was not usable by the partnership on the day ``on``
    of the event it describes; None when it was."""
    if code.partnership_id not in (None, partnership_id):
        return "Choose one of the listed codes."
    if not code.is_current(on):
        return f"{code.label} was not in use on {on:%-d %B %Y}."
    return None


def in_use_during(code, partnership_id, start, end):
    """Field error text if ``code`` was not usable by the partnership on any day from
    ``start`` to ``end`` (a case's life, for a code describing the whole case: its
    relationship, its typologies); None when it was."""
    if code.partnership_id not in (None, partnership_id):
        return "Choose one of the listed codes."
    if code.effective_from > end or (code.effective_to is not None and code.effective_to <= start):
        return (
            f"{code.label} was not in use while the case was open "
            f"({start:%-d %B %Y} to {end:%-d %B %Y})."
        )
    return None


def code_versions(code_list, partnership_id):
    """Upper-case code → its versions as (effective_from, effective_to, pk), the
    partnership's own before the national ones, newest first: for bulk checks by date."""
    versions = {}
    rows = (
        ReferenceCode.objects.of(code_list)
        .for_partnership(partnership_id)
        .values_list("code", "effective_from", "effective_to", "pk", "partnership_id", "version")
    )
    # Sorted here: ORDER BY puts NULL last on PostgreSQL and first on SQLite.
    rows = sorted(rows, key=lambda row: (row[4] is None, -row[5]))
    for code, start, end, pk, _, _ in rows:
        versions.setdefault(code.upper(), []).append((start, end, pk))
    return versions


def version_on(versions, on):
    """The pk of the version in use on ``on`` among ``code_versions`` entries, or None."""
    for start, end, pk in versions:
        if start <= on and (end is None or end > on):
            return pk
    return None
