from audit import context


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
