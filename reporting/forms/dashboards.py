"""The dashboard's filter: a period of London dates (by default the last twelve full
months) checked by the report period rules, and optionally one local area."""

from django import forms
from django.utils import timezone

from cases.forms.core import DateField
from reporting.periods import period_errors
from reporting.selectors.dashboards import default_period
from reporting.selectors.inputs import active_local_areas


class DashboardFilterForm(forms.Form):
    start = DateField(
        label="From", past_only=False, error_messages={"required": "Enter the first day."}
    )
    end = DateField(label="To", past_only=False, error_messages={"required": "Enter the last day."})
    area = forms.ModelChoiceField(
        label="Local area",
        queryset=None,
        required=False,
        empty_label="The whole partnership",
        error_messages={"invalid_choice": "Choose a local area of your partnership."},
    )

    def __init__(self, *args, membership, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["area"].queryset = active_local_areas(membership)

    @classmethod
    def from_query(cls, params, *, membership, today=None):
        """Bound to the query string when it names a period or an area, else to the
        default period (the last twelve full months) for the whole partnership."""
        today = today or timezone.localdate()
        if any(name in params for name in ("start", "end", "area")):
            return cls(params, membership=membership, today=today)
        start, end = default_period(today)
        return cls(
            {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
            membership=membership,
            today=today,
        )

    def clean(self):
        data = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return data
        for name, message in period_errors(
            data.get("start"), data.get("end"), today=self.today
        ).items():
            self.add_error(name, message)
        return data
