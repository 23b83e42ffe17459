from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.access import can


def member_required(capability=None, *, allowed=None, refusal="Your role cannot use this page."):
    """Signed in, acting under a usable membership, and (optionally) holding a capability
    and passing ``allowed(membership)`` (an access-policy rule such as can_work_advocacy).

    Either missing answers 403 with ``refusal``: it says nothing about any record.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied("No usable membership.")
            if capability is not None and not can(membership, capability):
                raise PermissionDenied(refusal)
            if allowed is not None and not allowed(membership):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
