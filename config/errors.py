"""Error pages: HTML for people, field-keyed JSON under /api/."""

import logging

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

log = logging.getLogger(__name__)

# The last resort if even the static template cannot be rendered.
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Sorry, there is a problem with the service</title></head><body>"
    "<h1>Sorry, there is a problem with the service</h1>"
    "<p>Try again later. Nothing you entered on the last page has been saved.</p>"
    '<p><a href="/">Go to My work</a></p></body></html>'
)


def _json(status, message):
    return JsonResponse({"status": status, "errors": {"detail": [message]}}, status=status)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(404, "Not found.")
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(403, "You do not have permission to do this.")
    return render(request, "errors/403.html", status=403)


def server_error(request):
    """Never touches the database, the session or the user: a 500 is often the database
    being away, and a handler that fails too leaves the person a bare "Internal Server
    Error". The page is rendered without the request (no context processors)."""
    if request.path.startswith("/api/"):
        return _json(500, "Something went wrong.")
    try:
        html = loader.render_to_string("errors/500.html", {"service_name": settings.SERVICE_NAME})
    except Exception:  # noqa: BLE001 - the static fallback below
        log.exception("The 500 page could not be rendered")
        html = FALLBACK_500
    return HttpResponseServerError(html)
