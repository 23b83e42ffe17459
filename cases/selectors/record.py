"""Reads of the case record: orders, outcomes, re-offending, linked crimes and the
timeline. Every function takes a case the member can already see (from
``selectors.get_case_or_404``) or scopes by ``cases_visible_to`` itself."""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Prefetch
from django.utils import timezone

from accounts.roles import AgencyKind
from advocacy.models import Urgency
from advocacy.selectors import disclosures as disclosure_selectors
from audit.models import AccessEvent, Action
from audit.services import visible_or_404
from cases.models import (
    Case,
    CaseAgency,
    CaseEvent,
    CaseParty,
    Classification,
    CriminalJusticeOutcome,
    OffenceLevel,
    OrderBreach,
    Person,
    Priority,
    ProtectiveOrder,
    ReferenceCode,
    ReoffendingEvent,
    Tier,
)
from cases.models.screening import CrimeScreenEntry
from cases.selectors.core import cases_visible_to, referrals_visible_to
from config.dates import long_date


def case_record(case):
    """The case with the codes the record pages show (one query for typologies)."""
    return list(case.typologies.order_by("sort_order", "code"))


def people_on_case(case, *, role=None):
    """Each person on the case once, optionally in one role: the choices for an order's
    subject, an outcome's person or a re-offending perpetrator (a queryset, for forms)."""
    parties = CaseParty.objects.filter(case=case)
    if role:
        parties = parties.filter(role=role)
    return Person.objects.filter(pk__in=parties.values("person_id")).order_by(
        "family_name", "given_names"
    )


def case_with_codes(case):
    """The case again with the coded fields the record shows, after a write."""
    return Case.objects.select_related("lead_agency", "relationship", "closure_reason").get(
        pk=case.pk
    )


def orders_for(case):
    return (
        ProtectiveOrder.objects.filter(case=case)
        .select_related("subject", "protected", "created_by")
        .prefetch_related(
            Prefetch("breaches", queryset=OrderBreach.objects.select_related("created_by"))
        )
    )


def get_case_order_or_404(membership, case, pk):
    """An order of this (visible) case; otherwise 404 and a denial row."""
    return visible_or_404(membership, orders_for(case), pk)


def get_order_or_404(membership, pk):
    """An order on a case the member can see; otherwise 404."""
    order = visible_or_404(
        membership,
        ProtectiveOrder.objects.filter(case__in=cases_visible_to(membership)).select_related(
            "case", "subject"
        ),
        pk,
    )
    return order


def outcomes_for(case):
    return CriminalJusticeOutcome.objects.filter(case=case).select_related(
        "person", "outcome", "created_by"
    )


def reoffending_for(case):
    return ReoffendingEvent.objects.filter(case=case).select_related("perpetrator", "created_by")


# ---------------------------------------------------------------- linked crimes


def sees_crime_detail(membership):
    """Crime-screen detail (summary, suspect and victim names, officer) is police-only
    (DESIGN §4: crime-screen entries are police data). Other readers of the case see
    that crimes are linked: their references, offence codes and dates, and the count,
    which are already part of the shared case record (outcomes quote them)."""
    return membership.agency.kind == AgencyKind.POLICE


@dataclass
class CourseOfConduct:
    """One course of conduct: its first report and any later reports of it."""

    first: CrimeScreenEntry
    duplicates: list = field(default_factory=list)


def linked_crimes(case):
    """Crimes linked to the case, grouped so a course of conduct counts once.

    An entry whose ``same_course_as`` points at another linked entry is shown under it.
    A duplicate whose first report is not linked to this case heads its own group (it is
    still a course of conduct of this case).
    """
    entries = list(
        CrimeScreenEntry.objects.filter(case=case)
        .select_related("offence")
        .order_by("recorded_on", "id")
    )
    by_id = {e.pk: e for e in entries}
    groups = {}
    for entry in entries:
        head = entry
        seen = set()
        while head.same_course_as_id in by_id and head.pk not in seen:
            seen.add(head.pk)
            head = by_id[head.same_course_as_id]
        groups.setdefault(head.pk, CourseOfConduct(first=head))
        if head is not entry:
            groups[head.pk].duplicates.append(entry)
    courses = sorted(groups.values(), key=lambda c: (c.first.recorded_on, c.first.pk), reverse=True)
    return courses, len(entries)


