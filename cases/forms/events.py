"""Forms for criminal-justice events and for recording that the victim was told. Each asks
the service's own rules in ``clean``, so every problem shows in one pass."""

from django import forms
from django.utils import timezone

from cases.forms.core import DateField, RuleCheckedForm, combine_date_time
from cases.forms.record import PersonChoiceField
from cases.models import CaseEventKind, ContactChannel
from cases.services import events as services

TIME_HINT = "24-hour clock, UK time. For example, 14:30"


def _time_field(label):
    return forms.TimeField(
        label=label,
        help_text=TIME_HINT,
        error_messages={
            "required": "Enter the time.",
            "invalid": "Enter a real time, like 14:30.",
        },
        widget=forms.TimeInput(attrs={"autocomplete": "off"}),
    )


class CaseEventForm(RuleCheckedForm):
    datetime_parts = {"occurred_at": ("occurred_date", "occurred_time")}

    perpetrator = PersonChoiceField(
        label="Perpetrator",
        queryset=None,
        empty_label="Choose the perpetrator",
        error_messages={
            "required": "Choose the perpetrator.",
            "invalid_choice": "Choose a perpetrator on this case.",
        },
    )
    kind = forms.ChoiceField(
        label="What happened",
        choices=CaseEventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    occurred_date = DateField(
        label="Date",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date it happened."},
    )
    occurred_time = _time_field("Time")
    note = forms.CharField(
        label="Note (optional)",
        help_text="Every agency on the case reads this. No victim contact details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.NOTE_LIMIT,
    )

    def __init__(self, *args, case, perpetrators, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["perpetrator"].queryset = perpetrators

    def values(self):
        data = self.cleaned_data
        return {
            "perpetrator": data.get("perpetrator"),
            "kind": data.get("kind"),
            "occurred_at": combine_date_time(data.get("occurred_date"), data.get("occurred_time")),
            "note": data.get("note") or "",
        }

    def clean(self):
        super().clean()
        values = self.values()
        errors = services.case_event_errors(self.case, **values)
        if values["occurred_at"] is None:
            errors.pop("occurred_at", None)  # the date or time input says what is missing
        self.add_rule_errors(errors)
        return values


class VictimNotificationForm(RuleCheckedForm):
    datetime_parts = {"at": ("at_date", "at_time")}

    result = forms.ChoiceField(
        label="What happened",
        choices=services.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    at_date = DateField(
        label="Date", initial=timezone.localdate, error_messages={"required": "Enter the date."}
    )
    at_time = _time_field("Time")
    channel = forms.ChoiceField(
        label="How (needed when the victim was told)",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    told_by = forms.CharField(
        label="Told by (optional)",
        help_text="Leave empty if you told the victim. Otherwise, for example, the officer "
        "in charge or the witness care unit.",
        required=False,
        max_length=200,
    )
    note = forms.CharField(
        label="Note",
        help_text="Needed when the victim could not be told or asked not to be. "
        "No contact details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.NOTE_LIMIT,
    )

    def __init__(self, *args, notification, **kwargs):
        super().__init__(*args, **kwargs)
        self.notification = notification

    def values(self):
        data = self.cleaned_data
        return {
            "result": data.get("result"),
            "at": combine_date_time(data.get("at_date"), data.get("at_time")),
            "channel": data.get("channel") or "",
            "told_by": (data.get("told_by") or "").strip(),
            "note": (data.get("note") or "").strip(),
        }

    def clean(self):
        super().clean()
        values = self.values()
        errors = services.victim_notification_errors(self.notification, **values)
        if values["at"] is None:
            errors.pop("at", None)
        self.add_rule_errors(errors)
        return values


class VictimsCodeRightsForm(forms.Form):
    enhanced_rights = forms.TypedChoiceField(
        label="Victims' Code rights",
        choices=[
            ("yes", "Enhanced rights: told within 1 working day"),
            ("no", "Standard rights: told within 5 working days"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Victims of stalking are persistently targeted, so most are entitled to "
        "enhanced rights.",
        error_messages={"required": "Say whether the victim is entitled to enhanced rights."},
    )
