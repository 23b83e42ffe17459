"""The files of a programme-sized migration (issue 13's bar): one CSV per record kind, headed
by our field names so every column maps itself, with values a partnership's spreadsheets
would hold (dates 2016–2024, codes in use on each event's date).

    from benchmarks.migration_data import add_history_codes, write_files
    add_history_codes(partnership)          # codes before the national lists (April 2019)
    paths = write_files(folder, partnership_id=partnership.pk)

People are "P<n>" (the victim of case n is P<2n-1>, its perpetrator P<2n>), cases "C<n>",
referrals "F<n>", crimes "K<n>", outcomes "O<n>", ratings "R<n>", re-offending "E<n>";
closures.csv is keyed by the case id. Load in the order of ORDER. Deterministic for a seed.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

START, END = date(2016, 1, 1), date(2024, 12, 31)
# Before the national lists began (cases migration 0004), a partnership used its own codes.
NATIONAL_FROM = date(2019, 4, 1)
HISTORY_FROM = date(2015, 1, 1)
CODED_LISTS = ("offence", "outcome", "relationship", "referral_source", "closure_reason")
ORDER = (
    "people",
    "cases",
    "referrals",
    "crimes",
    "outcomes",
    "risk_ratings",
    "reoffending",
    "closures",
)

GIVEN_F = ("Anna", "Beth", "Chloe", "Dana", "Erin", "Fatima", "Grace", "Hana", "Isla", "Jade")
GIVEN_M = ("Adam", "Ben", "Carl", "Dev", "Ewan", "Farid", "Gary", "Hugh", "Ian", "Jon")
FAMILY = ("Smith", "Jones", "Patel", "Brown", "Khan", "Taylor", "Wilson", "Evans", "Hughes")
ETHNICITY = ("W1", "W1", "W1", "W2", "W5", "A1", "A2", "B1", "B2", "M1", "O2", "Z")
AREAS = ("Riverside", "Docks", "Old Town", "Northgate", "Hillside", "Canal Quarter")
BEHAVIOURS = (
    "Repeated unwanted messages and calls after the relationship ended",
    "Followed to work and waited outside the home",
    "Fixated contact through social media and fake accounts",
    "Turned up at the victim's workplace despite warnings",
    "Sent gifts and letters after being told to stop",
)
SASH_LEVELS = ("Low", "Moderate", "Moderate/high", "High", "Not completed")
SENTENCES = ("Community order", "Suspended sentence", "12 months custody", "Fine", "")


def add_history_codes(partnership, *, since=HISTORY_FROM):
    """The partnership's own versions of the national codes for the years before the
    national lists began, ending the day those began: what a partnership migrating history
    from 2016 holds. Returns how many it added (none on a second call)."""
    from cases.models import ReferenceCode

    added = 0
    national = ReferenceCode.objects.filter(
        partnership__isnull=True, code_list__in=CODED_LISTS, effective_from__gt=since
    )
    for code in national:
        _, created = ReferenceCode.objects.get_or_create(
            partnership=partnership,
            code_list=code.code_list,
            code=code.code,
            version=1,
            defaults={
                "label": code.label,
                "effective_from": since,
                "effective_to": code.effective_from,
                "sort_order": code.sort_order,
            },
        )
        added += created
    return added


def codes_in_db(partnership_id=None):
    """{list: {code: [(effective_from, effective_to), ...]}} of the codes the partnership
    may use (its own and the national ones)."""
    from cases.models.reference import code_versions

    return {
        code_list: {
            code: [(start, end) for start, end, _ in versions]
            for code, versions in code_versions(code_list, partnership_id).items()
        }
        for code_list in CODED_LISTS
    }


def agencies_in_db(partnership_id):
    from accounts.models import Agency

    return list(
        Agency.objects.filter(partnership_id=partnership_id, active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


class _Codes:
    def __init__(self, codes, rng):
        self.codes, self.rng = codes, rng

    def earliest(self, code_list):
        return min(start for versions in self.codes[code_list].values() for start, _ in versions)

    def on(self, code_list, day):
        """A code of the list in use on ``day`` (our codes for their text), or ""."""
        usable = sorted(
            code
            for code, versions in self.codes.get(code_list, {}).items()
            if any(start <= day and (end is None or end > day) for start, end in versions)
        )
        return self.rng.choice(usable) if usable else ""


def _iso(day):
    return day.isoformat() if day else ""


def _write(folder, name, header, rows):
    path = Path(folder) / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_files(
    folder,
    *,
    cases=1200,
    referrals=1300,
    crimes=5000,
    outcomes=1200,
    ratings=300,
    reoffending=300,
    seed=1,
    partnership_id=None,
    codes=None,
    agencies=None,
):
    """Write the eight CSV files into ``folder``; returns {kind: path}. ``codes`` as
    codes_in_db() returns them and ``agencies`` (names) are read from the database for
    ``partnership_id`` when not given."""
    rng = random.Random(seed)
    codes = _Codes(codes if codes is not None else codes_in_db(partnership_id), rng)
    agencies = agencies if agencies is not None else agencies_in_db(partnership_id)
    if not agencies:
        raise ValueError("No agencies: pass agencies= or a partnership_id that has some.")
    # Every event needs an offence, outcome and referral source in use on its day.
    first = max(
        START, *(codes.earliest(name) for name in ("offence", "outcome", "referral_source"))
    )
    last_open = END - timedelta(days=180)

    def day_between(low, high):
        return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))

    def clamp(day):
        return min(max(day, first), END)

    Path(folder).mkdir(parents=True, exist_ok=True)
    people, case_rows, opened, names = [], [], {}, {}
    for n in range(1, cases + 1):
        for person, female in ((2 * n - 1, rng.random() < 0.8), (2 * n, rng.random() < 0.15)):
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            family = rng.choice(FAMILY)
            names[person] = f"{given} {family}"
            people.append(
                {
                    "external_id": f"P{person}",
                    "given_names": given,
                    "family_name": family,
                    "date_of_birth": _iso(day_between(date(1950, 1, 1), date(2000, 12, 31))),
                    "gender": "female" if female else "male",
                    "ethnicity": rng.choice(ETHNICITY),
                    "postcode": f"NS{rng.randint(1, 20)} {rng.randint(1, 9)}AQ",
                }
            )
        opened[n] = day_between(first, last_open)
        case_rows.append(
            {
                "external_id": f"C{n}",
                "opened_on": _iso(opened[n]),
                "summary": rng.choice(BEHAVIOURS),
                "lead_agency": rng.choice(agencies),
                "relationship": codes.on("relationship", opened[n]),
                "classification": "stalking",
                "offence_level": rng.choice(("s2a", "s4a", "s4a", "not_known")),
                "tier": rng.choice(("1", "2", "2", "3", "4", "none", "")),
                "priority": rng.choice(("high", "medium", "low")),
                "victim": f"P{2 * n - 1}",
                "perpetrator": f"P{2 * n}",
                # Closed by closures.csv, as a partnership's closure sheet would.
                "closed_on": "",
                "closure_reason": "",
                "monitoring_started_on": "",
            }
        )

    def case_of(i):
        return (i - 1) % cases + 1

    referral_rows = []
    for i in range(1, referrals + 1):
        n = case_of(i)
        received = clamp(opened[n] - timedelta(days=rng.randint(0, 21)))
        if received > opened[n]:
            received = opened[n]
        accepted = i <= cases  # the case's first referral was accepted; later ones are new
        referral_rows.append(
            {
                "external_id": f"F{i}",
                "received_on": _iso(received),
                "source": codes.on("referral_source", received),
                "referring_agency": rng.choice(agencies),
                "reason": rng.choice(BEHAVIOURS),
                "case": f"C{n}",
                "perpetrator": f"P{2 * n}",
                "victim": f"P{2 * n - 1}",
                "decision": "accepted" if accepted else "",
                "decided_on": _iso(day_between(received, opened[n])) if accepted else "",
                "decision_reason": "",
            }
        )

    crime_rows, crime_refs = [], {}
    for k in range(1, crimes + 1):
        n = case_of(k)
        linked = rng.random() < 0.85
        recorded = clamp(opened[n] + timedelta(days=rng.randint(-60, 365)))
        disposal = disposal_on = ""
        if rng.random() < 0.7:
            on = min(END, recorded + timedelta(days=rng.randint(14, 300)))
            disposal = codes.on("outcome", on)
            disposal_on = _iso(on) if disposal else ""
        reference = f"NS/{k:06d}/{recorded.year % 100:02d}"
        crime_refs.setdefault(n, (reference, recorded))
        crime_rows.append(
            {
                "external_id": f"K{k}",
                "crime_reference": reference,
                "recorded_on": _iso(recorded),
                "offence": codes.on("offence", recorded),
                "offence_description": "",
                "summary": rng.choice(BEHAVIOURS),
                "domestic_abuse": rng.choice(("Y", "N")),
                "location_area": rng.choice(AREAS),
                "officer_in_charge": f"PC {rng.randint(1000, 9999)}",
                "victim_name": names[2 * n - 1],
                "suspect_name": names[2 * n],
                "disposal": disposal,
                "disposal_on": disposal_on,
                "case": f"C{n}" if linked else "",
            }
        )

    outcome_rows = []
    for i in range(1, outcomes + 1):
        n = case_of(i)
        reference, recorded = crime_refs.get(n, ("", first))
        # An outcome follows the crime it is for.
        on = clamp(max(opened[n], recorded) + timedelta(days=rng.randint(30, 400)))
        code = codes.on("outcome", on)
        convicted = code == "1" and rng.random() < 0.7
        outcome_rows.append(
            {
                "external_id": f"O{i}",
                "case": f"C{n}",
                "person": f"P{2 * n}",
                "outcome": code,
                "outcome_on": _iso(on),
                "crime_reference": reference,
                "charge": "Stalking (s.4A)" if code == "1" else "",
                # Charged: convicted or not; otherwise no trial to record.
                "convicted": ("Y" if convicted else "N") if code == "1" else "",
                "sentence": rng.choice(SENTENCES) if convicted else "",
            }
        )

    rating_rows = []
    for i in range(1, ratings + 1):
        n = case_of(i)
        on = min(END, opened[n] + timedelta(days=rng.randint(-14, 30)))
        rating_rows.append(
            {
                "external_id": f"R{i}",
                "case": f"C{n}",
                "subject": f"P{2 * n - 1}",
                "instrument": "sash",
                "assessed_on": _iso(on),
                "recorded_level": rng.choice(SASH_LEVELS),
                "note": "",
            }
        )

    reoffending_rows = []
    for i in range(1, reoffending + 1):
        n = case_of(i)
        reoffending_rows.append(
            {
                "external_id": f"E{i}",
                "case": f"C{n}",
                "perpetrator": f"P{2 * n}",
                "occurred_on": _iso(min(END, opened[n] + timedelta(days=rng.randint(60, 700)))),
                "victim": rng.choice(("same", "same", "new")),
                "source": rng.choice(("police_report", "advocate", "probation", "health")),
                "crime_reference": "",
                "note": "",
            }
        )

    closure_rows = []
    for n in range(1, cases + 1):
        if opened[n] > END - timedelta(days=400) or rng.random() < 0.2:
            continue  # still open
        closed = min(END, opened[n] + timedelta(days=rng.randint(90, 700)))
        closure_rows.append(
            {
                "external_id": f"C{n}",
                "closed_on": _iso(closed),
                "closure_reason": codes.on("closure_reason", closed),
                "monitoring_started_on": _iso(day_between(opened[n], closed)),
            }
        )

    tables = {
        "people": people,
        "cases": case_rows,
        "referrals": referral_rows,
        "crimes": crime_rows,
        "outcomes": outcome_rows,
        "risk_ratings": rating_rows,
        "reoffending": reoffending_rows,
        "closures": closure_rows,
    }
    return {name: _write(folder, name, list(rows[0]), rows) for name, rows in tables.items()}
