"""Building and editing a meeting's agenda.

Which cases: open cases (no closure date) of the meeting's partnership that are shared with
at least one agency attending the clinic (a case no attending agency can see cannot be
discussed there; a clinic with no attending agencies listed takes every case), matched by
these rules, each kept as a reason on the item:

- new referral: a referral for the case received after the clinic's previous meeting day
  (or, for its first meeting, within one cadence period) and on or before the meeting day;
- review due: the case's latest discussion (CAS) set a next review date on or before the
  meeting day;
- high risk: the case's latest complete risk assessment is high
  (``risk.selectors.high_risk_case_ids``);
- overdue actions: the case has an open action due before the meeting day;
- carried over: the case was on the agenda of the clinic's latest closed meeting before
  this one (not taken off) and was not discussed there;
- added: a member put the case on the agenda.

Rebuilding keeps every item and its position, adds new cases after the last item, merges
new reasons into existing items, and never brings back an item the chair removed. A build
is a fixed number of queries whatever the number of cases.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from cases.models import Case, CaseGroupObjectPermission, Referral
from cases.selectors.core import VIEW_CASE, cases_visible_to
from risk.selectors import high_risk_case_ids
from triage.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaReason,
    Cadence,
    CaseDiscussion,
    Meeting,
    MeetingStatus,
)

SCHEDULER = "scheduler@system"

# New items are appended in this order of their strongest reason, then by case reference.
REASON_ORDER = [
    AgendaReason.HIGH_RISK,
    AgendaReason.CARRIED_OVER,
    AgendaReason.OVERDUE_ACTIONS,
    AgendaReason.REVIEW_DUE,
    AgendaReason.NEW_REFERRAL,
    AgendaReason.ADDED,
]


def period_days(clinic):
    """How far back a first meeting looks for new referrals (no earlier meeting)."""
    return {
        Cadence.WEEKDAYS: 3,
        Cadence.WEEKLY: 7,
        Cadence.FORTNIGHTLY: 14,
        Cadence.MONTHLY: 31,
    }.get(clinic.cadence, 14)


def _require(allowed, message="Your role cannot do this."):
    if not allowed:
        raise PermissionDenied(message)


def _in_scope(meeting, case_ids):
    """Which of these cases are open cases of the partnership shared with an attending
    agency (every open case when the clinic lists no agencies): one query."""
    cases = Case.objects.filter(
        pk__in=case_ids, partnership_id=meeting.partnership_id, closed_on__isnull=True
    )
    if meeting.clinic.agencies.through.objects.filter(clinic_id=meeting.clinic_id).exists():
        shared = CaseGroupObjectPermission.objects.filter(
            permission__codename=VIEW_CASE,
            group__agency__clinics=meeting.clinic_id,
            content_object_id__in=case_ids,
        ).values("content_object_id")
        cases = cases.filter(pk__in=shared)
    return set(cases.values_list("pk", flat=True))


def _since(meeting):
    previous = (
        Meeting.objects.filter(clinic_id=meeting.clinic_id, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return previous or meeting.held_on - timedelta(days=period_days(meeting.clinic))


def carried_over_case_ids(meeting):
    """Cases left undiscussed at the clinic's meeting just before this one, if it is closed:
    on its agenda (not taken off) with no discussion recorded at it. They carry to the next
    meeting only (that meeting's own close carries them on again). Two queries."""
    previous = (
        Meeting.objects.filter(clinic_id=meeting.clinic_id, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .values_list("pk", "status")
        .first()
    )
    if previous is None or previous[1] != MeetingStatus.CLOSED:
        return set()
    previous = previous[0]
    return set(
        AgendaItem.objects.filter(meeting_id=previous, removed_at__isnull=True)
        .exclude(case_id__in=CaseDiscussion.objects.filter(meeting_id=previous).values("case_id"))
        .values_list("case_id", flat=True)
    )


def _latest_review_due(partnership_id, day):
    """Cases whose latest discussion's review date is on or before the day: the dated
    discussions (indexed) give the candidates, then their latest versions decide."""
    candidates = list(
        CaseDiscussion.objects.filter(
            case__partnership_id=partnership_id, next_review_on__lte=day
        ).values_list("case_id", flat=True)
    )
    latest = {}
    for case_id, review_on in (
        CaseDiscussion.objects.filter(case_id__in=set(candidates))
        .order_by("case_id", "-version")
        .values_list("case_id", "next_review_on")
    ):
        latest.setdefault(case_id, review_on)
    return {case_id for case_id, review_on in latest.items() if review_on and review_on <= day}


def _high_risk(partnership_id):
    """Cases whose latest complete assessment is high (the risk area's rule)."""
    return {row["case_id"] for row in high_risk_case_ids(partnership_id)}


def matching_case_reasons(meeting):
    """{case id: [reasons]} for the automatic rules: a fixed number of queries, each driven
    from the small side (the dated referral, action, discussion or assessment rows), so the
    cost follows the matches, not the partnership's case count."""
    day = meeting.held_on
    partnership_id = meeting.partnership_id
    since = _since(meeting)
    rules = {
        AgendaReason.NEW_REFERRAL: set(
            Referral.objects.filter(
                partnership_id=partnership_id,
                case__isnull=False,
                received_on__gt=since,
                received_on__lte=day,
            ).values_list("case_id", flat=True)
        ),
        AgendaReason.REVIEW_DUE: _latest_review_due(partnership_id, day),
        AgendaReason.HIGH_RISK: _high_risk(partnership_id),
        AgendaReason.CARRIED_OVER: carried_over_case_ids(meeting),
        AgendaReason.OVERDUE_ACTIONS: set(
            Action.objects.filter(
                partnership_id=partnership_id, status=ActionStatus.OPEN, due_on__lt=day
            ).values_list("case_id", flat=True)
        ),
    }
    in_scope = _in_scope(meeting, set().union(*rules.values()))
    found = {}
    for reason, case_ids in rules.items():
        for case_id in sorted(case_ids & in_scope):
            found.setdefault(case_id, []).append(reason)
    return found


def _ordered(reasons):
    return sorted(set(reasons), key=REASON_ORDER.index)


def build_agenda(meeting, *, actor=None, membership=None):
    """Build or rebuild the draft agenda of a planned meeting. Returns (added, updated)."""
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError({"status": "A closed meeting's agenda cannot change."})
    found = matching_case_reasons(meeting)
    with transaction.atomic():
        existing = {
            item.case_id: item
            for item in AgendaItem.objects.select_for_update().filter(meeting_id=meeting.pk)
        }
        top = max((item.position for item in existing.values()), default=0)
        updated = []
        for case_id, reasons in found.items():
            item = existing.get(case_id)
            if item is None or item.removed_at is not None:
                continue
            merged = _ordered([*item.reasons, *reasons])
            if merged != item.reasons:
                item.reasons = merged
                updated.append(item)
        if updated:
            AgendaItem.objects.bulk_update(updated, ["reasons"])
        references = dict(
            Case.objects.filter(pk__in=[pk for pk in found if pk not in existing]).values_list(
                "pk", "reference"
            )
        )
        new_ids = sorted(
            references,
            key=lambda pk: (REASON_ORDER.index(_ordered(found[pk])[0]), references[pk]),
        )
        added = AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting_id=meeting.pk,
                case_id=case_id,
                position=top + index,
                reasons=_ordered(found[case_id]),
            )
            for index, case_id in enumerate(new_ids, start=1)
        )
        meeting.agenda_built_at = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(agenda_built_at=meeting.agenda_built_at)
        record_event(
            action=AuditAction.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            actor_email="" if actor else SCHEDULER,
            detail={"agenda_built": {"added": len(added), "updated": len(updated)}},
        )
    return added, updated


