from django.utils import timezone

from audit.models import AccessEvent, Action, BreakGlassGrant


def case_viewers(case, *, limit=20):
    """Who has viewed this case, newest first."""
    return (
        AccessEvent.objects.filter(case_id=case.pk, action__in=[Action.VIEW, Action.BREAK_GLASS])
        .select_related("actor")
        .only("at", "action", "actor_email", "agency_name", "reason", "actor__full_name")
        .order_by("-at", "-id")[:limit]
    )


def events_in_partnership(membership):
    return AccessEvent.objects.filter(partnership_id=membership.agency.partnership_id)


def search_events(
    membership, *, actor_email="", action="", case_reference="", date_from=None, date_to=None
):
    events = events_in_partnership(membership).select_related("case", "actor")
    if actor_email:
        events = events.filter(actor_email__icontains=actor_email)
    if action:
        events = events.filter(action=action)
    if case_reference:
        events = events.filter(case__reference__iexact=case_reference)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events


EXPORT_MAX_ROWS = 200_000
EXPORT_HEADER = [
    "When",
    "Who",
    "Email",
    "Agency",
    "Action",
    "What",
    "Case",
    "Reason",
    "IP address",
    "Page",
    "Request ID",
]


def export_rows(membership, **filters):
    """The CSV rows of an audit search (same filters and scope as the page), header
    first, read in chunks so a long trail is streamed rather than held in memory."""
    yield EXPORT_HEADER
    events = search_events(membership, **filters)[:EXPORT_MAX_ROWS]
    for event in events.iterator(chunk_size=1000):
        yield [
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.actor_name,
            event.actor_email,
            event.agency_name,
            event.get_action_display(),
            event.what,
            event.case.reference if event.case else "",
            event.reason,
            event.ip_address or "",
            event.path,
            event.request_id,
        ]


def break_glass_grants_in_partnership(membership):
    return BreakGlassGrant.objects.filter(
        case__partnership_id=membership.agency.partnership_id
    ).select_related("user", "agency", "case")


def my_active_break_glass(membership):
    return (
        BreakGlassGrant.objects.active().filter(user_id=membership.user_id).select_related("case")
    )


def my_recently_viewed_case_ids(membership, *, limit=10):
    seen = []
    rows = (
        AccessEvent.objects.filter(actor_id=membership.user_id, action=Action.VIEW)
        .exclude(case_id=None)
        .order_by("-at")
        .values_list("case_id", flat=True)[:200]
    )
    for case_id in rows:
        if case_id not in seen:
            seen.append(case_id)
        if len(seen) == limit:
            break
    return seen
