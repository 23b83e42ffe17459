"""Input checks every request passes before its view (issue 9, items 7 and 12).

- A request body larger than its limit is refused before it is read: 413, the API's JSON
  error shape under /api/, a page elsewhere. Bodies are limited to BODY_LIMIT (Django's
  default 2.5 MB); a view named in LARGE_BODIES may take more (the crime-screen JSON
  import takes the documented 50,000 rows). File uploads (multipart) are limited by the
  view that reads the file, not here.
- A query-string parameter (search box, filters, paging) or a form-encoded API field with
  a control character or a bidi override (config.text) is refused with 400 naming the
  field, never passed on to the database (PostgreSQL refuses NUL: a 500).
Form fields and serializer fields refuse the same characters with a field error
(config.text.install); JSON bodies are walked by config.parsers.JSONParser.
"""

from django.http import JsonResponse
from django.shortcuts import render

from config import text

BODY_LIMIT = 2_621_440  # Django's default DATA_UPLOAD_MAX_MEMORY_SIZE
# URL name → body limit in bytes. A JSON row is about 1.6 times its CSV line (every key
# repeated), so 50,000 rows of a 20 MB export fit in 40 MB.
LARGE_BODIES = {"api:screening-import-list": 40 * 1024 * 1024}
LARGEST_BODY = max([BODY_LIMIT, *LARGE_BODIES.values()])  # settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _is_api(request):
    return request.path.startswith("/api/")


def _refuse(request, status, errors, title):
    if _is_api(request):
        return JsonResponse({"status": status, "errors": errors}, status=status)
    return render(
        request, "errors/bad_input.html", {"errors": errors, "title": title}, status=status
    )


def body_limit(view_name):
    return LARGE_BODIES.get(view_name, BODY_LIMIT)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        if not content_type.startswith("multipart/"):
            limit = body_limit(getattr(request.resolver_match, "view_name", ""))
            if length > limit:
                return _refuse(
                    request,
                    413,
                    {
                        "detail": [
                            f"The request body is {length / 1024 / 1024:.1f} MB; the limit "
                            f"here is {limit / 1024 / 1024:.1f} MB."
                        ]
                    },
                    "The request is too large",
                )
        found = [
            (key, message)
            for key, value in request.GET.lists()
            for message in _problems(key, value)
        ]
        if _is_api(request) and content_type.startswith("application/x-www-form-urlencoded"):
            found += [
                (key, message)
                for key, value in request.POST.lists()
                for message in _problems(key, value)
            ]
        if found:
            return _refuse(request, 400, text.errors_for(found), "There is a problem")
        return None


def _problems(key, values):
    messages = [text.problem(key)] + [text.problem(value) for value in values]
    return [message for message in messages if message][:1]
