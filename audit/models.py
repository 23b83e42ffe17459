from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
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
    def actor_name(self):
        """Who, by name (the email when the user is gone or the attempt named no user)."""
        try:
            actor = self.actor if self.actor_id else None
        except ObjectDoesNotExist:  # no constraint: the user may have been deleted
            actor = None
        return getattr(actor, "full_name", "") or self.actor_email

    @property
    def what(self):
        """The event in plain English, e.g. "Viewed case NSP-2026-00012", "Downloaded
        minutes", "Denied access to case 42": built from the action, the object type and
        the detail, never raw codes or JSON."""
        return describe(self)

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


WHAT_MAX = 120
# Object types whose plain name is not the model's verbose name.
NOUNS = {"triage.MinutesFile": "minutes", "triage.CaseDiscussion": "case analysis summary"}
# Detail keys that say what a list, search, view or download was of when no object is named.
DETAIL_NOUNS = {
    "minutes": "minutes",
    "audit_search": "the audit trail",
    "audit_export": "the audit trail",
    "query": "",
}


def noun_for(label):
    """ "cases.Case" -> "case": a model label as a lower-case noun, without importing the
    app (audit sits below the domain apps); unknown labels are kept as a short word."""
    if not label:
        return ""
    if label in NOUNS:
        return NOUNS[label]
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label.rpartition(".")[2].replace("_", " ").lower()


def _short(text, limit=WHAT_MAX):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(event):
    verb = event.get_action_display()
    noun = noun_for(event.object_type)
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action == Action.DENIAL:
        if event.object_type == "capability":
            return _short(f"Refused a page their role cannot use ({event.path or 'unknown'})")
        target = f"{noun} {event.object_id}".strip() if noun else "a record"
        return _short(f"Denied access to {target}")
    if event.action in (Action.SIGN_IN, Action.SIGN_OUT, Action.FAILED_SIGN_IN):
        return verb
    if event.action == Action.SEARCH and detail.get("query"):
        what = f"{noun}s" if noun else "records"
        return _short(f"Searched {what} for \u201c{detail['query']}\u201d")
    if not noun and "minutes" in detail:
        noun = "minutes"
    if detail.get("job"):
        return _short(f"Background job: {str(detail['job']).replace('_', ' ')}")
    if noun:
        name = event.object_repr or (f"{event.object_id}" if event.object_id else "")
        # "Referral 8 received …" already names its kind: no "referral Referral 8".
        if name.lower().startswith(noun):
            text = f"{verb} {name[:1].lower()}{name[1:]}"
        else:
            text = f"{verb} {noun} {name}"
        if event.action == Action.DISCLOSE and detail.get("recipient_agency"):
            text += f" to {detail['recipient_agency']}"
        elif isinstance(detail.get("change"), str):
            text += f" ({detail['change'].replace('_', ' ')})"
        return _short(text.strip())
    for key, phrase in DETAIL_NOUNS.items():
        if key in detail and phrase:
            return _short(f"{verb} {phrase}")
    summary = event.detail_summary
    return _short(f"{verb}: {summary}" if summary else f"{verb} {event.path}".strip())


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
