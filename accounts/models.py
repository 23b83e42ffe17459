from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from simple_history.models import HistoricalRecords

from accounts.roles import ROLE_AGENCY_KINDS, AgencyKind, Role


class Partnership(models.Model):
    """The tenant: one police force area and its partner agencies."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    case_reference_prefix = models.CharField(
        max_length=8, help_text="Prefix of case references, for example NSP."
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Agency(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    # Object permissions on cases are granted to this group (django-guardian); made on save.
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="agency_name_unique")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group = Group.objects.create(
                name=f"agency:{self.partnership_id}:{self.name}"[:150]
            )
        super().save(*args, **kwargs)

    @property
    def is_police(self):
        return self.kind == AgencyKind.POLICE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Signs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    # A practitioner's professional registration (e.g. HCPC, PYL12345): shown where a
    # clinician is allocated to an intervention, so the provider's duty of care is visible.
    registration_body = models.CharField(max_length=60, blank=True)
    registration_number = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every signed-in session of the user at once (accounts.services.
    # sessions_end): it is part of the session's auth hash, which Django checks per request.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    @property
    def registration(self):
        """ "HCPC PYL12345", or "" when none is recorded."""
        return " ".join(p for p in (self.registration_body, self.registration_number) if p)

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_session_auth_hash(self):
        if not self.session_generation:  # sessions from before any ending keep working
            return super().get_session_auth_hash()
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()


class MembershipQuerySet(models.QuerySet):
    def usable(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            active=True,
            user__is_active=True,
            agency__active=True,
            vetting_expires_on__gte=on,
        )


class Membership(models.Model):
    """A user's role in one agency. Access needs an active membership in date."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    vetting_expires_on = models.DateField(
        help_text="Access stops after this date until vetting is renewed."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.agency}"

    @property
    def partnership_id(self):
        return self.agency.partnership_id

    @property
    def partnership(self):
        return self.agency.partnership

    def clean(self):
        allowed = ROLE_AGENCY_KINDS.get(self.role, frozenset())
        if self.agency_id and self.agency.kind not in allowed:
            raise ValidationError(
                {
                    "role": f"A {self.get_role_display().lower()} cannot belong to a "
                    f"{self.agency.get_kind_display().lower()} agency."
                }
            )

    def is_usable(self, on=None):
        on = on or timezone.localdate()
        return (
            self.active
            and self.user.is_active
            and self.agency.active
            and self.vetting_expires_on >= on
        )

    def blocked_reason(self, on=None):
        on = on or timezone.localdate()
        if not self.active:
            return "Your membership of this agency has been made inactive."
        if not self.agency.active:
            return "This agency has been closed on the system."
        if self.vetting_expires_on < on:
            return f"Your vetting expired on {self.vetting_expires_on:%-d %B %Y}."
        return ""


class ApiToken(AbstractAuthToken):
    """A personal API token: hashed, named, expiring, revocable, with its last use.

    Built on django-rest-knox (a maintained library: the token is shown once and only its
    SHA-512 digest is stored; tokens expire) rather than DRF's plain ``Token``, which stores
    the key itself, never expires and allows one token per user. Knox has no name or last
    use, so this model adds them, and a plain integer id so that pages and audit rows never
    carry the digest. Revoking deletes the row (the audit trail keeps the record).
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(max_length=100)
    last_used_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who issued it; empty when issued by the management command.",
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self):
        return f"API token “{self.name}” of {self.user}"

    def is_expired(self, now=None):
        return self.expiry is not None and self.expiry <= (now or timezone.now())
