"""Reads for the police daily crime screen, scoped to the acting membership.

Crime-screen entries are police-only: members of a police agency in an investigator or
police-supervisor role, in the entry's partnership. Everyone else gets nothing here
(the views answer 403, and anything outside the partnership is 404).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts.access import can_screen
from accounts.roles import Role
from audit.services import visible_or_404
from cases.models import (
    CodeList,
    CrimeScreenEntry,
    ImportRun,
    ReclassificationOutcome,
    Referral,
    ScreeningAction,
    ScreeningActionKind,
    code_choices,
)

# Words and phrases in a crime summary that suggest stalking behaviour (FOUR: fixated,
# obsessive, unwanted, repeated). The one list: the worklist and entry page highlight them.
STALKING_INDICATORS = (
    r"follow(?:s|ed|ing)?",
    r"repeated(?:ly)?\s+(?:messages?|messaging|calls?|calling|texts?|texting|contact|emails?)",
    r"(?:messages?|calls?|texts?|emails?)\s+(?:repeatedly|constantly|every\s+day|daily)",
    r"turn(?:s|ed|ing)?\s+up",
    r"fixat(?:ed|ion)",
    r"obsess(?:ed|ive|ion)",
    r"monitor(?:s|ed|ing)?",
    r"threat(?:s|en|ens|ened|ening)?",
    r"loiter(?:s|ed|ing)?",
    r"watch(?:es|ed|ing)",
    r"track(?:s|ed|ing|er)?",
    r"unwanted\s+(?:gifts?|contact|messages?|flowers|letters|visits?)",
    r"waiting\s+outside",
    r"hanging\s+around",
    r"fake\s+(?:profiles?|accounts?)",
    r"spyware",
    r"would\s+not\s+leave\s+(?:her|him|them|me)\s+alone",
)
_INDICATOR_PATTERN = re.compile(r"\b(?:" + "|".join(STALKING_INDICATORS) + r")\b", re.IGNORECASE)


def highlight_indicators(text, *, limit=None):
    """The text, HTML-escaped, with stalking indicators wrapped in <mark>. Safe to render."""
    text = text or ""
    if limit and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    escaped = escape(text)
    # Safe: the text is escaped first and the only markup added is <mark>.
    return mark_safe(  # noqa: S308
        _INDICATOR_PATTERN.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    )


def indicators_in(text):
    return sorted({m.group(0).lower() for m in _INDICATOR_PATTERN.finditer(text or "")})


def is_screening_supervisor(membership):
    return can_screen(membership) and membership.role == Role.POLICE_SUPERVISOR


def entries_visible_to(membership):
    if not can_screen(membership):
        return CrimeScreenEntry.objects.none()
    return CrimeScreenEntry.objects.filter(partnership_id=membership.agency.partnership_id)


def imports_visible_to(membership):
    if not can_screen(membership):
        return ImportRun.objects.none()
    return ImportRun.objects.filter(partnership_id=membership.agency.partnership_id)


def offence_codes(membership):
    return code_choices(CodeList.OFFENCE, membership.agency.partnership_id)


def offence_lookup(partnership_id):
    """Upper-case offence code → ReferenceCode id, for the importer (current codes only)."""
    lookup = {}
    for pk, code in (
        code_choices(CodeList.OFFENCE, partnership_id)
        .order_by("partnership_id", "-version")
        .values_list("pk", "code")
    ):
        # A partnership's own code wins over the national one of the same code.
        lookup.setdefault(code.upper(), pk)
    return lookup


@dataclass(frozen=True)
class WorklistFilters:
    offence: object = None  # ReferenceCode
    domestic_abuse: bool | None = None
    area: str = ""
    screened: bool | None = None
    officer: str = ""
    recorded_from: date | None = None
    recorded_to: date | None = None


def worklist(membership, filters=None):
    """Unscreened entries first (newest recorded first, so today's hits lead), then the rest.

    The ordering expression matches the index in migration 0006 on PostgreSQL.
    """
    filters = filters or WorklistFilters()
    entries = entries_visible_to(membership)
    if filters.offence is not None:
        entries = entries.filter(offence=filters.offence)
    if filters.domestic_abuse is not None:
        entries = entries.filter(domestic_abuse=filters.domestic_abuse)
    if filters.area:
        entries = entries.filter(location_area__iexact=filters.area)
    if filters.screened is not None:
        entries = entries.filter(screened_at__isnull=not filters.screened)
    if filters.officer:
        entries = entries.filter(officer_in_charge__icontains=filters.officer)
    if filters.recorded_from:
        entries = entries.filter(recorded_on__gte=filters.recorded_from)
    if filters.recorded_to:
        entries = entries.filter(recorded_on__lte=filters.recorded_to)
    return entries.select_related("offence", "source_offence", "disposal").order_by(*WORKLIST_ORDER)


def unscreened_count(membership):
    return entries_visible_to(membership).filter(screened_at__isnull=True).count()


# Unscreened (False) before screened (True); then newest recorded first.
IS_SCREENED = ExpressionWrapper(Q(screened_at__isnull=False), output_field=BooleanField())
WORKLIST_ORDER = (IS_SCREENED.asc(), F("recorded_on").desc(), F("id").desc())


def get_entry_or_404(membership, pk):
    entry = visible_or_404(
        membership,
        entries_visible_to(membership).select_related(
            "offence", "source_offence", "case", "same_course_as", "import_run", "disposal"
        ),
        pk,
    )
    return entry


def entry_by_reference(membership, reference):
    return entries_visible_to(membership).filter(crime_reference__iexact=reference.strip()).first()


def actions_for(entry):
    return (
        ScreeningAction.objects.filter(entry=entry)
        .select_related("actor", "agency", "requested_offence", "previous_offence", "decided_by")
        .order_by("-acted_at", "-id")
    )


def duplicates_of(entry):
    return CrimeScreenEntry.objects.filter(same_course_as=entry).select_related("offence")


def get_action_or_404(membership, pk):
    actions = (
        ScreeningAction.objects.filter(entry__partnership_id=membership.agency.partnership_id)
        if can_screen(membership)
        else ScreeningAction.objects.none()
    )
    return visible_or_404(
        membership,
        actions.select_related("entry", "requested_offence", "entry__offence"),
        pk,
    )


def pending_reclassifications(membership):
    return (
        ScreeningAction.objects.filter(
            entry__partnership_id=membership.agency.partnership_id,
            kind=ScreeningActionKind.RECLASSIFICATION,
            reclassification_outcome=ReclassificationOutcome.PENDING,
        )
        .select_related("entry", "entry__offence", "requested_offence", "actor")
        .order_by("acted_at", "id")
        if can_screen(membership)
        else ScreeningAction.objects.none()
    )


def get_import_or_404(membership, pk):
    run = visible_or_404(
        membership, imports_visible_to(membership).select_related("uploaded_by"), pk
    )
    return run


# Supervisor figures -------------------------------------------------------------------


def _local_day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def screened_per_day(membership, *, days=14, today=None):
    """For each of the last ``days`` days: entries screened (first action that day) and
    actions recorded per kind. Newest day first. Duplicates of a course of conduct are
    still screened, so they count here; the monthly figures count each course once."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = _local_day_start(first)
    partnership_id = membership.agency.partnership_id
    screened = dict(
        CrimeScreenEntry.objects.filter(partnership_id=partnership_id, screened_at__gte=since)
        .annotate(day=TruncDate("screened_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_kind = {}
    for day, kind, n in (
        ScreeningAction.objects.filter(entry__partnership_id=partnership_id, acted_at__gte=since)
        .annotate(day=TruncDate("acted_at"))
        .values("day", "kind")
        .annotate(n=Count("id"))
        .values_list("day", "kind", "n")
    ):
        per_kind.setdefault(day, {})[kind] = n
    rows = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        kinds = per_kind.get(day, {})
        rows.append(
            {
                "day": day,
                "screened": screened.get(day, 0),
                "kinds": [kinds.get(k, 0) for k in ScreeningActionKind.values],
                "actions": sum(kinds.values()),
            }
        )
    return rows


def misclassification_by_month(membership, *, months=12, today=None):
    """Per month recorded: entries (each course of conduct once), entries with a
    reclassification request, and how the requests were decided. Newest month first."""
    today = today or timezone.localdate()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    entries = CrimeScreenEntry.objects.filter(
        partnership_id=membership.agency.partnership_id,
        recorded_on__gte=first,
        same_course_as__isnull=True,
    )
    recorded = dict(
        entries.annotate(month=TruncMonth("recorded_on"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    reclass = Q(actions__kind=ScreeningActionKind.RECLASSIFICATION)
    requested = {
        row["month"]: row
        for row in entries.filter(reclass)
        .annotate(month=TruncMonth("recorded_on"))
        .values("month")
        .annotate(
            requests=Count("id", distinct=True),
            accepted=Count(
                "actions",
                filter=reclass
                & Q(actions__reclassification_outcome=ReclassificationOutcome.ACCEPTED),
            ),
            refused=Count(
                "actions",
                filter=reclass
                & Q(actions__reclassification_outcome=ReclassificationOutcome.REFUSED),
            ),
            pending=Count(
                "actions",
                filter=reclass
                & Q(actions__reclassification_outcome=ReclassificationOutcome.PENDING),
            ),
        )
    }
    rows = []
    month = date(today.year, today.month, 1)
    for _ in range(months):
        key = _month_key(recorded, month)
        count = recorded.get(key, 0)
        req = requested.get(_month_key(requested, month), {})
        n = req.get("requests", 0)
        rows.append(
            {
                "month": month,
                "recorded": count,
                "requests": n,
                "accepted": req.get("accepted", 0),
                "refused": req.get("refused", 0),
                "pending": req.get("pending", 0),
                "rate": round(100 * n / count, 1) if count else None,
            }
        )
        month = (month - timedelta(days=1)).replace(day=1)
    return rows


def _month_key(mapping, month):
    """TruncMonth on a date gives a date on PostgreSQL and SQLite; be tolerant of datetimes."""
    if month in mapping:
        return month
    for key in mapping:
        if isinstance(key, datetime) and key.date() == month:
            return key
    return month


def open_referral_action(entry, pk):
    """The entry's "refer to triage clinic" action ``pk`` that has no referral yet, or None."""
    if not pk:
        return None
    return ScreeningAction.objects.filter(
        pk=pk, entry=entry, kind=ScreeningActionKind.REFER_TO_TRIAGE, referral__isnull=True
    ).first()


def referrals_from(entry):
    """The referrals made from this crime, oldest first (shown on the entry's page)."""
    return Referral.objects.filter(crime_screen_entry=entry).order_by("created_at", "pk")


def police_referral_source(membership):
    """The partnership's current "Police" referral source, or None."""
    return (
        code_choices(CodeList.REFERRAL_SOURCE, membership.agency.partnership_id)
        .filter(code="police")
        .first()
    )