# ---------------------------------------------------------------- timeline


@dataclass
class TimelineEvent:
    at: object  # date or aware datetime
    title: str
    kind: str
    text: str = ""
    by: str = ""

    @property
    def sort_key(self):
        if isinstance(self.at, datetime):
            local = timezone.localtime(self.at)
            return (local.date(), local.time())
        return (self.at, time.min)

    @property
    def is_datetime(self):
        return isinstance(self.at, datetime)


TRACKED = {
    "classification": ("Classification", dict(Classification.choices)),
    "offence_level": ("Offence level", dict(OffenceLevel.choices)),
    "tier": ("Tier", dict(Tier.choices)),
    "priority": ("Priority", dict(Priority.choices)),
    "relationship_id": ("Relationship", None),
    "monitoring_started_on": ("Monitoring started", long_date),
}


def _name(user):
    return (user.full_name or user.email) if user else ""


def _shown(choices, labels):
    """How a TRACKED field's value reads: a code's label, a choice's label or a date."""
    if choices is None:
        return lambda value: labels.get(value, "")
    if callable(choices):
        return lambda value: choices(value) if value else ""
    return choices.get


def _history_events(case):
    """Record changes, closure and reopening from the case's field history (2 queries)."""
    rows = list(case.history.select_related("history_user").order_by("history_date", "history_id"))
    code_ids = {r.relationship_id for r in rows} | {r.closure_reason_id for r in rows}
    labels = dict(
        ReferenceCode.objects.filter(pk__in=[i for i in code_ids if i]).values_list("pk", "label")
    )
    events = []
    for previous, row in zip([None, *rows], rows, strict=False):
        if previous is None:
            continue
        by = _name(row.history_user)
        changes = []
        for fieldname, (label, choices) in TRACKED.items():
            old, new = getattr(previous, fieldname), getattr(row, fieldname)
            if old != new:
                show = _shown(choices, labels)
                changes.append(
                    f"{label}: {show(old) or 'not recorded'} → {show(new) or 'not recorded'}"
                )
        if changes:
            events.append(
                TimelineEvent(row.history_date, "Record changed", "record", "; ".join(changes), by)
            )
        if previous.closed_on != row.closed_on:
            if row.closed_on:
                text = labels.get(row.closure_reason_id, "")
                if row.closure_note:
                    text = f"{text}. {row.closure_note}"
                events.append(
                    TimelineEvent(
                        row.history_date,
                        f"Case closed on {long_date(row.closed_on)}: monitored for six months",
                        "closure",
                        text,
                        by,
                    )
                )
            else:
                events.append(TimelineEvent(row.history_date, "Case reopened", "closure", "", by))
    return events


def _sharing_events(case):
    """Shared and unshared, from the audit trail (disclosures) and the current links."""
    audit_rows = AccessEvent.objects.filter(
        case_id=case.pk,
        object_type="cases.Case",
        action__in=[Action.DISCLOSE, Action.UPDATE],
    ).only("at", "action", "actor_email", "reason", "detail")
    events, disclosed = [], set()
    for row in audit_rows:
        detail = row.detail or {}
        if row.action == Action.DISCLOSE and "recipient_agency" in detail:
            disclosed.add(detail.get("recipient_agency_id"))
            events.append(
                TimelineEvent(
                    row.at,
                    f"Shared with {detail['recipient_agency']}",
                    "sharing",
                    row.reason,
                    row.actor_email,
                )
            )
        elif "unshared_agency" in detail:
            events.append(
                TimelineEvent(
                    row.at,
                    f"No longer shared with {detail['unshared_agency']}",
                    "sharing",
                    row.reason,
                    row.actor_email,
                )
            )
        elif "typologies" in detail.get("changed", {}):
            names = ", ".join(detail["changed"]["typologies"]) or "none"
            events.append(
                TimelineEvent(
                    row.at, "Stalker typology changed", "record", f"Now: {names}", row.actor_email
                )
            )
    for link in CaseAgency.objects.filter(case=case).select_related("agency", "shared_by"):
        if link.agency_id not in disclosed:
            events.append(
                TimelineEvent(
                    link.shared_at,
                    f"Shared with {link.agency.name}",
                    "sharing",
                    link.reason,
                    _name(link.shared_by),
                )
            )
    return events


