"""The evaluation pack: the tables of UCL's MASIP evaluation, computed from the records for
a report's scope and period. Counting rules, anchors and the report date are written out in
docs/evaluation-pack.md; each table's ``description`` below is the same rule in one
paragraph (the XLSX Definitions sheet and the HTML view print it).

The pack's cases: the cases in scope (Scope.cases) with at least one referral received in
the period. Every table but ``referral_source`` (which counts referrals) is about those
cases, their perpetrators and victims. A re-referred case is in the pack of every period it
was referred in, with the same anchors (its first referral is its referral date).

Performance: a fixed handful of queries whatever the size (aggregates grouped in SQL, or
rows streamed with ``iterator`` and folded into per-case tuples), never one per case."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Min, Q

from accounts.models import Agency
from cases.models import (
    Case,
    CaseParty,
    CodeList,
    CrimeScreenEntry,
    Gender,
    PartyRole,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
    ReoffendingVictim,
    Tier,
)
from cases.models.case import add_months
from interventions.models import Enrolment, ProgrammeKind
from interventions.selectors.enrolments import derived_progress
from reporting.documents import Table
from risk.models import Assessment, AssessmentStatus, HistoricLevel

CHUNK = 5000
WINDOWS = (3, 6, 9, 12)  # months after the anchor

ANCHOR_REFERRAL = "referral"
ANCHOR_MONITORING = "monitoring_start"
ANCHOR_INTERVENTION_END = "intervention_end"
ANCHORS = {
    ANCHOR_REFERRAL: "Referral date (the case's first referral received)",
    ANCHOR_MONITORING: "Monitoring start (recorded, else the date the case closed)",
    ANCHOR_INTERVENTION_END: "Intervention end (the end of the case's latest ended enrolment)",
}
DEFAULT_ANCHOR = ANCHOR_REFERRAL

NOT_REACHED, NO, YES = "not_reached", "no", "yes"

# Referral sources: the eight buckets of the evaluation, and the referral_source codes (by
# code, so a relabelled version of a code stays in its bucket) that fall in each. Any other
# code (the unit itself, "other", a partnership's local codes) is "other".
SOURCE_BUCKETS = ["police", "probation", "health", "advocacy", "MARAC", "helpline", "self", "other"]
SOURCE_CODES = {
    "police": "police",
    "probation": "probation",
    "health": "health",
    "advocacy": "advocacy",
    "marac": "MARAC",
    "helpline": "helpline",
    "self_via_advocacy": "self",
    "self": "self",
    "self_referral": "self",
}


def source_bucket(code):
    return SOURCE_CODES.get(code or "", "other")


# Gender: "not known" (asked, could not be found out) and "not recorded" (blank: never
# asked or not written down) are listed apart, as the Person model tells them apart.
NOT_KNOWN_LABEL = "not known"
NOT_RECORDED_LABEL = "not recorded"
GENDERS = [
    (Gender.FEMALE, "female"),
    (Gender.MALE, "male"),
    (Gender.NON_BINARY, "non-binary"),
    (Gender.OTHER, "other"),
    (Gender.NOT_KNOWN, NOT_KNOWN_LABEL),
    ("", NOT_RECORDED_LABEL),
]
GENDER_LABELS = dict(GENDERS)
GENDER_COLUMNS = [label for _code, label in GENDERS]


def gender_label(code):
    return GENDER_LABELS.get(code or "", NOT_RECORDED_LABEL)


# Age at referral, youngest first; "unknown" without a date of birth (or one after the
# referral). The pack's table and the research extract's column use these.
AGE_UNKNOWN = "unknown"
AGE_BANDS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+", AGE_UNKNOWN]


def age_on(born, on):
    """Whole years from ``born`` to ``on`` (a birthday on 29 February counts on 1 March
    in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born, on):
    if born is None or on is None or born > on:
        return AGE_UNKNOWN
    age = age_on(born, on)
    if age < 25:
        return "<25"
    if age >= 65:
        return "65+"
    low = 25 + 10 * ((age - 25) // 10)
    return f"{low}-{low + 9}"


TIERS = [
    (Tier.NONE, "none"),
    (Tier.TIER_1, "1"),
    (Tier.TIER_2, "2"),
    (Tier.TIER_3, "3"),
    (Tier.TIER_4, "4"),
    (Tier.NOT_KNOWN, NOT_KNOWN_LABEL),
    ("", NOT_RECORDED_LABEL),
]
TIER_LABELS = dict(TIERS)

# SASH concern levels as the pack lists them: a rating made here maps its common level
# back to the SASH band; a historic rating is listed as recorded (moderate/high included).
SASH_NOT_COMPLETED = "not completed"
SASH_LEVELS = ["low", "moderate", "moderate/high", "high", SASH_NOT_COMPLETED]
SASH_FROM_LEVEL = {"low": "low", "medium": "moderate", "high": "high"}
SASH_FROM_RECORDED = {
    HistoricLevel.LOW: "low",
    HistoricLevel.MODERATE: "moderate",
    HistoricLevel.MODERATE_HIGH: "moderate/high",
    HistoricLevel.HIGH: "high",
}
SASH_CODE = "sash"

ONE_DP = Decimal("0.1")


def one_dp(numerator, denominator):
    """numerator / denominator to one decimal place, half up (Decimal: 1.25 -> 1.3, and
    4/3 -> 1.3), as a float for the spreadsheet; None when the denominator is 0."""
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(ONE_DP, rounding=ROUND_HALF_UP)
    return float(value)


def percent(count, total):
    return one_dp(100 * count, total)


# --- The pack's cases and the facts every table reads -----------------------------------


def pack_referrals(scope):
    """Referrals received in the period, in the scope (Scope.referrals: a referral not yet
    linked to a case counts where its referring agency belongs)."""
    return Referral.objects.filter(scope.dates("received_on"), scope.referrals())


def pack_cases(scope):
    """The pack's cases: in scope, with at least one referral received in the period."""
    referred = Referral.objects.filter(
        scope.dates("received_on"), partnership_id=scope.partnership_id, case__isnull=False
    ).values("case_id")
    return Case.objects.filter(scope.cases(""), pk__in=referred)


@dataclass(slots=True)
class CaseFacts:
    lead_agency_id: int
    tier: str
    referred_on: date | None  # the first referral ever received for the case
    monitoring_from: date | None


@dataclass(slots=True)
class Party:
    case_id: int
    person_id: int
    gender: str
    born: date | None
    born_not_known: bool


class PackData:
    """Everything the tables need, read once (each a single streamed query)."""

    def __init__(self, scope, *, anchor, report_date):
        self.scope = scope
        self.anchor = anchor
        self.report_date = report_date
        self.cases_qs = pack_cases(scope)
        self.case_ids = self.cases_qs.values("pk")
        self.cases: dict[int, CaseFacts] = {}
        rows = (
            self.cases_qs.annotate(first_referral=Min("referrals__received_on"))
            .order_by()
            .values_list(
                "pk",
                "lead_agency_id",
                "tier",
                "closed_on",
                "monitoring_started_on",
                "first_referral",
            )
        )
        for pk, agency_id, tier, closed_on, monitoring_on, first in rows.iterator(CHUNK):
            self.cases[pk] = CaseFacts(
                lead_agency_id=agency_id,
                tier=tier,
                referred_on=first,
                monitoring_from=(monitoring_on or closed_on) if closed_on else None,
            )
        self.perpetrators: list[Party] = []
        self.victims: list[Party] = []
        parties = (
            CaseParty.objects.filter(
                case_id__in=self.case_ids, role__in=[PartyRole.PERPETRATOR, PartyRole.VICTIM]
            )
            .order_by("case_id", "person_id")
            .values_list(
                "case_id",
                "role",
                "person_id",
                "person__gender",
                "person__date_of_birth",
                "person__date_of_birth_not_known",
            )
        )
        for case_id, role, person_id, gender, born, not_known in parties.iterator(CHUNK):
            party = Party(case_id, person_id, gender, born, not_known)
            (self.perpetrators if role == PartyRole.PERPETRATOR else self.victims).append(party)
        self._read_enrolments()
        self.anchors = self._anchors()

    def _read_enrolments(self):
        """Started enrolments per case (kinds) and each case's intervention end."""
        enrolments = Enrolment.objects.filter(case_id__in=self.case_ids)
        kind_of = dict(enrolments.order_by().values_list("pk", "programme__kind").iterator(CHUNK))
        case_of = dict(enrolments.order_by().values_list("pk", "case_id").iterator(CHUNK))
        self.kinds: dict[int, set] = defaultdict(set)
        self.intervention_end: dict[int, date] = {}
        for pk, attended, first_on, ended_on, _status in derived_progress(enrolments):
            case_id = case_of[pk]
            if attended and first_on is not None:
                self.kinds[case_id].add(kind_of[pk])
            if ended_on is not None and (
                case_id not in self.intervention_end or ended_on > self.intervention_end[case_id]
            ):
                self.intervention_end[case_id] = ended_on

    def _anchors(self):
        if self.anchor == ANCHOR_MONITORING:
            return {pk: facts.monitoring_from for pk, facts in self.cases.items()}
        if self.anchor == ANCHOR_INTERVENTION_END:
            return {pk: self.intervention_end.get(pk) for pk in self.cases}
        return {pk: facts.referred_on for pk, facts in self.cases.items()}

    def window_outcomes(self):
        """{case id: [(status, persistence, recurrence) per window]} for the cases with an
        anchor date. ``status`` is not_reached when the window's last day (anchor + n
        months) is after the report date, else yes when at least one re-offending event
        of the case is dated after the anchor and on or before that last day, else no.
        persistence / recurrence: such an event with the same / a new victim."""
        ends = {}
        for pk, anchor in self.anchors.items():
            if anchor is not None:
                ends[pk] = [add_months(anchor, months) for months in WINDOWS]
        seen: dict[tuple[int, int], set] = defaultdict(set)
        events = (
            ReoffendingEvent.objects.filter(case_id__in=self.case_ids)
            .order_by()
            .values_list("case_id", "occurred_on", "victim")
        )
        for case_id, occurred_on, victim in events.iterator(CHUNK):
            if case_id not in ends:
                continue
            anchor = self.anchors[case_id]
            if occurred_on <= anchor:
                continue
            for index, end in enumerate(ends[case_id]):
                if occurred_on <= end:
                    seen[case_id, index].add(victim)
        outcomes = {}
        for pk, case_ends in ends.items():
            row = []
            for index, end in enumerate(case_ends):
                if end > self.report_date:
                    row.append((NOT_REACHED, False, False))
                    continue
                victims = seen.get((pk, index), set())
                row.append(
                    (
                        YES if victims else NO,
                        ReoffendingVictim.SAME in victims,
                        ReoffendingVictim.NEW in victims,
                    )
                )
            outcomes[pk] = row
        return outcomes

    def latest_sash(self):
        """{(case id, person id): level label} for every perpetrator with a SASH rating:
        the latest complete SASH on the case about that person (or about no one in
        particular), by assessment date, completion time, then id; a historic rating of
        "not completed" rates nothing and never hides an earlier rating. The value is
        "not completed" for a perpetrator whose only SASH rows are such."""
        rows = (
            Assessment.objects.filter(
                case_id__in=self.case_ids,
                status=AssessmentStatus.COMPLETE,
                instrument_version__instrument__code=SASH_CODE,
            )
            .filter(
                Q(instrument_version__instrument__partnership__isnull=True)
                | Q(instrument_version__instrument__partnership_id=self.scope.partnership_id)
            )
            .order_by()
            .values_list(
                "case_id",
                "subject_id",
                "historic",
                "recorded_level",
                "level",
                "assessed_on",
                "completed_at",
                "pk",
            )
        )
        latest: dict[tuple, tuple] = {}
        tried: set = set()
        for case_id, subject_id, historic, recorded, level, on, completed, pk in rows.iterator(
            CHUNK
        ):
            label = SASH_FROM_RECORDED.get(recorded) if historic else SASH_FROM_LEVEL.get(level)
            key = (case_id, subject_id)
            if label is None:
                tried.add(key)
                continue
            order = (on, completed.timestamp() if completed else 0, pk)
            if key not in latest or order > latest[key][0]:
                latest[key] = (order, label)
        result = {}
        for party in self.perpetrators:
            own = latest.get((party.case_id, party.person_id))
            general = latest.get((party.case_id, None))
            candidates = [found for found in (own, general) if found is not None]
            key = (party.case_id, party.person_id)
            if candidates:
                result[key] = max(candidates)[1]
            elif key in tried or (party.case_id, None) in tried:
                result[key] = SASH_NOT_COMPLETED
        return result


# --- The tables -------------------------------------------------------------------------


def referral_source_table(data):
    counts = Counter()
    rows = (
        pack_referrals(data.scope)
        .order_by()
        .values("source__code")
        .annotate(n=Count("pk"))
        .values_list("source__code", "n")
    )
    for code, n in rows:
        counts[source_bucket(code)] += n
    return Table(
        key="referral_source",
        title="Referrals by source",
        columns=["source", "referrals"],
        rows=[[bucket, counts[bucket]] for bucket in SOURCE_BUCKETS],
        description=(
            "Referrals received in the period (received date, London), of cases in scope; "
            "for the whole partnership also referrals not linked to a case. Each referral "
            "once, so a case referred twice counts twice. Source codes map to buckets by "
            "code: police, probation, health, advocacy, marac (MARAC), helpline as named; "
            "self_via_advocacy (self-referral via advocacy) is self; the unit itself, other "
            "and local codes are other."
        ),
    )


WINDOW_COLUMNS = [
    "cases",
    "no_anchor",
    NOT_REACHED,
    NO,
    YES,
    "yes_persistence",
    "yes_recurrence",
]


def _window_counts(case_ids, outcomes):
    """[[window, cases, no_anchor, not_reached, no, yes, persistence, recurrence] …]"""
    no_anchor = sum(1 for pk in case_ids if pk not in outcomes)
    rows = []
    for index, months in enumerate(WINDOWS):
        counts = Counter()
        for pk in case_ids:
            found = outcomes.get(pk)
            if found is None:
                continue
            status, same, new = found[index]
            counts[status] += 1
            counts["same"] += same
            counts["new"] += new
        rows.append(
            [
                months,
                len(case_ids),
                no_anchor,
                counts[NOT_REACHED],
                counts[NO],
                counts[YES],
                counts["same"],
                counts["new"],
            ]
        )
    return rows


def _anchor_rule(data):
    return (
        f"Anchor: {ANCHORS[data.anchor].lower()}. Report date: {data.report_date:%d %B %Y} "
        "(the day the pack was built)."
    )


def reoffending_windows_table(data, outcomes):
    return Table(
        key="reoffending_windows",
        title="Re-offending within 3, 6, 9 and 12 months of the anchor",
        columns=["window_months", *WINDOW_COLUMNS],
        rows=_window_counts(list(data.cases), outcomes),
        description=(
            "Each pack case once per window. no_anchor: the case has no anchor date. "
            "not_reached: the window's last day (anchor + n months, clamped to the month's "
            "end) is after the report date. yes: at least one re-offending event of the case "
            "dated after the anchor and on or before the window's last day; no: none. "
            "yes_persistence / yes_recurrence: cases counted yes with such an event against "
            "the same / a new victim (a case can be both). " + _anchor_rule(data)
        ),
    )


NO_INTERVENTION = "no intervention"


def interventions_table(data, outcomes):
    kind_labels = dict(ProgrammeKind.choices)
    by_kind: dict[str, list] = defaultdict(list)
    overlapping = set()
    for pk in data.cases:
        kinds = data.kinds.get(pk, set())
        if len(kinds) > 1:
            overlapping.add(pk)
        for kind in kinds or [NO_INTERVENTION]:
            by_kind[kind].append(pk)
    order = [kind for kind, _label in ProgrammeKind.choices if kind in by_kind]
    order += sorted(kind for kind in by_kind if kind not in kind_labels and kind != NO_INTERVENTION)
    if NO_INTERVENTION in by_kind:
        order.append(NO_INTERVENTION)
    rows = []
    for kind in order:
        case_ids = by_kind[kind]
        label = kind_labels.get(kind, kind)
        overlap = sum(1 for pk in case_ids if pk in overlapping)
        for row in _window_counts(case_ids, outcomes):
            rows.append([label, *row, overlap])
    return Table(
        key="interventions_by_reoffending",
        title="Re-offending windows by intervention received",
        columns=["intervention", "window_months", *WINDOW_COLUMNS, "overlapping"],
        rows=rows,
        description=(
            "The re-offending windows for the pack cases that received each kind of "
            "intervention (programme kind of an enrolment on the case, for any person on "
            "it, with at least one session attended); no intervention: cases with none. "
            "A case with interventions of several kinds counts under each; overlapping is "
            "the number of the row's cases that also count under another kind, so the "
            "rows of one window do not add up to the pack. " + _anchor_rule(data)
        ),
        widths=(34,),
    )


def disposal_days_table(data):
    labels, order = {}, {}
    codes = (
        ReferenceCode.objects.of(CodeList.OUTCOME)
        .for_partnership(data.scope.partnership_id)
        .order_by("sort_order", "code", "version")
        .values_list("code", "label", "sort_order")
    )
    for code, label, sort_order in codes:
        labels[code] = label  # the latest version's wording
        order.setdefault(code, (sort_order, code))
    days_by_code: dict[str, list] = defaultdict(lambda: [0, 0, None, None])
    crimes = (
        CrimeScreenEntry.objects.filter(
            case_id__in=data.case_ids,
            disposal__isnull=False,
            same_course_as__isnull=True,
            disposal_on__gte=F("recorded_on"),
        )
        .order_by()
        .values_list("disposal__code", "recorded_on", "disposal_on")
    )
    for code, recorded_on, disposal_on in crimes.iterator(CHUNK):
        days = (disposal_on - recorded_on).days
        stats = days_by_code[code]
        stats[0] += 1
        stats[1] += days
        stats[2] = days if stats[2] is None else min(stats[2], days)
        stats[3] = days if stats[3] is None else max(stats[3], days)
    rows = []
    for code in sorted(set(order) | set(days_by_code), key=lambda c: order.get(c, (10**6, c))):
        n, total, low, high = days_by_code.get(code, [0, 0, None, None])
        rows.append([code, labels.get(code, code), n, low, one_dp(total, n), high])
    return Table(
        key="disposal_days",
        title="Days from crime recorded to outcome, by Home Office outcome code",
        columns=["outcome_code", "outcome", "n", "min_days", "mean_days", "max_days"],
        rows=rows,
        description=(
            "Crimes from the police crime screen linked to a pack case with a Home Office "
            "outcome (disposal) recorded: days from the crime's recorded date to the outcome "
            "date. A later report of the same course of conduct is not counted (only the "
            "first), nor a row whose outcome date is before its recorded date (a data "
            "error, shown in the police record). Mean to one decimal place, half up; "
            "minimum, mean and maximum are empty where N is 0."
        ),
        widths=(14, 60),
    )


def _gender_table(key, title, parties, column, description):
    counts = Counter(gender_label(party.gender) for party in parties)
    return Table(
        key=key,
        title=title,
        columns=["gender", column],
        rows=[[label, counts[label]] for label in GENDER_COLUMNS],
        description=description,
    )


PERPETRATOR_UNIT = (
    "One row per perpetrator on a pack case (a person recorded with the perpetrator role): "
    "a person who is the perpetrator in two pack cases counts in each."
)


def perpetrator_gender_table(data):
    return _gender_table(
        "perpetrator_gender",
        "Perpetrators by gender",
        data.perpetrators,
        "perpetrators",
        PERPETRATOR_UNIT + " not known: asked and could not be found out; not recorded: "
        "the gender is blank.",
    )


def victim_gender_table(data):
    return _gender_table(
        "victim_gender",
        "Victims by gender",
        data.victims,
        "victims",
        "One row per victim on a pack case (role victim; secondary victims are not "
        "counted); a person who is the victim in two pack cases counts in each. not known: "
        "asked and could not be found out; not recorded: the gender is blank.",
    )


def age_band_table(data):
    counts = Counter(
        age_band(party.born, data.cases[party.case_id].referred_on) for party in data.perpetrators
    )
    return Table(
        key="age_band",
        title="Perpetrators by age at referral",
        columns=["age_band", "perpetrators"],
        rows=[[band, counts[band]] for band in AGE_BANDS],
        description=PERPETRATOR_UNIT + " Age in whole years on the case's first referral "
        "date; unknown: no date of birth (not known or not recorded).",
    )


def _crossed(row_labels, column_labels, pairs):
    counts = Counter(pairs)
    rows = []
    for row in row_labels:
        values = [counts[row, column] for column in column_labels]
        rows.append([row, *values, sum(values)])
    totals = [sum(counts[row, column] for row in row_labels) for column in column_labels]
    rows.append(["total", *totals, sum(totals)])
    return rows


def sash_by_gender_table(data, sash):
    pairs = [
        (
            gender_label(party.gender),
            sash.get((party.case_id, party.person_id), SASH_NOT_COMPLETED),
        )
        for party in data.perpetrators
    ]
    return Table(
        key="sash_by_gender",
        title="Perpetrators by gender and latest SASH concern level",
        columns=["gender", *SASH_LEVELS, "total"],
        rows=_crossed(GENDER_COLUMNS, SASH_LEVELS, pairs),
        description=PERPETRATOR_UNIT + " Level: the latest complete SASH on the case about "
        "that person (or about no one named); moderate/high as a clinician recorded it on "
        "a historic rating; not completed: no SASH rating (none, still in progress, or "
        "recorded as not completed).",
    )


def tier_by_gender_table(data):
    tier_rows = [label for _code, label in TIERS]
    pairs = [
        (
            TIER_LABELS.get(data.cases[party.case_id].tier, NOT_RECORDED_LABEL),
            gender_label(party.gender),
        )
        for party in data.perpetrators
    ]
    return Table(
        key="tier_by_gender",
        title="Perpetrators by case tier and gender",
        columns=["tier", *GENDER_COLUMNS, "total"],
        rows=_crossed(tier_rows, GENDER_COLUMNS, pairs),
        description=PERPETRATOR_UNIT + " Tier of the case now: none (looked at, no tier), "
        "1 to 4, not known, or not recorded (blank).",
    )


FILLED, NOT_KNOWN, BLANK = "filled", "not_known", "blank"


def _gender_state(gender):
    if not gender:
        return BLANK
    return NOT_KNOWN if gender == Gender.NOT_KNOWN else FILLED


def _tier_state(tier):
    if not tier:
        return BLANK
    return NOT_KNOWN if tier == Tier.NOT_KNOWN else FILLED


def _born_state(party):
    if party.born is not None:
        return FILLED
    return NOT_KNOWN if party.born_not_known else BLANK


def completeness_table(data, sash):
    """(agency id, field, state) for every value the tables use, counted per agency."""
    states: list[tuple[int, str, str]] = []
    for pk, facts in data.cases.items():
        agency = facts.lead_agency_id
        states.append((agency, "case_tier", _tier_state(facts.tier)))
        states.append((agency, f"anchor_{data.anchor}", FILLED if data.anchors[pk] else BLANK))
    with_perpetrator = set()
    for party in data.perpetrators:
        agency = data.cases[party.case_id].lead_agency_id
        with_perpetrator.add(party.case_id)
        states.append((agency, "perpetrator_gender", _gender_state(party.gender)))
        states.append((agency, "perpetrator_date_of_birth", _born_state(party)))
        level = sash.get((party.case_id, party.person_id))
        sash_state = BLANK if level is None else FILLED
        if level == SASH_NOT_COMPLETED:
            sash_state = NOT_KNOWN
        states.append((agency, "perpetrator_sash", sash_state))
    for pk, facts in data.cases.items():
        recorded = FILLED if pk in with_perpetrator else BLANK
        states.append((facts.lead_agency_id, "perpetrator_recorded", recorded))
    for party in data.victims:
        agency = data.cases[party.case_id].lead_agency_id
        states.append((agency, "victim_gender", _gender_state(party.gender)))

    fields = [
        "perpetrator_recorded",
        "perpetrator_gender",
        "perpetrator_date_of_birth",
        "perpetrator_sash",
        "victim_gender",
        "case_tier",
        f"anchor_{data.anchor}",
    ]
    counts = Counter(states)
    all_counts = Counter((field, state) for _agency, field, state in states)
    agency_ids = {facts.lead_agency_id for facts in data.cases.values()}
    names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    groups = [(names.get(pk, str(pk)), lambda f, s, pk=pk: counts[pk, f, s]) for pk in agency_ids]
    groups.sort(key=lambda group: group[0].lower())
    groups.append(("All agencies", lambda f, s: all_counts[f, s]))
    rows = []
    for name, count in groups:
        for field in fields:
            filled, not_known, blank = (count(field, s) for s in (FILLED, NOT_KNOWN, BLANK))
            n = filled + not_known + blank
            rows.append(
                [
                    name,
                    field,
                    n,
                    filled,
                    not_known,
                    blank,
                    percent(filled, n),
                    percent(not_known, n),
                    percent(blank, n),
                ]
            )
    return Table(
        key="completeness",
        title="Completeness of the fields the pack uses, by lead agency",
        columns=[
            "agency",
            "field",
            "n",
            "filled",
            "not_known",
            "blank",
            "filled_pct",
            "not_known_pct",
            "blank_pct",
        ],
        rows=rows,
        description=(
            "Per lead agency of the pack cases, and for all agencies: for each field the "
            "tables use, N (cases, or perpetrators / victims on them) and the share filled, "
            "not known (asked, could not be found out: gender not known, date of birth "
            "not known, tier not known, SASH recorded as not completed) and blank. "
            "Percentages of N to one decimal place, half up. perpetrator_recorded: the case "
            "has at least one perpetrator; anchor_*: the case has the chosen anchor date."
        ),
        widths=(30, 28),
    )


def evaluation_tables(scope, *, anchor=DEFAULT_ANCHOR, report_date, progress=lambda p: None):
    """(tables, number of pack cases) for the scope: every table of the pack, in order.

    Read in one transaction, so every table sees the same records, and with PostgreSQL
    planning the streamed reads for all their rows (cursor_tuple_fraction 1), since the
    pack reads every row: the default plans a cursor for a fast first tenth, i.e. nested
    loops over the pack's case subquery. benchmarks/evaluation.py: 100,000 cases in
    11-14 s; without the setting 15 s; and 45 s for 20,000 cases (3 s after ANALYZE)
    before it, when the planner's statistics predated a bulk load."""
    if anchor not in ANCHORS:
        anchor = DEFAULT_ANCHOR
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        return _tables(scope, anchor=anchor, report_date=report_date, progress=progress)


def _tables(scope, *, anchor, report_date, progress):
    data = PackData(scope, anchor=anchor, report_date=report_date)
    progress(30)
    outcomes = data.window_outcomes()
    progress(45)
    sash = data.latest_sash()
    progress(55)
    tables = [
        referral_source_table(data),
        reoffending_windows_table(data, outcomes),
        interventions_table(data, outcomes),
        disposal_days_table(data),
    ]
    progress(70)
    tables += [
        perpetrator_gender_table(data),
        victim_gender_table(data),
        age_band_table(data),
        sash_by_gender_table(data, sash),
        tier_by_gender_table(data),
        completeness_table(data, sash),
    ]
    progress(80)
    return tables, len(data.cases)


TABLE_KEYS = [
    "referral_source",
    "reoffending_windows",
    "interventions_by_reoffending",
    "disposal_days",
    "perpetrator_gender",
    "victim_gender",
    "age_band",
    "sash_by_gender",
    "tier_by_gender",
    "completeness",
]
