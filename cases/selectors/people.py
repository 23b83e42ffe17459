"""Reads about people: likely-same-person suggestions and the people a member may see.

Matching never merges. It proposes existing Person records of the member's partnership
that are likely the same human, each with a score and the reasons for it, and the user
chooses. Candidates come from the database (trigram indexes on PostgreSQL, a simpler
prefix match on SQLite); scoring is done here in Python, the same on both databases.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Prefetch, Q, prefetch_related_objects

from accounts.access import sees_whole_partnership
from cases.models import (
    CaseParty,
    CrimeScreenEntry,
    IdentifierKind,
    Person,
    PersonAlias,
    PersonIdentifier,
)
from cases.selectors.core import cases_visible_to, referrals_visible_to, visible_case_ids

# A suggestion is shown at or above this score (0..1).
SHOW_AT = 0.5
# How many candidates the database hands to the scorer, and how many are shown.
CANDIDATES = 60
SHOWN = 10

IDENTIFIER_KINDS = (IdentifierKind.PNC, IdentifierKind.FORCE_NOMINAL, IdentifierKind.NHS)

# Common English short forms, both ways. Small on purpose: trigram similarity and the
# prefix rule (Chris/Christopher) catch most variants.
_NICKNAMES = {
    "bill": "william",
    "will": "william",
    "liam": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "dick": "richard",
    "rick": "richard",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "jack": "john",
    "johnny": "john",
    "jon": "john",
    "mike": "michael",
    "mick": "michael",
    "dave": "david",
    "tom": "thomas",
    "tony": "anthony",
    "steve": "stephen",
    "pete": "peter",
    "kate": "katherine",
    "katie": "katherine",
    "cathy": "catherine",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "maggie": "margaret",
    "meg": "margaret",
    "peggy": "margaret",
    "sue": "susan",
    "sam": "samuel",
    "alex": "alexander",
    "sandy": "alexandra",
    "becky": "rebecca",
    "jenny": "jennifer",
    "jen": "jennifer",
    "nick": "nicholas",
    "andy": "andrew",
    "drew": "andrew",
    "ed": "edward",
    "ted": "edward",
    "harry": "henry",
}


def normalise_identifier(kind, value):
    """Identifiers compare without spaces and case: "12/ 345678a" is "12/345678A"."""
    value = re.sub(r"\s+", "", value or "").upper()
    if kind == IdentifierKind.NHS:
        value = value.replace("-", "")
    return value


def _words(text):
    return re.findall(r"[^\W_]+", (text or "").lower())


def _trigrams(text):
    grams = set()
    for word in _words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a, b):
    """Trigram similarity as PostgreSQL's pg_trgm computes it (0..1)."""
    ta, tb = _trigrams(a), _trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _given_similarity(a, b):
    """Given names: best pair of words, allowing initials, short forms and prefixes."""
    best = similarity(a, b)
    for x in _words(a):
        for y in _words(b):
            if x == y:
                return 1.0
            if _NICKNAMES.get(x, x) == _NICKNAMES.get(y, y):
                best = max(best, 0.9)
            elif (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
                best = max(best, 0.6)
            elif len(x) >= 3 and len(y) >= 3 and (x.startswith(y) or y.startswith(x)):
                best = max(best, 0.75)
            else:
                best = max(best, similarity(x, y))
    return best


@dataclass(frozen=True)
class MatchQuery:
    given_names: str = ""
    family_name: str = ""
    aliases: tuple = ()
    date_of_birth: date | None = None
    identifiers: dict = field(default_factory=dict)  # kind -> value

    @property
    def full_name(self):
        return f"{self.given_names} {self.family_name}".strip()

    def names(self):
        """(given, family) for the name and each alias (alias: last word is the family)."""
        result = [(self.given_names.strip(), self.family_name.strip())]
        for alias in self.aliases[:3]:
            words = alias.split()
            if words:
                result.append((" ".join(words[:-1]), words[-1]))
        return [(g, f) for g, f in result if f]

    def is_empty(self):
        return not (self.family_name.strip() or self.identifiers)


@dataclass
class Suggestion:
    person: Person
    score: float
    reasons: list
    strong: bool = False
    parties: list = field(default_factory=list)  # CaseParty rows in cases the user can see

    @property
    def percent(self):
        return round(self.score * 100)


@dataclass
class MatchResult:
    suggestions: list
    # True when a strong possible match exists that the member may not see. Never any detail.
    hidden_match: bool = False

    def __bool__(self):
        return bool(self.suggestions)


def _related(person, name):
    """A candidate's aliases or identifiers: the plain lists person_match loaded for all
    candidates at once (cheaper than a prefetch cache per candidate), else the manager."""
    loaded = getattr(person, f"match_{name}", None)
    return loaded if loaded is not None else getattr(person, name).all()


def _score(person, query):
    """Score one candidate against the query: (score 0..1, reasons, strong)."""
    reasons, strong = [], False
    identifiers = {(i.kind, i.value) for i in _related(person, "identifiers")}
    for kind, value in query.identifiers.items():
        if value and (kind, normalise_identifier(kind, value)) in identifiers:
            reasons.append(f"Same {IdentifierKind(kind).label}")
            strong = True

    name_score, name_reason = 0.0, ""
    for index, (given, family) in enumerate(query.names()):
        fam = similarity(family, person.family_name)
        giv = _given_similarity(given, person.given_names) if given else 0.3
        score = 0.4 * fam + 0.4 * giv
        if score > name_score:
            name_score = score
            if fam == 1.0 and giv == 1.0:
                name_reason = "Same name"
            elif fam == 1.0:
                name_reason = "Same family name, similar given name" if giv >= 0.6 else ""
                name_reason = name_reason or "Same family name"
            else:
                name_reason = "Similar name"
            if index and score >= 0.6:
                name_reason = f"Other name “{given} {family}” matches"
        swapped = similarity(family, person.given_names) * 0.4 + 0.4 * (
            _given_similarity(given, person.family_name) if given else 0.0
        )
        if swapped > name_score and swapped >= 0.6:
            name_score, name_reason = swapped, "Given and family names swapped"
    query_full = [query.full_name, *query.aliases[:3]]
    for alias in _related(person, "aliases"):
        alias_score = 0.8 * max(similarity(alias.name, q) for q in query_full)
        if alias_score > name_score:
            name_score = alias_score
            name_reason = f"Matches other name “{alias.name}”"
    for alias in query.aliases[:3]:
        alias_score = 0.8 * similarity(alias, person.full_name)
        if alias_score > name_score:
            name_score, name_reason = alias_score, f"Other name “{alias}” matches"
    if name_reason:
        reasons.insert(0, name_reason)

    dob_score = 0.0
    theirs, ours = person.date_of_birth, query.date_of_birth
    if theirs and ours:
        if theirs == ours:
            dob_score = 0.2
            reasons.append("Same date of birth")
        elif (theirs.year, theirs.month, theirs.day) == (ours.year, ours.day, ours.month):
            dob_score = 0.15
            reasons.append("Date of birth with day and month swapped")
        elif theirs.year == ours.year:
            reasons.append("Born in the same year")
        else:
            dob_score = -0.35
            reasons.append("Different date of birth")
    score = max(0.0, min(1.0, name_score + dob_score))
    if strong:
        score = max(score, 0.95)
    strong = strong or (score >= 0.8 and dob_score >= 0.15)
    return score, reasons, strong


# Candidate keys on PostgreSQL (migration 0011 indexes these expressions exactly as written
# here): the Soundex code of the family name, and the Soundex code of the first given name
# without its zero padding, so a short or initial given name ("Chr", "J") is a prefix of
# the full one's code ("C623" for Christopher). fuzzystrmatch's soundex() is IMMUTABLE.
FAMILY_KEY_SQL = "soundex(p.family_name::text)"
GIVEN_KEY_SQL = "rtrim(soundex(split_part(p.given_names::text, ' ', 1)), '0')"
ALIAS_FAMILY_KEY_SQL = "soundex(regexp_replace(btrim(a.name::text), '^.*\\s', ''))"
ALIAS_GIVEN_KEY_SQL = "rtrim(soundex(split_part(btrim(a.name::text), ' ', 1)), '0')"
FULL_NAME_SQL = "UPPER(p.given_names::text || ' ' || p.family_name::text)"
# Rows one key lookup may read, and how many of them (most similar full name first) it
# hands to the scorer. The cap keeps a very common name (a fifth of 200,000 people are
# Smiths in benchmarks/people_match.py) from costing more than a few milliseconds.
KEY_ROWS = 1000
NEAREST = 40
# Misspellings Soundex misses come from the trigram index on the family name: similar
# names (pg_trgm similarity at least SIMILAR: "Fael" for "Faelni", and every exact family
# name whatever the given name), and for longer names, names holding most of the query's
# trigrams (word similarity at least CONTAINS: "Lotloora" for "Loltoora"). Both thresholds
# apply inside the index, so a misspelt common name ("Smtih") does not recheck every Smith.
SIMILAR = 0.5
CONTAINS = 0.35
CONTAINS_FROM_LETTERS = 7
TRIGRAM_ROWS = 300


def _has_letters(text):
    return bool(re.search(r"[A-Za-z]", text or ""))


def _given_forms(given):
    """The first given name and its short/long forms ("Bob" -> bob, robert, rob, bobby)."""
    words = _words(given)
    if not words or not _has_letters(words[0]):
        return []
    first = words[0]
    canonical = _NICKNAMES.get(first, first)
    forms = {first, canonical}
    forms.update(short for short, full in _NICKNAMES.items() if full == canonical)
    return sorted(forms)


def _given_key_condition(key_sql, given, params):
    """The stored given-name key starts with the query's key, or is a prefix of it."""
    parts = []
    for form in _given_forms(given):
        code = "rtrim(soundex(%s), '0')"
        parts.append(
            f"({key_sql} >= {code} AND {key_sql} < {code} || '~'"
            f" OR {key_sql} IN (left({code}, 1), left({code}, 2), left({code}, 3)))"
        )
        params.extend([form] * 5)
    return "(" + " OR ".join(parts) + ")" if parts else "TRUE"


def _candidates_postgres(partnership_id, query, exclude):
    """Candidate ids on PostgreSQL, from B-tree and trigram index lookups, in one statement.

    For the name and each alias entered: people whose family name sounds the same
    (Soundex) and whose first given name's key matches (short forms and initials
    included); the same with given and family names swapped; people with such an other
    name; family names within trigram reach (misspellings). Then everyone born on the date
    of birth or on it with day and month swapped. Each lookup reads at most KEY_ROWS rows
    and keeps the NEAREST by full-name similarity, so the cost does not grow with how
    common a name is. The GiST nearest-name walk this replaces cost ~70 ms a query on
    200,000 people.
    """
    where = "p.partnership_id = %s AND p.merged_into_id IS NULL"
    base = [partnership_id]
    if exclude:
        where += " AND NOT (p.id = ANY(%s))"
        base.append(list(exclude))
    parts, params = [], []

    def ranked(select, conditions, rank_sql, name, limit, rows=KEY_ROWS):
        parts.append(
            f"(SELECT id FROM (SELECT {select} AS id, {rank_sql} AS rank_name"  # noqa: S608
            f" FROM {conditions} LIMIT {rows}) k"
            f" ORDER BY similarity(k.rank_name, %s) DESC LIMIT {limit})"
        )
        params.append(name.upper())

    for given, family in query.names():
        full = f"{given} {family}".strip()
        if _has_letters(family):
            condition = [*base, family]
            given_sql = _given_key_condition(GIVEN_KEY_SQL, given, condition)
            params.extend(condition)
            ranked(
                "p.id",
                f"cases_person p WHERE {where} AND {FAMILY_KEY_SQL} = soundex(%s) AND {given_sql}",
                FULL_NAME_SQL,
                full,
                NEAREST,
            )
            condition = [*base, family]
            given_sql = _given_key_condition(ALIAS_GIVEN_KEY_SQL, given, condition)
            params.extend(condition)
            ranked(
                "a.person_id",
                "cases_personalias a JOIN cases_person p ON p.id = a.person_id"
                f" WHERE {where} AND {ALIAS_FAMILY_KEY_SQL} = soundex(%s) AND {given_sql}",
                "UPPER(a.name::text)",
                full,
                NEAREST // 2,
            )
            params.extend([*base, family.upper()])
            ranked(
                "p.id",
                f"cases_person p WHERE {where} AND UPPER(p.family_name::text) %% %s",
                FULL_NAME_SQL,
                full,
                NEAREST // 2,
                TRIGRAM_ROWS,
            )
            if len(re.findall(r"[^\W\d_]", family)) >= CONTAINS_FROM_LETTERS:
                params.extend([*base, family.upper()])
                ranked(
                    "p.id",
                    f"cases_person p WHERE {where} AND %s <%% UPPER(p.family_name::text)",
                    FULL_NAME_SQL,
                    full,
                    NEAREST // 2,
                    TRIGRAM_ROWS,
                )
        if _has_letters(given) and _has_letters(family):
            condition = [*base, given]
            given_sql = _given_key_condition(GIVEN_KEY_SQL, family, condition)
            params.extend(condition)
            ranked(
                "p.id",
                f"cases_person p WHERE {where} AND {FAMILY_KEY_SQL} = soundex(%s) AND {given_sql}",
                FULL_NAME_SQL,
                f"{family} {given}",
                NEAREST // 2,
            )
    dob = query.date_of_birth
    if dob:
        dates = [dob]
        if dob.day <= 12 and dob.day != dob.month:
            dates.append(dob.replace(month=dob.day, day=dob.month))
        parts.append(
            f"(SELECT p.id FROM cases_person p WHERE {where}"  # noqa: S608 - constant SQL
            " AND p.date_of_birth = ANY(%s::date[]) LIMIT 200)"
        )
        params.extend([*base, dates])
    if not parts:
        return set()
    with connection.cursor() as cursor:
        # For this connection's session: nothing else here uses pg_trgm's operators, and
        # SET LOCAL would cost a transaction (two more round trips) per match.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false),"
            " set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(SIMILAR), str(CONTAINS)],
        )
        cursor.execute(" UNION ".join(parts), params)
        return {row[0] for row in cursor.fetchall()}


