"""Intervention sessions: one row per session held, on an enrolment loaded first, with its
attendance as recorded. Start, end and completion then follow from the dated sessions, as
for sessions recorded here (Enrolment.status): nothing about completion is typed. Sessions
stay in the clinical compartment with their enrolment; no clinical notes are loaded."""

from datetime import datetime, time

from django.utils import timezone

from interventions.models import Attendance, Enrolment, Modality, Session, SessionStatus

from .base import Column, RecordKind

HELD = "held_on"  # a column, stored as scheduled_at (midday of that day)


class SessionsKind(RecordKind):
    name = "sessions"
    label = "Intervention sessions"
    model = Session
    columns = (
        Column(
            "enrolment",
            "Enrolment (their enrolment id)",
            type="ref",
            ref="interventions.Enrolment",
            required=True,
        ),
        Column(HELD, "Date held", type="date", required=True, aliases=("date", "session_date")),
        Column(
            "attendance",
            "Attendance",
            type="choice",
            choices=tuple(Attendance.choices),
            required=True,
        ),
        Column(
            "modality",
            "How it was held",
            type="choice",
            choices=tuple(Modality.choices),
            required=True,
        ),
        Column("minutes", "Minutes", max_length=3, aliases=("duration",)),
    )

    def field_names(self):
        return ["enrolment", "scheduled_at", "attendance", "modality", "minutes"]

    def existing(self, external_ids):
        return {
            record.external_id: record
            for record in Session.objects.filter(
                partnership_id=self.partnership_id,
                external_source=self.source,
                external_id__in=external_ids,
            )
        }

    def convert(self, rows, columns, value_map):
        out = super().convert(rows, columns, value_map)
        good = [values for _, values, errors in out if not errors]
        enrolments = Enrolment.objects.in_bulk({values["enrolment"] for values in good})
        for _, values, errors in out:
            if not errors:
                errors.update(self._stored_errors(values, enrolments[values["enrolment"]]))
        return out

    def row_errors(self, values):
        errors = {}
        minutes = values.get("minutes") or ""
        if minutes and (not minutes.isdigit() or int(minutes) > 600):
            errors["minutes"] = "Give the minutes as a whole number up to 600."
        values["minutes"] = int(minutes) if minutes.isdigit() else None
        held = values[HELD]
        values["scheduled_at"] = timezone.make_aware(datetime.combine(held, time(12)))
        return errors

    def _stored_errors(self, values, enrolment):
        """A session is held after the referral, once consent was signed (the rule for
        sessions recorded here) and not after a withdrawal."""
        held = values[HELD]
        if held < enrolment.referred_on:
            return {
                HELD: f"The session is before the referral ({enrolment.referred_on:%-d %B %Y})."
            }
        if enrolment.consent_signed_on is None or held < enrolment.consent_signed_on:
            return {
                HELD: "Consent must be signed before the first session: load it on the enrolment."
            }
        if enrolment.withdrawn_on and held > enrolment.withdrawn_on:
            return {
                HELD: f"The session is after the withdrawal ({enrolment.withdrawn_on:%-d %B %Y})."
            }
        return {}

    def create(self, values):
        record = Session(
            partnership_id=self.partnership_id,
            external_source=self.source,
            external_id=values["external_id"],
            status=SessionStatus.RECORDED,
            recorded_at=values["scheduled_at"],
            recorded_by=self.actor,
            created_by=self.actor,
        )
        self.assign(record, values)
        record.save()
        return record
