"""The pseudonymised research extract: which cases it covers, its columns (one definition
list, from which both the CSV and its data dictionary are written, so they never drift),
the pseudonyms, and the rows, read a chunk of cases at a time.

What never leaves: names, aliases, dates of birth, addresses, postcodes, phone numbers,
emails, workplaces, identifiers (PNC, force nominal, NHS), crime references, case
references, external ids, and free text of any kind (summaries, reasons, notes). Every
value below is a code from a controlled list, a count, an event date or a pseudonym. A date
of birth becomes an age band at referral; event dates are kept (evaluators count
re-offending windows and days to disposal from them).

Pseudonyms are HMAC-SHA256 over "person:<id>" / "case:<id>" keyed with the partnership's
PseudonymKey, hex truncated to 16 characters: the same person has the same pseudonym in
every extract of that partnership and a different one in any other partnership's. Without
the key a pseudonym cannot be turned back into a record id.

Reads are per chunk of CHUNK_SIZE cases, a fixed number of queries each (CHUNK_QUERIES),
so a 100,000-case extract holds one chunk of records in memory at a time."""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import can
from accounts.models import Membership
from accounts.roles import Cap, Role
from advocacy.models import ClosureReason as EpisodeClosureReason
from advocacy.models import SupportEpisode
from audit.services import visible_or_404
from cases.models import (
    VICTIM_ROLES,
    Case,
    CaseParty,
    Classification,
    CodeList,
    Gender,
    OffenceLevel,
    OrderDecision,
    OrderKind,
    PartyRole,
    Priority,
    ProtectiveOrder,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
    ReoffendingVictim,
    Tier,
)
from interventions.models import Enrolment, EnrolmentStatus, ProgrammeKind
from interventions.selectors.enrolments import derived_progress
from reporting.models import ApprovalStatus, PseudonymKey, ReportKind, ReportRun
from reporting.selectors.evaluation import AGE_BANDS, AGE_UNKNOWN, age_band
from risk.models import Assessment as RiskAssessment
from risk.models import AssessmentStatus, HistoricLevel, RiskLevel

CHUNK_SIZE = 2000
# Queries per chunk of cases (tests/reporting/test_extracts.py holds the build to it).
CHUNK_QUERIES = 10
LIST_SEPARATOR = ";"
PSEUDONYM_LENGTH = 16
SPO_KINDS = (OrderKind.SPO_INTERIM, OrderKind.SPO_FULL)


# --- Pseudonyms -------------------------------------------------------------


def pseudonym_key(partnership):
    """The partnership's pseudonym secret, made on first use."""
    key, _created = PseudonymKey.objects.get_or_create(partnership=partnership)
    return key.secret