def _candidates_simple(base, query):
    """SQLite (the demo database): names starting alike, or the same date of birth."""
    condition = Q()
    for _given, family in query.names():
        stem = family[:3]
        condition |= Q(family_name__istartswith=stem) | Q(given_names__istartswith=stem)
        if query.date_of_birth:
            condition |= Q(date_of_birth=query.date_of_birth)
    ids = set()
    if condition:
        ids.update(base.filter(condition).values_list("pk", flat=True)[: CANDIDATES * 3])
    alias_condition = Q()
    for _given, family in query.names():
        alias_condition |= Q(name__icontains=family[:3])
    if alias_condition:
        ids.update(
            PersonAlias.objects.filter(alias_condition, person__in=base).values_list(
                "person_id", flat=True
            )[:CANDIDATES]
        )
    return ids


def _candidate_ids(partnership_id, query, exclude=()):
    base = Person.objects.filter(partnership_id=partnership_id, merged_into__isnull=True)
    if exclude:
        base = base.exclude(pk__in=exclude)
    if connection.vendor == "postgresql":
        ids = _candidates_postgres(partnership_id, query, exclude)
    else:
        ids = _candidates_simple(base, query)
    identifier = Q()
    for kind, value in query.identifiers.items():
        if value:
            identifier |= Q(kind=kind, value=normalise_identifier(kind, value))
    if identifier:
        ids.update(
            PersonIdentifier.objects.filter(identifier, partnership_id=partnership_id)
            .filter(person__in=base)
            .values_list("person_id", flat=True)
        )
    return ids


