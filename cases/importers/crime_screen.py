"""Parse and validate the police daily crime-screen export (docs/crime-screen-csv.md).

Pure functions, no writes: ``read_file`` turns the uploaded bytes into raw rows (or a
file-level refusal), ``validate_rows`` checks every row and returns clean values plus
every row error. The service decides what to write, all or nothing.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from cases.models import Gender
from cases.models.external import EXTERNAL_ID_MAX, EXTERNAL_SOURCE_MAX
from cases.models.reference import too_early, version_on
from config import text as check_text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 20 MB: about 40,000 crimes with long summaries
MAX_ROWS = 50_000
ASYNC_THRESHOLD = 2_000  # more rows than this run as a background task
MAX_STORED_ERRORS = 1_000  # the error report keeps the first 1,000 errors

# Column name → (required, max length or None). Order is the documented order.
COLUMNS = {
    "crime_reference": (True, 40),
    "recorded_date": (True, None),
    "offence_code": (True, 30),
    "offence_description": (False, 300),
    "summary": (False, 10_000),
    "da_flag": (True, None),
    "officer_in_charge": (False, 200),
    "suspect_name": (False, 200),
    "suspect_date_of_birth": (False, None),
    "suspect_gender": (False, None),
    "victim_name": (False, 200),
    "victim_date_of_birth": (False, None),
    "victim_gender": (False, None),
    "location_area": (False, 100),
    "stalking_start_date": (False, None),
    "stalking_end_date": (False, None),
    # The Home Office outcome once the police system finalises the crime (issue 13).
    "disposal_code": (False, 30),
    "disposal_date": (False, None),
    # The crime's id in the system the rows came from; the source defaults to the import's.
    "external_source": (False, EXTERNAL_SOURCE_MAX),
    "external_id": (False, EXTERNAL_ID_MAX),
}
REQUIRED_COLUMNS = [name for name, (required, _) in COLUMNS.items() if required]
DATE_COLUMNS = (
    "recorded_date",
    "suspect_date_of_birth",
    "victim_date_of_birth",
    "stalking_start_date",
    "stalking_end_date",
    "disposal_date",
)
TRUE_VALUES = {"y", "yes", "true", "1"}
FALSE_VALUES = {"n", "no", "false", "0"}
GENDERS = {
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "non-binary": Gender.NON_BINARY,
    "non_binary": Gender.NON_BINARY,
    "nonbinary": Gender.NON_BINARY,
    "nb": Gender.NON_BINARY,
    "other": Gender.OTHER,
    "o": Gender.OTHER,
    "u": Gender.NOT_KNOWN,
    "x": Gender.NOT_KNOWN,
    "unknown": Gender.NOT_KNOWN,
    "not known": Gender.NOT_KNOWN,
    "not_known": Gender.NOT_KNOWN,
}
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class FileRefused(Exception):
    """The whole file is unusable; the message says why in plain words. ``rows``: how many
    data rows the refused file had, when that could be counted (else None)."""

    def __init__(self, message, *, rows=None):
        super().__init__(message)
        self.rows = rows


@dataclass
class CleanRow:
    number: int  # row number in the file (header is row 1) or position in a JSON list
    values: dict  # model field → value (offence as a ReferenceCode id)
    row_hash: str


@dataclass
class Validation:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # {"row", "field", "message"}
    rejected_rows: int = 0


def normalise_header(name):
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


def read_file(data: bytes, *, size=None):
    """The file's data rows as (row number, dict keyed by column), or FileRefused.

    Row numbers are the file's line numbers: the header is row 1, so data starts at 2.
    """
    size = len(data) if size is None else size
    if size > MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"The file is {size / 1024 / 1024:.1f} MB. The limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB: split the export into smaller files."
        )
    if size == 0 or not data.strip():
        raise FileRefused("The file is empty.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\xff\xfe\x00\x00",):
        raise FileRefused(
            "The file is saved as UTF-16 text. Save it as “CSV UTF-8” and upload it again."
        )
    head = data[:200]
    if len(head) >= 4 and (
        head[1::2].count(0) == len(head[1::2]) or head[0::2].count(0) == len(head[0::2])
    ):
        raise FileRefused(
            "The file is saved as UTF-16 text. Save it as “CSV UTF-8” and upload it again."
        )
    if b"\x00" in data:
        raise FileRefused(
            "The file is not a CSV text file (it contains binary data). Upload the CSV export."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            "The file is not UTF-8 text (an unreadable character at byte "
            f"{error.start + 1}). Save it as “CSV UTF-8” and upload it again."
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise FileRefused("The file has no header row. The first row must name the columns.")
        columns = [normalise_header(cell) for cell in header]
        try:
            check_columns(columns)
        except FileRefused as refusal:
            # Every data row is refused with the file: count them for the imports list.
            refusal.rows = sum(1 for values in reader if any(v.strip() for v in values))
            raise
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines are ignored
            if len(rows) >= MAX_ROWS:
                raise FileRefused(
                    f"The file has more than {MAX_ROWS:,} crimes. Split it into smaller files."
                )
            if len(values) != len(columns):
                rows.append(
                    (
                        reader.line_num,
                        {
                            "__width__": f"This row has {len(values)} values; "
                            f"the header has {len(columns)}."
                        },
                    )
                )
                continue
            rows.append((reader.line_num, dict(zip(columns, values, strict=True))))
    except csv.Error as error:
        raise FileRefused(f"The file is not a valid CSV file: {error}.") from None
    if not rows:
        raise FileRefused("The file has a header row but no crimes.")
    return rows


def check_columns(columns):
    seen = set()
    duplicates = sorted({c for c in columns if c in seen or seen.add(c)})
    if duplicates:
        raise FileRefused(f"These columns appear more than once: {', '.join(duplicates)}.")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    problems = []
    if missing:
        problems.append(
            f"missing required column{'s' if len(missing) > 1 else ''}: " + ", ".join(missing)
        )
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''}: " + ", ".join(unknown[:10])
        )
    if problems:
        raise FileRefused(
            "The columns are not the crime-screen export’s: "
            + "; ".join(problems)
            + ". See the column guide."
        )


def rows_from_json(items):
    """JSON rows (a list of objects keyed by column) → the same shape as read_file."""
    if not isinstance(items, list) or not items:
        raise FileRefused("Send a non-empty list of rows.")
    if len(items) > MAX_ROWS:
        raise FileRefused(f"Send at most {MAX_ROWS:,} rows at a time.")
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append((number, {"__width__": "Each row must be an object keyed by column."}))
            continue
        if any(check_text.problem(str(k)) for k in item):
            rows.append((number, {"__width__": "A column name contains a control character."}))
            continue
        keys = {normalise_header(k): v for k, v in item.items()}
        unknown = [k for k in keys if k not in COLUMNS]
        if unknown:
            rows.append((number, {"__width__": f"Unknown column: {', '.join(unknown)}."}))
            continue
        values = {}
        for key, value in keys.items():
            if value is None:
                value = ""
            elif isinstance(value, bool):
                value = "Y" if value else "N"
            values[key] = str(value)
        rows.append((number, values))
    return rows


def parse_date(text):
    match = ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = UK_DATE.match(text)
        if not match:
            raise ValueError
        day, month, year = (int(g) for g in match.groups())
    return date(year, month, day)


def validate_rows(raw_rows, *, offences, outcomes=None, external_source=""):
    """Check every row. ``offences`` maps an upper-case offence code to its versions
    (cases.models.reference.code_versions): the row's code must be in use on the date the
    crime was recorded, not today. ``outcomes`` likewise for disposal codes, checked
    against the disposal date. ``external_source``: the source of a row's external id
    when the row does not name one.

    Returns a Validation with clean rows and every error (one per field).
    """
    result = Validation()
    today = timezone.localdate()
    outcomes = outcomes or {}
    seen_refs = {}
    seen_external = {}
    known_codes = ", ".join(
        sorted(code for code, versions in offences.items() if version_on(versions, today))
    )
    for number, raw in raw_rows:
        errors = []

        def error(column, message, errors=errors, number=number):
            errors.append({"row": number, "field": column, "message": message})

        if "__width__" in raw:
            error("", raw["__width__"])
        else:
            values = {}
            text = {c: (raw.get(c) or "").strip() for c in COLUMNS}
            refused = set()
            for column in COLUMNS:
                message = check_text.problem(text[column])
                if message:  # never stored, never quoted back (PostgreSQL refuses NUL)
                    error(column, message)
                    refused.add(column)
                    text[column] = ""
            for column, (required, max_length) in COLUMNS.items():
                if column in refused:
                    continue
                if required and not text[column]:
                    error(column, f"Enter the {column.replace('_', ' ')}.")
                elif max_length and len(text[column]) > max_length:
                    error(column, f"Must be {max_length} characters or fewer.")
            ref = text["crime_reference"]
            if ref:
                if ref.upper() in seen_refs:
                    error(
                        "crime_reference",
                        f"Crime reference {ref} is also on row {seen_refs[ref.upper()]}.",
                    )
                seen_refs.setdefault(ref.upper(), number)
            for column in DATE_COLUMNS:
                if not text[column]:
                    values[column] = None
                    continue
                try:
                    values[column] = parse_date(text[column])
                except ValueError:
                    error(
                        column,
                        f"“{text[column][:30]}” is not a real date: use YYYY-MM-DD or DD/MM/YYYY.",
                    )
                    values[column] = None
                    continue
                if values[column] > today:
                    error(column, "The date cannot be in the future.")
                elif column == "recorded_date" and too_early(values[column]):
                    error(column, too_early(values[column]))
                    values[column] = None
            start, end = values.get("stalking_start_date"), values.get("stalking_end_date")
            if start and end and end < start:
                error("stalking_end_date", "The stalking end date is before its start date.")
            code = text["offence_code"].upper()
            offence_id = None
            if code and code not in offences:
                error(
                    "offence_code",
                    f"Unknown offence code “{text['offence_code'][:30]}”. "
                    f"Known codes: {known_codes}.",
                )
            elif code:
                recorded = values.get("recorded_date")  # None: its own error already
                offence_id = version_on(offences[code], recorded or today)
                if offence_id is None and recorded is not None:
                    error(
                        "offence_code",
                        f"Offence code {text['offence_code'][:30]} was not in use on "
                        f"{recorded:%-d %B %Y}, the date the crime was recorded.",
                    )
            disposal_id = _check_disposal(text, values, outcomes, error)
            source, external_id = text["external_source"], text["external_id"]
            if source and not external_id:
                error("external_id", "Enter the external id that goes with the external source.")
            source = (source or external_source) if external_id else ""
            if external_id:
                key = (source, external_id)
                if key in seen_external:
                    error(
                        "external_id",
                        f"External id {external_id} is also on row {seen_external[key]}.",
                    )
                seen_external.setdefault(key, number)
            flag = text["da_flag"].lower()
            if flag and flag not in TRUE_VALUES | FALSE_VALUES:
                error("da_flag", "Enter Y or N (or true or false).")
            genders = {}
            for column in ("suspect_gender", "victim_gender"):
                value = text[column].lower()
                genders[column] = GENDERS.get(value, "") if value else ""
                if value and value not in GENDERS:
                    error(column, "Enter F, M, non-binary, other or unknown.")
            if not errors:
                clean = {
                    "crime_reference": ref,
                    "recorded_on": values["recorded_date"],
                    "offence_id": offence_id,
                    "offence_description": text["offence_description"],
                    "summary": text["summary"],
                    "domestic_abuse": flag in TRUE_VALUES,
                    "officer_in_charge": text["officer_in_charge"],
                    "suspect_name": text["suspect_name"],
                    "suspect_date_of_birth": values["suspect_date_of_birth"],
                    "suspect_gender": genders["suspect_gender"],
                    "victim_name": text["victim_name"],
                    "victim_date_of_birth": values["victim_date_of_birth"],
                    "victim_gender": genders["victim_gender"],
                    "location_area": text["location_area"],
                    "stalking_started_on": start,
                    "stalking_ended_on": end,
                    "disposal_id": disposal_id,
                    "disposal_on": values["disposal_date"] if disposal_id else None,
                    "external_source": source,
                    "external_id": external_id,
                }
                result.rows.append(CleanRow(number, clean, row_hash(clean)))
        if errors:
            result.rejected_rows += 1
            result.errors.extend(errors)
    return result


def _check_disposal(text, values, outcomes, error):
    """The disposal code's ReferenceCode id (None: no disposal, or an error reported)."""
    code, on = text["disposal_code"].upper(), values.get("disposal_date")
    if not code:
        if on is not None:
            error("disposal_code", "Enter the disposal code for the disposal date.")
        return None
    if code not in outcomes:
        error("disposal_code", f"Unknown disposal code “{text['disposal_code'][:30]}”.")
        return None
    if not text["disposal_date"]:
        error("disposal_date", "Enter the date of the disposal.")
        return None
    if on is None:
        return None  # not a real date or in the future: its own error
    recorded = values.get("recorded_date")
    if recorded is not None and on < recorded:
        error(
            "disposal_date",
            f"The disposal date cannot be before the crime was recorded ({recorded:%-d %B %Y}).",
        )
        return None
    disposal_id = version_on(outcomes[code], on)
    if disposal_id is None:
        error(
            "disposal_code",
            f"Disposal code {text['disposal_code'][:30]} was not in use on {on:%-d %B %Y}, "
            "the date of the disposal.",
        )
    return disposal_id


HASHED_FIELDS = (
    "recorded_on",
    "offence_id",
    "offence_description",
    "summary",
    "domestic_abuse",
    "officer_in_charge",
    "suspect_name",
    "suspect_date_of_birth",
    "suspect_gender",
    "victim_name",
    "victim_date_of_birth",
    "victim_gender",
    "location_area",
    "stalking_started_on",
    "stalking_ended_on",
)
IMPORTED_FIELDS = HASHED_FIELDS
# Imported when a row sends them; a row without them keeps what the entry has (a disposal
# set through the API, an external id from an earlier load).
KEPT_UNLESS_SENT = ("disposal_id", "disposal_on", "external_source", "external_id")


def row_hash(values):
    parts = ["" if values[name] is None else str(values[name]) for name in HASHED_FIELDS]
    kept = ["" if values.get(name) is None else str(values[name]) for name in KEPT_UNLESS_SENT]
    if any(kept):
        # Only then: rows without them hash as they did before these columns existed, so
        # the first re-import after the upgrade finds them unchanged.
        parts.extend(kept)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
