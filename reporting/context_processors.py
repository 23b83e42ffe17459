from django.utils.functional import SimpleLazyObject

from reporting.selectors.notifications import unread_count


def notifications(request):
    """The header badge: the acting member's unread notifications (one indexed count query,
    run only when a template shows the badge)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def badge():
        count, capped = unread_count(membership)
        return {"count": count, "capped": capped}

    return {"unread_notifications": SimpleLazyObject(badge)}
