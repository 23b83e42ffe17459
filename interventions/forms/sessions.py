"""Forms of sessions."""

from django import forms

from cases.forms.core import DateField, combine_date_time
from interventions.models import (
    Attendance,
    CancellationReason,
    Component,
    Modality,
)
from interventions.services import enrolments as enrolment_services
from interventions.services import sessions as session_services

from .enrolments import TIME_HINT, RuleCheckedForm, _choice


class ScheduleForm(RuleCheckedForm):
    scheduled_date = DateField(
        label="Date",
        past_only=False,
        error_messages={"required": "Enter the date of the session."},
    )
    scheduled_time = forms.TimeField(
        label="Time",
        help_text=TIME_HINT,
        error_messages={
            "required": "Enter the time of the session.",
            "invalid": "Enter a real time, like 14:30.",
        },
    )
    modality = _choice("How the session is held", Modality.choices)

    def __init__(self, *args, enrolment, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment, self.session = enrolment, session

    def values(self):
        data = self.cleaned_data
        return {
            "scheduled_at": combine_date_time(
                data.get("scheduled_date"), data.get("scheduled_time")
            ),
            "modality": data.get("modality"),
        }

    def clean(self):
        data = super().clean()
        values = self.values()
        errors = session_services.schedule_errors(self.enrolment, **values)
        if values["scheduled_at"] is None:
            errors.pop("scheduled_at", None)  # the date or time has its own error already
        self.add_rule_errors(errors)
        return data


class CancelForm(RuleCheckedForm):
    reason = _choice(
        "Reason", CancellationReason.choices, message="Choose why the session is cancelled."
    )


class AttendanceForm(RuleCheckedForm):
    attendance = _choice("Attendance", Attendance.choices, message="Choose the attendance code.")
    minutes = forms.IntegerField(
        label="Minutes spent",
        required=False,
        min_value=0,
        max_value=enrolment_services.MAX_MINUTES,
        help_text="For a session attended.",
        error_messages={
            "invalid": "Enter the minutes as a whole number.",
            "min_value": "Enter minutes between 1 and 600.",
            "max_value": "Enter minutes between 1 and 600.",
        },
    )
    components = forms.MultipleChoiceField(
        label="Components covered",
        choices=Component.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="Session notes (clinical)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only your agency can read these. Other agencies see attendance only.",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def values(self):
        data = self.cleaned_data
        return {
            "attendance": data.get("attendance"),
            "minutes": data.get("minutes"),
            "components": data.get("components") or [],
            "notes": (data.get("notes") or "").strip(),
        }

    def clean(self):
        data = super().clean()
        self.add_rule_errors(session_services.attendance_errors(self.session, self.values()))
        return data
