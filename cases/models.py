from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Partnership

NOT_KNOWN = "not_known"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = NOT_KNOWN, "Not known"


class Ethnicity(models.TextChoices):
    # ONS 2021 high-level groups; the detailed, versioned code list arrives with reference data.
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = NOT_KNOWN, "Not known"


class Person(models.Model):
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
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    # Contact details: for a victim these are readable only by the victim's advocate and
    # the officer in charge (accounts.access.can_read_victim_contact).
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    workplace = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["partnership", "family_name", "given_names"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(date_of_birth__isnull=False, date_of_birth_not_known=True),
                name="person_dob_known_or_not_known",
            )
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


class Case(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=30)
    summary = models.TextField()
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    officer_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_in_charge",
    )
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="case_reference_unique"
            )
        ]
        indexes = [models.Index(fields=["partnership", "-opened_on", "-id"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    @property
    def status(self):
        return "closed" if self.closed_on else "open"


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian grant of a case to an agency's group (direct foreign key: fast joins)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class PartyRole(models.TextChoices):
    PERPETRATOR = "perpetrator", "Perpetrator"
    VICTIM = "victim", "Victim"
    SECONDARY_VICTIM = "secondary_victim", "Secondary victim"
    OTHER = "other", "Other"


VICTIM_ROLES = frozenset({PartyRole.VICTIM, PartyRole.SECONDARY_VICTIM})


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The victim's advocate; with the officer in charge, reads contact details.",
    )
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "person__family_name"]
        verbose_name_plural = "case parties"
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="party_once_per_role")
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    @property
    def is_victim(self):
        return self.role in VICTIM_ROLES


class CaseAgency(models.Model):
    """The case is shared with this agency. Mirrors a guardian grant to the agency group."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_links")
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        verbose_name_plural = "case agencies"
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="case_shared_once_per_agency")
        ]

    def __str__(self):
        return f"{self.case} shared with {self.agency}"


class ReferralSource(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    HEALTH = "health", "Health"
    ADVOCACY = "advocacy", "Advocacy service"
    MARAC = "marac", "MARAC"
    HELPLINE = "helpline", "Helpline"
    SELF_VIA_ADVOCACY = "self_via_advocacy", "Self-referral via advocacy"
    UNIT = "unit", "The stalking unit itself"
    OTHER = "other", "Other"


class Referral(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    source = models.CharField(max_length=30, choices=ReferralSource.choices)
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_made"
    )
    received_on = models.DateField()
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"Referral {self.pk} from {self.get_source_display()} on {self.received_on}"
