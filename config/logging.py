"""Logging helpers named in settings.LOGGING."""

import logging


class OneLineDenials(logging.Filter):
    """A refused request (403, PermissionDenied) is an expected event, already written to the
    audit trail as a denial: log it as one line (method, path, user, reason), not with the
    traceback Django attaches."""

    def filter(self, record):
        denied = record.name == "django.security.PermissionDenied" or (
            getattr(record, "status_code", None) == 403
        )
        if denied and record.exc_info:
            reason = str(record.exc_info[1] or "").strip()
            request = getattr(record, "request", None)
            user = getattr(getattr(request, "user", None), "pk", None)
            method = getattr(request, "method", "")
            record.msg = f"Forbidden: {method} %s (user {user}){': ' + reason if reason else ''}"
            record.args = (getattr(request, "path", "?"),)
            record.exc_info = None
            record.exc_text = None
        return True
