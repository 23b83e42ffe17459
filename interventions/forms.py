"""Interventions forms. Each asks the service's own rules in ``clean`` (referral_errors,
consent_errors, schedule_errors, attendance_errors, withdraw_errors), so every problem shows
in one pass with the error summary; the service checks again when saving."""

from django import forms
from django.utils import timezone

from cases.forms import core as core_forms
from cases.forms.core import DateField, combine_date_time
from interventions import services
from interventions.models import (
    Attendance,
    CancellationReason,
    Component,
    Modality,
    Pathway,
    WithdrawalReason,
)

TIME_HINT = "24-hour clock, UK time. For example, 14:30"
# A service error on a date-and-time goes next to its date input.
DATETIME_PARTS = {"scheduled_at": ("scheduled_date", "scheduled_time")}


class RuleCheckedForm(core_forms.RuleCheckedForm):
    datetime_parts = DATETIME_PARTS


def _choice(label, choices, *, message=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message or f"Choose {label.lower()}."},
    )


class ReferForm(RuleCheckedForm):
    party = forms.TypedChoiceField(
        label="Person",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person you are referring."},
    )
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a programme.", "invalid_choice": "Choose a programme."},
    )
    pathway = _choice("Pathway", Pathway.choices, message="Choose the pathway.")
    referred_on = DateField(
        label="Date of the referral",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the referral."},
    )
    planned_sessions = forms.IntegerField(
        label="Sessions planned (optional)",
        required=False,
        min_value=1,
        max_value=50,
        help_text="Leave blank for the programme's most (fACT: 6).",
        error_messages={"invalid": "Enter the number of sessions as a whole number."},
    )

    def __init__(self, *args, parties, programmes, clinicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = {p.pk: p for p in parties}
        self.fields["party"].choices = [
            (p.pk, f"{p.person.full_name} ({p.get_role_display().lower()})") for p in parties
        ]
        self.fields["programme"].queryset = programmes
        self.fields["practitioner"] = _clinician_field(clinicians)

    def values(self):
        data = self.cleaned_data
        return {
            "party": self.parties.get(data.get("party")),
            "programme": data.get("programme"),
            "pathway": data.get("pathway"),
            "referred_on": data.get("referred_on"),
            "planned_sessions": data.get("planned_sessions"),
            "practitioner": data.get("practitioner"),
        }

    def clean(self):
        data = super().clean()
        values = self.values()
        if values["programme"] is not None and values["planned_sessions"] is None:
            values["planned_sessions"] = values["programme"].sessions_max
        errors = services.referral_errors(values)
        self.add_rule_errors(errors)
        return data


def _clinician_field(clinicians, required=False):
    field = forms.ModelChoiceField(
        label="Allocated clinician",
        queryset=clinicians,
        required=required,
        empty_label="Not allocated yet",
        error_messages={
            "required": "Choose a clinician in your agency.",
            "invalid_choice": "Choose a clinician in your agency.",
        },
    )
    field.label_from_instance = lambda user: user.full_name
    return field


class AllocateForm(RuleCheckedForm):
    def __init__(self, *args, clinicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"] = _clinician_field(clinicians, required=True)


class ConsentForm(RuleCheckedForm):
    consent_signed_on = DateField(
        label="Consent and information-sharing contract signed on",
        error_messages={"required": "Enter the date the consent and contract were signed."},
    )
    shares_progress = forms.BooleanField(label="Progress", required=False)
    shares_compliance = forms.BooleanField(
        label="Compliance with the caution, order or licence", required=False
    )
    shares_risk_indicators = forms.BooleanField(
        label="Heightened-risk indicators (for example, threats or suicidal thoughts)",
        required=False,
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean(self):
        data = super().clean()
        if data.get("consent_signed_on") is not None:
            self.add_rule_errors(
                services.consent_errors(
                    self.enrolment, consent_signed_on=data.get("consent_signed_on")
                )
            )
        return data


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
        errors = services.schedule_errors(self.enrolment, **values)
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
        max_value=services.MAX_MINUTES,
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
        self.add_rule_errors(services.attendance_errors(self.session, self.values()))
        return data


class WithdrawForm(RuleCheckedForm):
    withdrawn_on = DateField(
        label="Date the person left the programme",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the withdrawal."},
    )
    reason = _choice(
        "Reason", WithdrawalReason.choices, message="Choose why the person left the programme."
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean(self):
        data = super().clean()
        errors = services.withdraw_errors(
            self.enrolment, withdrawn_on=data.get("withdrawn_on"), reason=data.get("reason")
        )
        if data.get("withdrawn_on") is None:
            errors.pop("withdrawn_on", None)
        self.add_rule_errors(errors)
        return data