def timeline(membership, case):
    """Everything that happened on the case, newest first, in a fixed number of queries
    whatever the number of events (see tests/cases/test_timeline.py)."""
    events = [TimelineEvent(case.opened_on, "Case opened", "case", case.summary[:200])]
    events += _sharing_events(case)
    for party in CaseParty.objects.filter(case=case).select_related("person"):
        events.append(
            TimelineEvent(
                party.added_at,
                f"{party.person.full_name} added as {party.get_role_display().lower()}",
                "party",
            )
        )
    referrals = (
        referrals_visible_to(membership)
        .filter(case=case)
        .select_related("referring_agency", "source", "decided_by")
    )
    for referral in referrals:
        events.append(
            TimelineEvent(
                referral.received_on,
                f"Referral received from {referral.referring_agency.name}",
                "referral",
                referral.source.label,
            )
        )
        if referral.decided_at:
            events.append(
                TimelineEvent(
                    referral.decided_at,
                    f"Referral decided: {referral.get_decision_display()}",
                    "referral",
                    referral.decision_reason,
                    _name(referral.decided_by),
                )
            )
    events += _history_events(case)
    for order in orders_for(case):
        events.append(
            TimelineEvent(
                order.applied_on,
                f"{order.get_kind_display()} applied for",
                "order",
                f"Against {order.subject.full_name}",
                _name(order.created_by),
            )
        )
        if order.decided_on:
            events.append(
                TimelineEvent(
                    order.decided_on,
                    f"{order.get_kind_display()} {order.get_decision_display().lower()}",
                    "order",
                    f"Expires {long_date(order.expires_on)}" if order.expires_on else "",
                )
            )
        for breach in order.breaches.all():
            events.append(
                TimelineEvent(
                    breach.occurred_on,
                    f"Breach of {order.get_kind_display().lower()}",
                    "breach",
                    breach.crime_reference,
                    _name(breach.created_by),
                )
            )
    for outcome in outcomes_for(case):
        events.append(
            TimelineEvent(
                outcome.outcome_on,
                f"Outcome {outcome.outcome}",
                "outcome",
                outcome.charge,
                _name(outcome.created_by),
            )
        )
    for event in reoffending_for(case):
        events.append(
            TimelineEvent(
                event.occurred_on,
                f"Re-offence: {event.get_victim_display().lower()}",
                "reoffending",
                f"Source: {event.get_source_display()}",
                _name(event.created_by),
            )
        )
    # Only the updates disclosed to the reader's agency (advocacy.selectors.disclosures).
    for row in disclosure_selectors.risk_update_timeline_rows(membership, case):
        events.append(
            TimelineEvent(
                row["submitted_at"],
                f"{Urgency(row['urgency']).label.split(':')[0]} risk update from "
                f"{row['episode__advocacy_agency__name']}",
                "risk_update",
                row["what_changed"][:200],
                row["submitted_by__full_name"],
            )
        )
    for event in CaseEvent.objects.filter(case=case).select_related("perpetrator", "recorded_by"):
        events.append(
            TimelineEvent(
                event.occurred_at,
                f"{event.perpetrator.full_name}: {event.get_kind_display().lower()}",
                "event",
                event.note,
                _name(event.recorded_by),
            )
        )
    courses, _count = linked_crimes(case)
    for course in courses:
        for entry in [course.first, *course.duplicates]:
            # Dated by when police recorded the crime, so worded as that event.
            title = f"Crime {entry.crime_reference} recorded ({entry.offence.code})"
            if entry is not course.first:
                title += f": same course of conduct as {course.first.crime_reference}"
            events.append(TimelineEvent(entry.recorded_on, title, "crime"))
    events.sort(key=lambda e: e.sort_key, reverse=True)
    return events


def monitoring_summary(case, on=None):
    on = on or timezone.localdate()
    status = case.status_on(on)
    return {
        "status": status,
        "monitoring_until": case.monitoring_until,
        "days_left": (case.monitoring_until - on).days if status == "monitoring" else None,
    }
