"""Every 4xx from the API is a JSON object keyed by field.

Validation errors keep DRF's field keys; other errors (not found, not signed in,
forbidden, throttled) put their message under ``detail``. The body always has
``status`` and ``errors``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler

from audit.services import record_refusal


def _as_lists(data):
    if isinstance(data, dict):
        return {
            key: value if isinstance(value, list | dict) else [value] for key, value in data.items()
        }
    if isinstance(data, list):
        return {"non_field_errors": data}
    return {"detail": [data]}


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "body_too_large"


def field_keyed_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):  # a body without a Content-Length header
        exc = BodyTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.PermissionDenied) and context.get("request") is not None:
        record_refusal(context["request"], exc)  # a capability refusal: one denial row
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"status": response.status_code, "errors": _as_lists(response.data)}
    return response
