"""Per-request facts the audit trail needs (request id, client IP, acting membership)."""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    path: str = ""
    membership: object | None = None


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> RequestContext:
    return _current.get() or RequestContext()


def begin(request) -> RequestContext:
    supplied = request.headers.get("X-Request-ID", "")
    request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
    context = RequestContext(
        request_id=request_id,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        path=request.path[:500],
    )
    _current.set(context)
    return context


def end():
    _current.set(None)


def set_membership(membership):
    context = _current.get()
    if context is not None:
        context.membership = membership
