"""Error pages: HTML for people, field-keyed JSON under /api/."""

from django.http import JsonResponse
from django.shortcuts import render


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
    if request.path.startswith("/api/"):
        return _json(500, "Something went wrong.")
    return render(request, "errors/500.html", status=500)