def people_visible_to(membership):
    """People the member may know about: parties to a case they can see, people named in a
    referral they can see, and (police) people on the crime screen. Merged records excluded.
    """
    people = Person.objects.filter(
        partnership_id=membership.agency.partnership_id, merged_into__isnull=True
    )
    if sees_whole_partnership(membership):
        return people
    in_cases = CaseParty.objects.filter(case__in=cases_visible_to(membership).values("pk"))
    referrals = referrals_visible_to(membership)
    visible = (
        Q(pk__in=in_cases.values("person_id"))
        | Q(pk__in=referrals.exclude(perpetrator=None).values("perpetrator_id"))
        | Q(pk__in=referrals.exclude(victim=None).values("victim_id"))
    )
    if membership.agency.is_police:
        screen = CrimeScreenEntry.objects.filter(partnership_id=membership.agency.partnership_id)
        visible |= Q(pk__in=screen.exclude(suspect_person=None).values("suspect_person_id"))
        visible |= Q(pk__in=screen.exclude(victim_person=None).values("victim_person_id"))
    return people.filter(visible)


def _visible_among(membership, ids):
    """Of these people, the ones the member may know about (as people_visible_to), and
    their parties in cases the member can see: answered from the few candidate ids, so
    the cost does not grow with the partnership's caseload."""
    parties = list(
        CaseParty.objects.filter(person_id__in=ids)
        .select_related("case")
        .order_by("case__reference")
    )
    case_ids = {p.case_id for p in parties}
    if sees_whole_partnership(membership):
        visible_cases = case_ids
    else:
        visible_cases = visible_case_ids(membership, case_ids)
    by_person = {}
    for party in parties:
        if party.case_id in visible_cases:
            by_person.setdefault(party.person_id, []).append(party)
    if sees_whole_partnership(membership):
        return by_person, set(ids)
    visible = set(by_person)
    rest = [pk for pk in ids if pk not in visible]
    if rest:
        named = referrals_visible_to(membership).filter(
            Q(perpetrator_id__in=rest) | Q(victim_id__in=rest)
        )
        for perpetrator_id, victim_id in named.values_list("perpetrator_id", "victim_id"):
            visible.update({perpetrator_id, victim_id})
    rest = [pk for pk in ids if pk not in visible]
    if rest and membership.agency.is_police:
        screen = CrimeScreenEntry.objects.filter(
            partnership_id=membership.agency.partnership_id
        ).filter(Q(suspect_person_id__in=rest) | Q(victim_person_id__in=rest))
        for suspect_id, victim_id in screen.values_list("suspect_person_id", "victim_person_id"):
            visible.update({suspect_id, victim_id})
    return by_person, visible & set(ids)