def _require_open(meeting):
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError({"meeting": "This meeting is closed."})


def agenda_add_case(*, actor, membership, meeting, case, note=""):
    """A member puts a case they can see on the agenda (the chair: any partnership case).
    Adding a case the chair removed puts it back."""
    _require(can(membership, Cap.ADD_AGENDA_ITEM), "Your role cannot add agenda items.")
    _require_open(meeting)
    if case.partnership_id != meeting.partnership_id or not (
        cases_visible_to(membership).filter(pk=case.pk).exists()
    ):
        raise ValidationError({"case": "Enter the reference of a case you can see."})
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().filter(meeting=meeting, case=case).first()
        if item is not None and item.removed_at is None:
            raise ValidationError({"case": f"{case.reference} is already on the agenda."})
        if item is None:
            top = AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"]
            item = AgendaItem(meeting=meeting, case=case, position=(top or 0) + 1, reasons=[])
        item.reasons = _ordered([*item.reasons, AgendaReason.ADDED])
        item.note = (note or "").strip() or item.note
        item.added_by = actor
        item.removed_at = None
        item.removed_by = None
        item.removed_reason = ""
        item.save()
        record_event(
            action=AuditAction.CREATE,
            actor=actor,
            membership=membership,
            obj=item,
            case=case,
            detail={"meeting_id": meeting.pk, "note": item.note[:200]},
        )
    return item


