"""The engine every record kind shares: turn mapped text into field values (with the value
mapping, types, code lists at the event's date), find the record by external id, decide
created / updated / unchanged, and write it. A kind declares its columns and, where it has
them, the checks across fields and the model it writes."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone

from cases.importers.crime_screen import parse_date
from cases.models import EXTERNAL_ID_MAX
from cases.models.reference import code_versions, too_early, version_on

TRUE_TEXT = {"y", "yes", "true", "1"}
FALSE_TEXT = {"n", "no", "false", "0"}
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str = "text"  # text | date | choice | code | bool | ref
    required: bool = False
    max_length: int = 0
    choices: tuple = ()  # (value, label) pairs for "choice"
    code_list: str = ""  # for "code"
    date_from: str = ""  # "code": the field whose date the code must be in use on
    aliases: tuple = ()  # their header names we recognise without a mapping
    ref: str = ""  # for "ref": the model (app_label.Model) whose external id the cell holds

    @property
    def mappable(self):
        return self.type in ("choice", "code", "bool")

    @property
    def stored_as(self):
        """The model attribute the value goes to (a reference's id column)."""
        return f"{self.name}_id" if self.type in ("code", "ref") else self.name


@dataclass
class Plan:
    """What a commit would do with one row."""

    row: int
    action: str  # created | updated | unchanged
    values: dict
    record: object = None


@dataclass
class Check:
    plans: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # {"row", "column", "message"}

    def count(self, action):
        return sum(1 for plan in self.plans if plan.action == action)


EXTERNAL_ID = Column(
    "external_id",
    "External id (their record's id)",
    required=True,
    max_length=EXTERNAL_ID_MAX,
    aliases=("id", "record_id", "ref"),
)


def fingerprint(values):
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


class RecordKind:
    """A record kind: subclasses set name, label, model, columns and may override
    ``row_errors`` (checks across fields) and ``write``."""

    name = ""
    label = ""
    model = None
    columns = ()

    def __init__(self, partnership_id, source, actor=None):
        self.partnership_id = partnership_id
        self.source = source
        self.actor = actor  # who uploaded: the created_by of records that name one
        self._codes = {}

    # -- reading one row ------------------------------------------------------------

    def convert(self, rows, columns, value_map):
        """[(row number, values, {field: error})] for every row, using the column mapping
        (field → their header) and the value mapping (field → {their text: ours})."""
        out = []
        refs = self._resolve_refs(rows, columns)
        for number, cells in rows:
            values, errors = {}, {}
            for column in self.all_columns():
                header = columns.get(column.name, "")
                text = cells.get(header, "").strip() if header else ""
                mapped = (value_map.get(column.name) or {}).get(text)
                if mapped is not None:
                    text = mapped
                try:
                    values[column.name] = self.parse(column, text)
                except ValueError as error:
                    errors[column.name] = str(error)
            for column in self.all_columns():
                if column.name in errors or values.get(column.name) is None:
                    continue
                if column.type == "code":
                    problem = self.check_code(column, values)
                elif column.type == "ref":
                    problem = self.check_ref(column, values, refs)
                else:
                    problem = None
                if problem:
                    errors[column.name] = problem
            if not errors:
                errors.update(self.row_errors(values))
            out.append((number, values, errors))
        return out

    @classmethod
    def all_columns(cls):
        return (EXTERNAL_ID, *cls.columns)

    def parse(self, column, text):
        if "\x00" in text:
            raise ValueError(f"{column.label} holds a NUL character, which cannot be stored.")
        if not text:
            if column.required:
                raise ValueError(f"Enter the {column.label.lower()}.")
            return None if column.type in ("date", "code", "bool", "ref") else ""
        if column.type == "text":
            if column.max_length and len(text) > column.max_length:
                raise ValueError(f"{column.label} must be {column.max_length} characters or fewer.")
            return text
        if column.type == "date":
            try:
                day = parse_date(text)
            except ValueError:
                raise ValueError(f"“{text}” is not a date: use 2019-03-31 or 31/03/2019.") from None
            if day > timezone.localdate():
                raise ValueError(f"{column.label} cannot be in the future.")
            return day
        if column.type == "bool":
            if text.lower() in TRUE_TEXT:
                return True
            if text.lower() in FALSE_TEXT:
                return False
            raise ValueError(f"“{text}” is not yes or no: map it to one.")
        if column.type == "choice":
            for value, label in self.choices_of(column):
                if text.lower() in (str(value).lower(), str(label).lower()):
                    return value
            raise ValueError(f"“{text}” is not one of our values: map it to one.")
        if column.type == "code":
            return text.upper()
        if column.type == "ref":
            return text
        raise AssertionError(column.type)

    def choices_of(self, column):
        """(value, label) pairs a "choice" column accepts; a kind overrides this for
        choices that depend on the partnership (its agencies)."""
        return column.choices

    def check_code(self, column, values):
        """The code must exist in the list and be in use on the date of the event it
        describes (a retired code is fine for an old event; a new one is not)."""
        code = values.get(column.name)
        if code is None:
            return None
        versions = self._versions(column.code_list).get(code)
        if not versions:
            return f"“{code}” is not a code in our {column.label.lower()} list: map it to one."
        on = values.get(column.date_from) if column.date_from else None
        pk = version_on(versions, on) if on else versions[0][2]
        if pk is None:
            return f"Code {code} was not in use on {on:%-d %B %Y}."
        values[column.name] = pk
        return None

    def _resolve_refs(self, rows, columns):
        """{(model label, external id): pk} of the records the rows point at (same source,
        same partnership), one query per referenced model."""
        found = {}
        for column in self.all_columns():
            header = columns.get(column.name)
            if column.type != "ref" or not header:
                continue
            wanted = {cells.get(header, "").strip() for _, cells in rows} - {""}
            model = apps.get_model(column.ref)
            for external_id, pk in model.objects.filter(
                partnership_id=self.partnership_id,
                external_source=self.source,
                external_id__in=wanted,
            ).values_list("external_id", "pk"):
                found[column.ref, external_id] = pk
        return found

    def check_ref(self, column, values, refs):
        external_id = values[column.name]
        pk = refs.get((column.ref, external_id))
        if pk is None:
            noun = apps.get_model(column.ref)._meta.verbose_name
            return (
                f"No {noun} with id {external_id} from {self.source} has been loaded: "
                f"load the {noun} file first."
            )
        values[column.name] = pk
        return None

    def _versions(self, code_list):
        if code_list not in self._codes:
            self._codes[code_list] = code_versions(code_list, self.partnership_id)
        return self._codes[code_list]

    def row_errors(self, values):
        """{field: message} for checks across fields; none by default."""
        return {}

    # -- records -----------------------------------------------------------------

    def stored(self):
        """The records a row may match; a kind whose ``differs`` reads related rows
        prefetches them here (one query per relation for the whole chunk)."""
        return self.model.objects.all()

    def existing(self, external_ids):
        rows = self.stored().filter(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id__in=external_ids,
        )
        return {record.external_id: record for record in rows}

    def field_names(self):
        return [column.name for column in self.columns]

    def snapshot(self, record):
        """The imported fields' values as stored (ids for foreign keys)."""
        data = model_to_dict(record, fields=self.field_names())
        return {name: _plain(value) for name, value in data.items()}

    @staticmethod
    def given(values):
        """The values a row gives. A blank cell keeps what is stored: loading a file again
        (or a file that leaves a column out, such as cases before their closures) never
        clears a field that was recorded, by this product or by another file."""
        return {name: value for name, value in values.items() if value not in (None, "")}

    def differs(self, record, values):
        current = self.snapshot(record)
        given = self.given(values)
        return any(
            _plain(given[name]) != current.get(name) for name in self.field_names() if name in given
        )

    def assign(self, record, values):
        """Set the fields ``values`` names (all of them for a new record)."""
        for name in self.field_names():
            if name not in values:
                continue
            column_field = self.model._meta.get_field(name)
            value = values.get(name)
            if isinstance(column_field, models.ForeignKey):
                setattr(record, column_field.attname, value)
            elif value is None and not column_field.null:
                setattr(
                    record,
                    name,
                    "" if column_field.get_internal_type() != "BooleanField" else False,
                )
            else:
                setattr(record, name, value)

    def create(self, values):
        record = self.model(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
        )
        self.assign(record, values)
        record.save()
        return record

    def update(self, record, values):
        self.assign(record, self.given(values))
        record.save()
        return record

    def restore(self, record, before):
        for name, value in before.items():
            column_field = self.model._meta.get_field(name)
            attname = column_field.attname
            kind = column_field.get_internal_type()
            if value is not None and kind == "DateField":
                value = date.fromisoformat(value)
            elif value is not None and kind == "DateTimeField":
                value = datetime.fromisoformat(value)
            setattr(record, attname, value)
        record.save()


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def earliest_birth_error(day):
    if day is not None and day < EARLIEST_BIRTH:
        return "A date of birth before 1900 cannot be right."
    return None


__all__ = ["Check", "Column", "Plan", "RecordKind", "fingerprint", "too_early"]
