"""Crimes: the police crime-screen entries of the partnership's past, with their disposals.

A migrated crime is history, not today's work: it is stored as screened on the day it was
recorded, so it never lands in the screening worklist nor in today's "screened" figures.
Its row_hash is the one the daily crime-screen import computes, so when the police system
sends the same crime again the daily import finds it unchanged (or updates it)."""

from datetime import datetime, time

from django.utils import timezone

from cases.importers import crime_screen
from cases.models import CodeList, CrimeScreenEntry

from .base import Column, RecordKind, too_early


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class CrimesKind(RecordKind):
    name = "crimes"
    label = "Crimes (crime screen, with disposals)"
    model = CrimeScreenEntry
    columns = (
        Column(
            "crime_reference",
            "Crime reference",
            required=True,
            max_length=40,
            aliases=("crime_ref", "crime_number", "urn"),
        ),
        Column(
            "recorded_on",
            "Recorded on",
            type="date",
            required=True,
            aliases=("recorded_date", "date_recorded"),
        ),
        Column(
            "offence",
            "Offence code",
            type="code",
            required=True,
            code_list=CodeList.OFFENCE,
            date_from="recorded_on",
            aliases=("offence_code",),
        ),
        Column("offence_description", "Offence description", max_length=300),
        Column("summary", "Summary"),
        Column("domestic_abuse", "Domestic abuse", type="bool", aliases=("da_flag",)),
        Column("location_area", "Location area", max_length=100),
        Column("officer_in_charge", "Officer in charge", max_length=200),
        Column("victim_name", "Victim name", max_length=200),
        Column("suspect_name", "Suspect name", max_length=200),
        Column(
            "disposal",
            "Disposal (outcome code)",
            type="code",
            code_list=CodeList.OUTCOME,
            date_from="disposal_on",
            aliases=("disposal_code", "outcome_code"),
        ),
        Column("disposal_on", "Disposal date", type="date", aliases=("disposal_date",)),
        Column("case", "Case", type="ref", ref="cases.Case", aliases=("case_id",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._first_row = {}  # crime reference → (row, external id): duplicates in the file

    def row_errors(self, values):
        errors = {}
        recorded, disposal_on = values.get("recorded_on"), values.get("disposal_on")
        for name in ("recorded_on", "disposal_on"):
            problem = too_early(values.get(name))
            if problem:
                errors[name] = problem
        if values.get("disposal") is not None and disposal_on is None:
            errors["disposal_on"] = "Enter the date of the disposal."
        elif disposal_on is not None and values.get("disposal") is None:
            errors["disposal"] = "Enter the disposal code for the disposal date."
        elif disposal_on is not None and recorded is not None and disposal_on < recorded:
            errors["disposal_on"] = (
                f"The disposal date cannot be before the crime was recorded ({recorded:%-d %B %Y})."
            )
        return errors

    def convert(self, rows, columns, value_map):
        """Each crime reference once in the file, and not already another entry's (the
        daily import's, or a crime of another external id): the partnership holds one
        entry per crime reference."""
        out = super().convert(rows, columns, value_map)
        references = {v["crime_reference"] for _, v, errors in out if not errors}
        held = {
            ref: (source, external_id)
            for ref, source, external_id in CrimeScreenEntry.objects.filter(
                partnership_id=self.partnership_id, crime_reference__in=references
            ).values_list("crime_reference", "external_source", "external_id")
        }
        for number, values, errors in out:
            if errors:
                continue
            # No flag is "not domestic abuse" (as the model stores it), so a reload is unchanged.
            values["domestic_abuse"] = bool(values.get("domestic_abuse"))
            ref, external_id = values["crime_reference"], values["external_id"]
            first = self._first_row.setdefault(ref, (number, external_id))
            if first[0] != number:
                errors["crime_reference"] = f"Crime {ref} is also on row {first[0]}."
            elif ref in held and held[ref] != (self.source, external_id):
                source, other_id = held[ref]
                holder = f"the record with id {other_id} from {source}" if other_id else None
                errors["crime_reference"] = f"Crime {ref} is already on the crime screen" + (
                    f" as {holder}." if holder else " (from the daily police import)."
                )
        return out

    def _stamp(self, record):
        """What the daily import keeps beside the fields: the police system's code and the
        hash it compares a re-sent crime with."""
        record.source_offence_id = record.offence_id
        record.row_hash = crime_screen.row_hash(
            {
                **{name: getattr(record, name) for name in crime_screen.HASHED_FIELDS},
                **{name: getattr(record, name) for name in crime_screen.KEPT_UNLESS_SENT},
            }
        )
        record.updated_at = timezone.now()

    def assign(self, record, values):
        super().assign(record, values)
        self._stamp(record)

    def differs(self, record, values):
        """A crime a supervisor reclassified compares the file's code with the code the
        police system sent (source_offence), as the daily import does."""
        if record.reclassified and values.get("offence") == record.source_offence_id:
            values = {**values, "offence": record.offence_id}
        return super().differs(record, values)

    def update(self, record, values):
        """Never overwrite an accepted reclassification: the file's code becomes the police
        system's code (source_offence) and the working code stays."""
        reclassified, working = record.reclassified, record.offence_id
        self.assign(record, self.given(values))
        if reclassified:
            record.offence_id = working
        record.save()
        return record

    def create(self, values):
        record = self.model(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
            screened_at=_day_start(values["recorded_on"]),
        )
        self.assign(record, values)
        record.save()
        return record

    def restore(self, record, before):
        super().restore(record, before)
        self._stamp(record)
        record.save(update_fields=["source_offence", "row_hash", "updated_at"])