def pseudonym(secret, kind, pk):
    """P-/C- and 16 hex characters of HMAC-SHA256(secret, "<kind>:<pk>")."""
    digest = hmac.new(secret.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
    prefix = "P-" if kind == "person" else "C-"
    return prefix + digest[:PSEUDONYM_LENGTH]


# --- The columns ----------------------------------------------------------------------------


def _codes(choices):
    return ", ".join(str(value) for value in choices.values if value)


def _reference_codes(code_list):
    def values(partnership_id):
        codes = (
            ReferenceCode.objects.of(code_list)
            .for_partnership(partnership_id)
            .order_by("sort_order", "code")
            .values_list("code", "label")
            .distinct()
        )
        return "; ".join(f"{code} ({label})" for code, label in codes)

    return values


BLANK = "blank: not recorded"
LIST = f"'{LIST_SEPARATOR}'-separated"


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    # The values it holds: text, or (partnership id) -> text for a partnership's code list.
    values: str | Callable

    def values_for(self, partnership_id):
        return self.values(partnership_id) if callable(self.values) else self.values


COLUMNS = [
    Column(
        "case_pseudonym",
        "The case: stable across this partnership's extracts.",
        "C- and 16 hexadecimal characters",
    ),
    Column(
        "perpetrator_pseudonym",
        "The case's first perpetrator (the person, the same in every case they are on).",
        "P- and 16 hexadecimal characters; blank: no perpetrator recorded",
    ),
    Column("perpetrators_n", "Perpetrators on the case.", "whole number"),
    Column(
        "victim_pseudonym",
        "The case's first victim (victims before secondary victims).",
        "P- and 16 hexadecimal characters; blank: no victim recorded",
    ),
    Column("victims_n", "Victims and secondary victims on the case.", "whole number"),
    Column(
        "referral_received_on",
        "The first referral of the case received in the extract's period.",
        "date, YYYY-MM-DD",
    ),
    Column(
        "referral_source",
        "Where that referral came from.",
        _reference_codes(CodeList.REFERRAL_SOURCE),
    ),
    Column(
        "referrals_in_period_n", "Referrals of the case received in the period.", "whole number"
    ),
    Column("case_opened_on", "The day the case was opened.", "date, YYYY-MM-DD"),
    Column("classification", "Stalking or not.", f"{_codes(Classification)}; {BLANK}"),
    Column("tier", "The clinic's tier.", f"{_codes(Tier)}; {BLANK}"),
    Column("priority", "The case's priority.", f"{_codes(Priority)}; {BLANK}"),
    Column("offence_level", "Section 2A or 4A.", f"{_codes(OffenceLevel)}; {BLANK}"),
    Column("perpetrator_gender", "The first perpetrator's gender.", f"{_codes(Gender)}; {BLANK}"),
    Column(
        "perpetrator_age_band",
        "The first perpetrator's age on the referral date (from the date of birth, which is "
        "not in the extract).",
        ", ".join(AGE_BANDS[:-1]) + f", {AGE_UNKNOWN} (no date of birth)",
    ),
    Column("victim_gender", "The first victim's gender.", f"{_codes(Gender)}; {BLANK}"),
    Column(
        "relationship",
        "The perpetrator's relationship to the victim.",
        _reference_codes(CodeList.RELATIONSHIP),
    ),
    Column(
        "typologies",
        f"Stalker typologies recorded on the case, {LIST}, in code order.",
        _reference_codes(CodeList.TYPOLOGY),
    ),
    Column(
        "risk_latest",
        f"The latest completed risk assessment with each tool, {LIST} tool=level, in tool "
        "order. A rating brought in from an earlier system shows the level as recorded.",
        "tool code=level; levels "
        + ", ".join(RiskLevel.values)
        + " (historic ratings also "
        + ", ".join(v for v in HistoricLevel.values if v not in RiskLevel.values)
        + ")",
    ),
    Column(
        "spo_applied_on",
        "The first application for a stalking protection order (interim or full).",
        "date, YYYY-MM-DD; blank: none",
    ),
    Column(
        "spo_granted",
        "Whether any stalking protection order on the case was granted.",
        "yes, no (applied, none granted), blank: never applied for",
    ),
    Column(
        "interventions",
        f"Each intervention on the case, {LIST}, oldest referral first: its kind. The next "
        "four columns are lists in the same order.",
        _codes(ProgrammeKind),
    ),
    Column(
        "intervention_statuses",
        f"Each intervention's status, {LIST}.",
        _codes(EnrolmentStatus),
    ),
    Column(
        "intervention_started_on",
        f"Each intervention's first attended session, {LIST}.",
        "dates, YYYY-MM-DD; empty item: not started",
    ),
    Column(
        "intervention_completed_on",
        f"Each completed intervention's last attended session, {LIST}.",
        "dates, YYYY-MM-DD; empty item: not completed",
    ),
    Column(
        "intervention_withdrawn_on",
        f"Each withdrawn intervention's withdrawal date, {LIST}.",
        "dates, YYYY-MM-DD; empty item: not withdrawn",
    ),
    Column("advocacy_episodes_n", "Advocacy support episodes on the case.", "whole number"),
    Column(
        "advocacy_first_contact_on",
        "The first contact made with a victim in any episode (London date).",
        "date, YYYY-MM-DD; blank: none made",
    ),
    Column(
        "advocacy_closure_reasons",
        f"Each episode's closure reason, {LIST}, oldest referral first.",
        _codes(EpisodeClosureReason) + "; empty item: still open",
    ),
    Column("reoffending_n", "Re-offending events recorded on the case (any date).", "whole number"),
    Column(
        "reoffending_same_victim_n",
        "Of those, against the same victim (persistence).",
        "whole number",
    ),
    Column(
        "reoffending_new_victim_n",
        "Of those, against a new victim (recurrence).",
        "whole number",
    ),
    Column(
        "reoffending_first_on",
        "The date of the first re-offending event.",
        "date, YYYY-MM-DD; blank: none",
    ),
    Column("closed_on", "The day the case was closed.", "date, YYYY-MM-DD; blank: open"),
    Column(
        "closure_reason",
        "Why the case was closed.",
        _reference_codes(CodeList.CLOSURE_REASON),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def dictionary_rows(partnership_id):
    """Rows of the data dictionary: [column, meaning, values]."""
    return [[c.name, c.meaning, c.values_for(partnership_id)] for c in COLUMNS]


# --- The cases and their rows ------------------------------------------------------------


def extract_case_ids(scope):
    """Ids of the cases in scope with a referral received in the period, in id order."""
    referred = Referral.objects.filter(
        scope.dates("received_on"), partnership_id=scope.partnership_id, case__isnull=False
    ).values("case_id")
    return list(
        Case.objects.filter(scope.cases(""), pk__in=referred)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _day(value):
    return value.isoformat() if value else ""


def _join(items):
    return LIST_SEPARATOR.join(items)


def _local_day(instant):
    return timezone.localtime(instant).date() if instant else None


def _chunk_facts(scope, ids):
    """Everything the rows of ``ids`` need, in CHUNK_QUERIES queries."""
    facts = defaultdict(lambda: defaultdict(list))
    cases = Case.objects.filter(pk__in=ids).values(
        "pk",
        "opened_on",
        "classification",
        "tier",
        "priority",
        "offence_level",
        "relationship__code",
        "closed_on",
        "closure_reason__code",
    )
    core = {row["pk"]: row for row in cases}
    parties = (
        CaseParty.objects.filter(case_id__in=ids)
        .annotate(person_key=Coalesce("person__merged_into_id", "person_id"))
        .order_by("case_id", "added_at", "pk")
        .values_list("case_id", "role", "person_key", "person__gender", "person__date_of_birth")
    )
    for case_id, role, person, gender, born in parties:
        facts[case_id]["parties"].append((role, person, gender, born))
    referrals = (
        Referral.objects.filter(scope.dates("received_on"), case_id__in=ids)
        .order_by("case_id", "received_on", "pk")
        .values_list("case_id", "received_on", "source__code")
    )
    for case_id, received_on, source in referrals:
        facts[case_id]["referrals"].append((received_on, source))
    typologies = (
        Case.typologies.through.objects.filter(case_id__in=ids)
        .order_by("case_id", "referencecode__code")
        .values_list("case_id", "referencecode__code")
    )
    for case_id, code in typologies:
        facts[case_id]["typologies"].append(code)
    assessments = (
        RiskAssessment.objects.filter(case_id__in=ids, status=AssessmentStatus.COMPLETE)
        .order_by("case_id", "assessed_on", "pk")
        .values_list(
            "case_id", "instrument_version__instrument__code", "historic", "recorded_level", "level"
        )
    )
    for case_id, tool, historic, recorded, level in assessments:
        # Ordered oldest first: the last one written per tool is the latest.
        facts[case_id]["risk"].append((tool, recorded if historic else level))
    orders = (
        ProtectiveOrder.objects.filter(case_id__in=ids, kind__in=SPO_KINDS)
        .order_by("case_id", "applied_on", "pk")
        .values_list("case_id", "applied_on", "decision")
    )
    for case_id, applied_on, decision in orders:
        facts[case_id]["spo"].append((applied_on, decision))
    enrolments = Enrolment.objects.filter(case_id__in=ids)
    progress = {row[0]: row for row in derived_progress(enrolments)}
    for pk, case_id, kind, withdrawn_on in enrolments.order_by(
        "case_id", "referred_on", "pk"
    ).values_list("pk", "case_id", "programme__kind", "withdrawn_on"):
        _id, _attended, started, ended, status = progress[pk]
        completed = ended if status == EnrolmentStatus.COMPLETED else None
        facts[case_id]["interventions"].append((kind, status, started, completed, withdrawn_on))
    episodes = (
        SupportEpisode.objects.filter(case_id__in=ids)
        .order_by("case_id", "referred_on", "pk")
        .values_list("case_id", "first_contact_made_at", "closure_reason")
    )
    for case_id, contact_at, reason in episodes:
        facts[case_id]["episodes"].append((_local_day(contact_at), reason))
    reoffending = (
        ReoffendingEvent.objects.filter(case_id__in=ids)
        .order_by()
        .values("case_id")
        .annotate(
            n=Count("pk"),
            same=Count("pk", filter=Q(victim=ReoffendingVictim.SAME)),
            new=Count("pk", filter=Q(victim=ReoffendingVictim.NEW)),
            first=Min("occurred_on"),
        )
        .values_list("case_id", "n", "same", "new", "first")
    )
    for case_id, n, same, new, first in reoffending:
        facts[case_id]["reoffending"] = (n, same, new, first)
    return core, facts


def _first(parties, roles):
    for role, person, gender, born in parties:
        if role in roles:
            return person, gender, born
    return None, "", None


def _row(secret, case, facts):
    parties = facts["parties"]
    perpetrators = [p for p in parties if p[0] == PartyRole.PERPETRATOR]
    victims = [p for p in parties if p[0] in VICTIM_ROLES]
    perpetrator, perpetrator_gender, born = _first(parties, {PartyRole.PERPETRATOR})
    victim, victim_gender, _born = _first(parties, {PartyRole.VICTIM})
    if victim is None:
        victim, victim_gender, _born = _first(parties, VICTIM_ROLES)
    referrals = facts["referrals"]
    referred_on, source = referrals[0] if referrals else (None, "")
    latest_risk = dict(facts["risk"])  # later assessments overwrite earlier ones
    spo = facts["spo"]
    granted = ""
    if spo:
        granted = "yes" if any(d == OrderDecision.GRANTED for _a, d in spo) else "no"
    interventions = facts["interventions"]
    episodes = facts["episodes"]
    contacts = [day for day, _reason in episodes if day]
    reoffences, same, new, first = facts.get("reoffending") or (0, 0, 0, None)
    return [
        pseudonym(secret, "case", case["pk"]),
        pseudonym(secret, "person", perpetrator) if perpetrator else "",
        len(perpetrators),
        pseudonym(secret, "person", victim) if victim else "",
        len(victims),
        _day(referred_on),
        source or "",
        len(referrals),
        _day(case["opened_on"]),
        case["classification"],
        case["tier"],
        case["priority"],
        case["offence_level"],
        perpetrator_gender or "",
        age_band(born, referred_on) if perpetrator else AGE_UNKNOWN,
        victim_gender or "",
        case["relationship__code"] or "",
        _join(facts["typologies"]),
        _join(f"{tool}={level}" for tool, level in sorted(latest_risk.items())),
        _day(spo[0][0]) if spo else "",
        granted,
        _join(kind for kind, *_rest in interventions),
        _join(status for _kind, status, *_rest in interventions),
        _join(_day(item[2]) for item in interventions),
        _join(_day(item[3]) for item in interventions),
        _join(_day(item[4]) for item in interventions),
        len(episodes),
        _day(min(contacts)) if contacts else "",
        _join(reason or "" for _day_, reason in episodes),
        reoffences,
        same,
        new,
        _day(first),
        _day(case["closed_on"]),
        case["closure_reason__code"] or "",
    ]


def extract_rows(scope, secret, *, case_ids=None, progress=None):
    """The extract's rows (COLUMNS order), one per case, a chunk of cases at a time."""
    ids = extract_case_ids(scope) if case_ids is None else case_ids
    total = len(ids)
    for start in range(0, total, CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        core, facts = _chunk_facts(scope, chunk)
        for pk in chunk:
            yield _row(secret, core[pk], facts[pk])
        if progress is not None:
            progress(100 * min(total, start + CHUNK_SIZE) / max(total, 1))


# --- The requests, for the pages ----------------------------------------------------------


def extract_runs(partnership_id):
    return ReportRun.objects.filter(
        partnership_id=partnership_id, kind=ReportKind.RESEARCH_EXTRACT
    ).select_related("requested_by", "decided_by", "local_area")


def extract_requests_for(membership):
    """The extracts a member sees: a partnership admin every one of the partnership's, any
    other member those they asked for."""
    runs = extract_runs(membership.agency.partnership_id)
    if can(membership, Cap.MANAGE_PARTNERSHIP):
        return runs
    return runs.filter(requested_by=membership.user)


def extract_for_decision(membership, pk):
    """One of the partnership's extracts, or a 404 with one denial row."""
    return visible_or_404(membership, extract_runs(membership.agency.partnership_id), pk)


def approver_ids(partnership_id, *, excluding_user_id=None):
    """Users who may decide an extract request: the partnership's active admins, never the
    person who asked for it."""
    admins = Membership.objects.usable().filter(
        agency__partnership_id=partnership_id, role=Role.PARTNERSHIP_ADMIN
    )
    if excluding_user_id is not None:
        admins = admins.exclude(user_id=excluding_user_id)
    return sorted(set(admins.values_list("user_id", flat=True)))


def pending_count(partnership_id):
    return extract_runs(partnership_id).filter(approval=ApprovalStatus.REQUESTED).count()


def period_label(run):
    return f"{run.period_start:%-d %b %Y} to {run.period_end:%-d %b %Y}"
