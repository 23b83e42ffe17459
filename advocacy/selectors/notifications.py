"""What the "tell the victim" duty (cases.services.events, issue 11 item 5) needs to know of
advocacy, and the advocate's view of those tasks. The tasks themselves live in cases: the
duty is the case's and must work for a victim with no advocate."""

from advocacy.models import SupportEpisode
from cases.selectors import events as event_selectors


def victim_supporters(case):
    """{victim party id: (allocated advocate id or None, advocacy agency id)} of the open
    support episodes on the case; the earliest referral first when a victim has two. Who
    supports whom is no compartment content (support_on_case shows it to every reader);
    nothing else of the episode is read. One query."""
    supporters = {}
    rows = (
        SupportEpisode.objects.filter(case=case, closed_on__isnull=True)
        .order_by("referred_on", "pk")
        .values_list("victim_id", "advocate_id", "advocacy_agency_id")
    )
    for victim_id, advocate_id, agency_id in rows:
        supporters.setdefault(victim_id, (advocate_id, agency_id))
    return supporters


def pending_for_home(membership, *, limit=10):
    """The advocate's home section: the agency's pending and overdue counts and the most
    urgent pending tasks (two queries)."""
    return {
        "counts": event_selectors.victim_notification_counts(membership),
        "tasks": list(event_selectors.pending_victim_notifications(membership)[:limit]),
    }