def _require_chair(membership, item):
    _require(can(membership, Cap.RUN_CLINIC), "Only a clinic chair changes the agenda.")
    if item.meeting.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's meeting.")
    _require_open(item.meeting)


def agenda_remove_item(*, actor, membership, item, reason):
    """The chair takes an item off; it stays (with the reason) so a rebuild skips it."""
    _require_chair(membership, item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the case is coming off the agenda."})
    if item.removed_at is not None:
        raise ValidationError({"reason": "This item is already off the agenda."})
    with transaction.atomic():
        item.removed_at = timezone.now()
        item.removed_by = actor
        item.removed_reason = reason
        item.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        record_event(
            action=AuditAction.DELETE,
            actor=actor,
            membership=membership,
            obj=item,
            reason=reason,
            detail={"meeting_id": item.meeting_id},
        )
    return item


def agenda_move_item(*, actor, membership, item, direction):
    """Swap an item with its neighbour (among items still on the agenda)."""
    _require_chair(membership, item)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Choose up or down."})
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting_id=item.meeting_id, removed_at__isnull=True)
            .order_by("position", "id")
        )
        index = next((i for i, row in enumerate(items) if row.pk == item.pk), None)
        if index is None:
            raise ValidationError({"item": "This item is not on the agenda."})
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(items):
            return item  # already at the top or the bottom: nothing to do
        _renumber(items)
        items[index], items[other] = items[other], items[index]
        _renumber(items)
        AgendaItem.objects.bulk_update(items, ["position"])
        record_event(
            action=AuditAction.UPDATE,
            actor=actor,
            membership=membership,
            obj=item,
            detail={"moved": direction, "meeting_id": item.meeting_id},
        )
    item.position = next(row.position for row in items if row.pk == item.pk)
    return item


def _renumber(items):
    for position, row in enumerate(items, start=1):
        row.position = position


def agenda_reorder(*, actor, membership, meeting, item_ids):
    """Set the order of the items on the agenda: ``item_ids`` lists every one of them."""
    _require(can(membership, Cap.RUN_CLINIC), "Only a clinic chair changes the agenda.")
    if meeting.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's meeting.")
    _require_open(meeting)
    with transaction.atomic():
        items = {
            row.pk: row
            for row in AgendaItem.objects.select_for_update().filter(
                meeting=meeting, removed_at__isnull=True
            )
        }
        if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
            raise ValidationError({"items": "List every item on the agenda once."})
        ordered = [items[pk] for pk in item_ids]
        _renumber(ordered)
        AgendaItem.objects.bulk_update(ordered, ["position"])
        record_event(
            action=AuditAction.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            detail={"reordered": item_ids},
        )
    return ordered
