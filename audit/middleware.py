from django.core.exceptions import PermissionDenied

from audit import context
from audit.services import record_refusal


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and remembers it for audit rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.begin(request)
        request.request_id = ctx.request_id
        try:
            response = self.get_response(request)
        finally:
            context.end()
        response["X-Request-ID"] = ctx.request_id
        return response

    def process_exception(self, request, exception):
        """A capability refusal raised by a page (403) leaves a denial row, like a 404 from
        a scoped lookup does (audit.services.deny). The API's refusals are recorded by its
        exception handler (DRF answers them before they reach middleware)."""
        if isinstance(exception, PermissionDenied):
            record_refusal(request, exception)
        return None