def person_match(membership, query, *, exclude=()):
    """Likely matches for ``query`` among the member's partnership's people.

    Only people the member may know about (people_visible_to) are named. Other candidates
    are never named or described: when one of them is a *strong* match (the same
    identifier, or the same name and date of birth) the result says only that a possible
    match exists elsewhere, so the user can ask the police or the clinic chair to check.
    We say that much because duplicates of one human across agencies are exactly the
    failure these partnerships suffered (no shared identifiers, re-keyed spreadsheets),
    and the people who can resolve them see the whole record. We say no more (no name,
    role, case or agency), and only for strong matches, so typing names cannot be used
    to browse the partnership; views record each match search in the audit trail.
    """
    if query.is_empty():
        return MatchResult([])
    partnership_id = membership.agency.partnership_id
    ids = _candidate_ids(partnership_id, query, exclude)
    if not ids:
        return MatchResult([])
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("aliases", to_attr="match_aliases"),
        Prefetch("identifiers", to_attr="match_identifiers"),
    )
    scored = []
    for person in people:
        score, reasons, strong = _score(person, query)
        if score >= SHOW_AT or strong:
            scored.append(Suggestion(person, score, reasons, strong))
    if not scored:
        return MatchResult([])
    scored.sort(key=lambda s: (-s.score, s.person.family_name, s.person.pk))
    parties, visible_ids = _visible_among(membership, [s.person.pk for s in scored])
    shown = [s for s in scored if s.person.pk in visible_ids][:SHOWN]
    hidden_match = any(s.strong for s in scored if s.person.pk not in visible_ids)
    for suggestion in shown:
        suggestion.parties = parties.get(suggestion.person.pk, [])
    # Pages and the API show the suggestions' other names and identifiers.
    prefetch_related_objects([s.person for s in shown], "aliases", "identifiers")
    return MatchResult(shown, hidden_match=hidden_match)


