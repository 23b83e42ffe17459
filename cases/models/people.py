from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Partnership

from .external import ExternallyIdentified, external_id_unique

NOT_KNOWN = "not_known"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = NOT_KNOWN, "Not known"


class Person(ExternallyIdentified, models.Model):
    """One human, once per partnership, whatever their part in any case.

    Blank demographic fields mean "not recorded yet"; "not_known" means someone
    asked and it could not be found out. The two are reported differently.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="people")
    given_names = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_not_known = models.BooleanField(default=False)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnicity = models.ForeignKey(
        "cases.ReferenceCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": "ethnicity"},
    )
    # Contact details: for a victim these are readable only by the victim's advocate and
    # the officer in charge (accounts.access.can_read_victim_contact).
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    workplace = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A merged duplicate points at the record it was merged into and drops out of lists.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["partnership", "family_name", "given_names"]),
            # Person matching: the same date of birth with a similar given name.
            models.Index(fields=["partnership", "date_of_birth"], name="person_match_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(date_of_birth__isnull=False, date_of_birth_not_known=True),
                name="person_dob_known_or_not_known",
            ),
            external_id_unique("person_external_id_unique"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_names} {self.family_name}".strip()

    def clean(self):
        if self.date_of_birth and self.date_of_birth_not_known:
            raise ValidationError(
                {"date_of_birth": "Give a date of birth or say it is not known, not both."}
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be in the past."})


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "person aliases"

    def __str__(self):
        return self.name


class IdentifierKind(models.TextChoices):
    PNC = "pnc", "PNC number"
    FORCE_NOMINAL = "force_nominal", "Force nominal ID"
    NHS = "nhs", "NHS number"
    OTHER = "other", "Other"


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(max_length=60)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "value"], name="identifier_unique_in_partnership"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"
