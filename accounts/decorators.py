from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.access import can


def member_required(capability=None):
    """Signed in, acting under a usable membership, and (optionally) holding a capability.

    Lacking the capability answers 403: it says nothing about any particular record.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied("No usable membership.")
            if capability is not None and not can(membership, capability):
                raise PermissionDenied("Your role cannot use this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
