from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"
    DISCLOSE = "disclose", "Disclosed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    FAILED_SIGN_IN = "failed_sign_in", "Failed sign-in"
    DENIAL = "denial", "Denied"
    BREAK_GLASS = "break_glass", "Break-glass access"


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Access events are append-only.")

    def delete(self):
        raise PermissionError("Access events are append-only.")


class AccessEvent(models.Model):
    """One logged access (Data Protection Act 2018 s.62). Append-only.

    Names are copied onto the row so the trail survives the deletion of users,
    agencies or records. On PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    agency_name = models.CharField(max_length=200, blank=True)
    partnership = models.ForeignKey(
        "accounts.Partnership",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "action", "-at"]),
            models.Index(fields=["partnership", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Access events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Access events are append-only.")

    @property
    def detail_summary(self):
        """The detail as short text for the audit page, e.g. 'query: Smith'."""
        parts = []
        for key, value in self.detail.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            if value not in ("", None, {}):
                parts.append(f"{key.replace('_', ' ')}: {value}")
        return "; ".join(parts)


class BreakGlassGrantQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())


class BreakGlassGrant(models.Model):
    """Time-bound access to one case that is not shared with the user's agency.

    Kept as our own row rather than a guardian user permission because guardian
    grants do not expire; the expiry is the point of break-glass.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"{self.user} opened {self.case} until {self.expires_at:%H:%M}"
