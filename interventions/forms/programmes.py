"""Form of a local programme (the partnership admin)."""

from django import forms

from accounts.roles import AgencyKind
from interventions.models import Delivery, ProgrammeKind, Recipient
from interventions.services import programmes as programme_services

from .enrolments import RuleCheckedForm, _choice


def _number(label, high, message, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=high,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        **kwargs,
    )


class ProgrammeForm(RuleCheckedForm):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Short, lower-case letters, numbers and hyphens. It cannot change later.",
        error_messages={"required": "Enter a short code."},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the programme's name."}
    )
    provider_kind = _choice("Delivered by", AgencyKind.choices)
    recipient = _choice("For", Recipient.choices)
    delivery = _choice("Delivery", Delivery.choices)
    kind = _choice("Kind of intervention", ProgrammeKind.choices)
    sessions_min = _number(
        "Fewest sessions planned", 50, "Enter the fewest sessions, from 1 to 50."
    )
    sessions_max = _number("Most sessions planned", 50, "Enter the most sessions, from 1 to 50.")
    session_minutes = _number(
        "Session length in minutes", 600, "Enter the session length in minutes, 1 to 600."
    )
    absence_alert_threshold = _number(
        "Unacceptable absences that alert the police and probation",
        50,
        "Enter the unacceptable absences that alert, 1 to 50.",
        help_text="Only where attendance is a requirement of an order, caution or licence.",
    )
    criteria = forms.CharField(
        label="Eligibility checklist",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One criterion per line, for example: Adult (18 or over).",
    )
    active = forms.BooleanField(label="Taking referrals", required=False, initial=True)

    def __init__(self, *args, programme=None, partnership_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme, self.partnership_id = programme, partnership_id
        if programme is not None:
            del self.fields["code"]

    def values(self):
        data = dict(self.cleaned_data)
        data["criteria"] = (data.get("criteria") or "").splitlines()
        return data

    def clean(self):
        data = super().clean()
        self.add_rule_errors(
            programme_services.programme_errors(
                self.values(), partnership_id=self.partnership_id, programme=self.programme
            )
        )
        return data
