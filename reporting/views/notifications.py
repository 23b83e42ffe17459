"""The notifications page: the acting member's own notifications, newest first."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import member_required
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPaginator
from reporting.selectors.notifications import get_notification_or_404, notifications_for
from reporting.services.notifications import notification_mark_all_read, notification_mark_read

PAGE_SIZE = 25


@member_required()
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    notifications = notifications_for(request.membership, unread_only=unread_only)
    page = CappedCountPaginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"notifications": True, "page": page.number, "shown": len(page.object_list)},
    )
    return render(
        request,
        "reporting/notification_list.html",
        {"page": page, "unread_only": unread_only},
    )


@require_POST
@member_required()
def notification_read(request, pk):
    notification = get_notification_or_404(request.membership, pk)
    notification_mark_read(
        actor=request.user, membership=request.membership, notification=notification
    )
    messages.success(request, "Notification marked as read.")
    return redirect("reporting:notification-list")


@require_POST
@member_required()
def notification_read_all(request):
    count = notification_mark_all_read(actor=request.user, membership=request.membership)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("reporting:notification-list")


@member_required()
def notification_open(request, pk):
    """Follows a notification's link, marking it read on the way."""
    notification = get_notification_or_404(request.membership, pk)
    notification_mark_read(
        actor=request.user, membership=request.membership, notification=notification
    )
    link = notification.link
    safe = link.startswith("/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(link if safe else "reporting:notification-list")
