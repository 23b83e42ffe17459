from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
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
    requested=None,
):
    """Append one access event. Request facts come from the request context.

    ``requested`` = (kind, id): what was asked for when there is no object to name (a
    denial), so the row never carries the object's own data."""
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
        object_type=obj._meta.label if obj is not None else (requested or ("", ""))[0],
        object_id=str(obj.pk) if obj is not None else (requested or ("", ""))[1],
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


# --- Denials -------------------------------------------------------------------------
# One answer for anything a member may not reach: a 404 that says nothing about whether
# the thing exists, and one denial row that records what was asked for (the kind and the
# id from the URL), never data of the object itself. The lookup is scoped (by the
# caller's selector) before anything is read, so another partnership's row is never
# loaded, let alone copied into this partnership's trail.

NOT_FOUND = "Not found."
_MAX_ID = 2**63 - 1


def record_denial(
    *, membership=None, actor=None, kind="", pk=None, reason="", detail=None, case=None
):
    """Append the denial row for a refused request: the actor, their partnership, the kind
    of object and the id they asked for. ``kind`` is a model label ("cases.Case") or, for a
    refusal that names no object, what was refused ("capability"). ``case`` only ever a
    case of the actor's own partnership (its selector found it there)."""
    ctx = context.current()
    membership = membership or ctx.membership
    actor = actor or getattr(membership, "user", None)
    return record_event(
        action=Action.DENIAL,
        actor=actor,
        membership=membership,
        detail={"reason": reason or "not found or out of scope", **(detail or {})},
        case=case,
        requested=(kind, "" if pk is None else str(pk)[:64]),
    )


def record_agency_header_refusal(user, value):
    """One denial row for an X-Agency-Id that names no agency the caller may act for
    (someone trying another agency, or a typo)."""
    return record_denial(
        actor=user, kind="accounts.Agency", pk=(value or "")[:40], reason="X-Agency-Id refused"
    )


def as_id(pk):
    """The id as an integer primary key, or None when it cannot be one (so the lookup is
    skipped: no database error for "abc" or a 30-digit number)."""
    try:
        value = int(str(pk))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= _MAX_ID else None


def visible_or_404(membership, visible, pk, *, kind=None, reason=""):
    """The object with id ``pk`` among ``visible`` (a selector's queryset, already scoped to
    the member), or a 404 with one denial row. A missing id and an out-of-scope one get the
    same answer and the same row."""
    key = as_id(pk)
    obj = visible.filter(pk=key).first() if key is not None else None
    if obj is None:
        deny(membership, kind=kind or visible.model._meta.label, pk=pk, reason=reason)
    return obj


def deny(membership, *, kind, pk, reason=""):
    """Record the denial and answer 404 (raises Http404)."""
    record_denial(membership=membership, kind=kind, pk=pk, reason=reason)
    raise Http404(NOT_FOUND)


def record_refusal(request, exc):
    """A capability refusal (403): one denial row naming the refused path and message."""
    user = getattr(request, "user", None)
    record_denial(
        membership=getattr(request, "membership", None),
        actor=user if getattr(user, "is_authenticated", False) else None,
        kind="capability",
        reason=str(exc) or "forbidden",
        detail={"refused": request.method},
    )
