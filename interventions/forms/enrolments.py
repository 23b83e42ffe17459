"""Forms of enrolments."""

from django import forms
from django.utils import timezone

from cases.forms import core as core_forms
from cases.forms.core import DateField
from interventions.models import (
    Pathway,
    WithdrawalReason,
)
from interventions.services import enrolments as enrolment_services

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
        errors = enrolment_services.referral_errors(values)
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
    field.label_from_instance = lambda user: (
        f"{user.full_name} ({user.registration})" if user.registration else user.full_name
    )
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
                enrolment_services.consent_errors(
                    self.enrolment, consent_signed_on=data.get("consent_signed_on")
                )
            )
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
        errors = enrolment_services.withdraw_errors(
            self.enrolment, withdrawn_on=data.get("withdrawn_on"), reason=data.get("reason")
        )
        if data.get("withdrawn_on") is None:
            errors.pop("withdrawn_on", None)
        self.add_rule_errors(errors)
        return data
