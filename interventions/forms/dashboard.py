"""The dashboard's period: from and to dates, by default the fiscal year so far (April to
March, the Home Office return's year)."""

from datetime import date

from django import forms
from django.utils import timezone

from cases.forms.core import DateField

LONGEST_DAYS = 366 * 5


def fiscal_year_start(today):
    year = today.year if today.month >= 4 else today.year - 1
    return date(year, 4, 1)


class PeriodForm(forms.Form):
    start = DateField(
        label="From", past_only=False, error_messages={"required": "Enter the first date."}
    )
    end = DateField(
        label="To", past_only=False, error_messages={"required": "Enter the last date."}
    )

    @classmethod
    def from_query(cls, params):
        """Bound to the query string when it names a period, else to the default one."""
        if "start" in params or "end" in params:
            return cls(params)
        today = timezone.localdate()
        return cls({"start": fiscal_year_start(today).isoformat(), "end": today.isoformat()})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last date must be on or after the first date.")
        elif start and end and (end - start).days > LONGEST_DAYS:
            self.add_error("end", "Choose a period of at most five years.")
        return data
