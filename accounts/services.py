"""Writes for accounts: issuing, revoking and refusing API tokens, each audited."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import ApiToken, Membership, User
from audit.models import Action
from audit.services import record_event

# Last use is written at most once a minute per token, not on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _first_membership(user):
    """Attributes events about a user's token to a partnership, so its admin sees them."""
    return Membership.objects.filter(user=user).select_related("agency").first()


def token_issue(*, actor, user, name, days, membership=None, via="page"):
    """Make a token for ``user``; returns (token, secret). The secret is never stored.

    ``actor`` is the user on their own page, or None for the management command.
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Enter a name for the token, such as the system that will use it."]
    elif len(name) > 100:
        errors["name"] = ["The name must be 100 characters or fewer."]
    if not isinstance(days, int) or not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["expires_in_days"] = [
            f"The token must expire within 1 to {settings.API_TOKEN_MAX_DAYS} days."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        token, secret = ApiToken.objects.create(
            user=user, expiry=timedelta(days=days), name=name, issued_by=actor
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership or _first_membership(user),
            obj=token,
            detail={
                "api_token": name,
                "owner": user.email,
                "expires_at": token.expiry.isoformat(),
                "via": via,
            },
        )
    return token, secret


def token_revoke(*, actor, membership, token):
    """Revoke (delete) a token: by its owner, or by the partnership admin."""
    by = "owner" if actor.pk == token.user_id else "partnership admin"
    with transaction.atomic():
        record_event(
            action=Action.DELETE,
            actor=actor,
            membership=membership,
            obj=token,
            detail={"api_token": token.name, "owner": token.user.email, "revoked_by": by},
        )
        token.delete()


def token_denied(*, token, reason):
    """Audit a refused token: unknown, expired, or its user locked, closed or lapsed."""
    user = token.user if token is not None else None
    record_event(
        action=Action.DENIAL,
        actor=user,
        membership=_first_membership(user) if user is not None else None,
        obj=token,
        detail={
            "reason": f"API token refused: {reason}",
            **({"api_token": token.name} if token is not None else {}),
        },
    )


def token_used(*, token, now=None):
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def sessions_end(*, user, reason):
    """End every browser session of ``user`` now (their next request finds itself signed
    out), and say why in the audit trail. Tokens are refused by their own checks."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record_event(
            action=Action.UPDATE,
            actor=None,
            membership=_first_membership(user),
            obj=user,
            detail={"sessions_ended": reason, "user": user.email},
        )


def registration_errors(*, body, number):
    """Problems with a professional registration, {field: message}: both or neither."""
    body, number = (body or "").strip(), (number or "").strip()
    errors = {}
    if len(body) > 60:
        errors["registration_body"] = "Keep the registering body to 60 characters or fewer."
    if number and not number.replace("-", "").replace("/", "").isalnum():
        errors["registration_number"] = "Enter the number as letters and digits, like PYL12345."
    elif len(number) > 40:
        errors["registration_number"] = "Keep the number to 40 characters or fewer."
    if body and not number:
        errors["registration_number"] = "Enter your registration number."
    elif number and not body:
        errors["registration_body"] = "Enter the body you are registered with, like HCPC."
    return errors


def registration_set(*, actor, membership, registration_body, registration_number):
    """The user's own professional registration (e.g. HCPC PYL12345), shown where they are
    allocated to an intervention; blank both to remove it. Audited."""
    errors = registration_errors(body=registration_body, number=registration_number)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    with transaction.atomic():
        actor.registration_body = (registration_body or "").strip()
        actor.registration_number = (registration_number or "").strip().upper()
        actor.save(update_fields=["registration_body", "registration_number"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=actor,
            detail={"registration": actor.registration},
        )
    return actor