def match_query_for_person(person):
    """A query made from an existing record: to find its own likely duplicates."""
    return MatchQuery(
        given_names=person.given_names,
        family_name=person.family_name,
        aliases=tuple(a.name for a in person.aliases.all()),
        date_of_birth=person.date_of_birth,
        identifiers={i.kind: i.value for i in person.identifiers.all()},
    )


def visible_person_or_none(membership, pk):
    """A person the member may know about, or None (callers answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        people_visible_to(membership)
        .filter(pk=pk)
        .prefetch_related("aliases", "identifiers")
        .first()
    )


def people_search(membership, search):
    """People the member may see whose names contain every word searched for."""
    people = people_visible_to(membership)
    words = search.split()[:4]
    if not words:
        return people.none()
    for word in words:
        people = people.filter(
            Q(family_name__icontains=word)
            | Q(given_names__icontains=word)
            | Q(aliases__name__icontains=word)
        )
    return (
        people.distinct()
        .prefetch_related("aliases", "identifiers")
        .order_by("family_name", "given_names", "pk")
    )


def visible_parties_of(membership, person):
    """The person's parts in cases the member can see, for the merge comparison."""
    return (
        CaseParty.objects.filter(person=person, case__in=cases_visible_to(membership).values("pk"))
        .select_related("case")
        .order_by("case__reference")
    )


def person_in_partnership(case, pk):
    """A person of the case's partnership by id (None if there is none): for a record on
    the case that names a person, such as an assessment's subject."""
    return Person.objects.filter(pk=pk, partnership_id=case.partnership_id).first()
