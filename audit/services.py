from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import context
from audit.models import AccessEvent, Action, BreakGlassGrant


def _case_of(obj):
    # By label, not isinstance: audit sits below the domain apps and imports none of them.
    if obj._meta.label == "cases.Case":
        return obj
    return getattr(obj, "case", None)


def record_event(
    *,
    action,
    actor=None,
    membership=None,
    obj=None,
    case=None,
    reason="",
    detail=None,
    actor_email="",
):
    """Append one access event. Request facts come from the request context."""
    ctx = context.current()
    membership = membership or ctx.membership
    agency = getattr(membership, "agency", None)
    case = case or (_case_of(obj) if obj is not None else None)
    partnership_id = getattr(agency, "partnership_id", None) or getattr(
        case, "partnership_id", None
    )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AccessEvent.objects.create(
        action=action,
        actor=actor if is_user else None,
        actor_email=(actor.email if is_user else actor_email)[:254],
        agency=agency,
        agency_name=agency.name if agency else "",
        partnership_id=partnership_id,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        case=case,
        reason=reason,
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
        path=ctx.path,
        detail=detail or {},
    )


def break_glass_open(*, actor, membership, case, reason):
    """Grant the actor time-bound access to a case not shared with their agency."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValueError("Give a reason of at least 10 characters.")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            agency=membership.agency,
            case=case,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        record_event(
            action=Action.BREAK_GLASS,
            actor=actor,
            membership=membership,
            obj=case,
            reason=reason,
            detail={"expires_at": grant.expires_at.isoformat()},
        )
    return grant
