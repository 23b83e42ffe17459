"""Asking for a report: which report, which period (a quarter or two dates), which part of
the partnership."""

from django import forms
from django.utils import timezone

from accounts.models import Agency
from cases.forms.core import DateField, RuleCheckedForm
from reporting.models import LocalArea, ReportKind
from reporting.periods import Quarter, quarter_just_ended
from reporting.selectors.inputs import active_local_areas, partnership_agencies

QUARTERS_OFFERED = 8
ANCHORS = [
    ("referral", "Referral date"),
    ("monitoring_start", "Start of monitoring"),
    ("intervention_end", "End of the intervention"),
]
# Research extracts have their own request page (approval and a purpose).
KINDS = [
    (ReportKind.QUARTERLY_RETURN, ReportKind.QUARTERLY_RETURN.label),
    (ReportKind.EVALUATION_PACK, ReportKind.EVALUATION_PACK.label),
]


def quarter_choices(today):
    quarter, choices = quarter_just_ended(today), []
    for _ in range(QUARTERS_OFFERED):
        choices.append((f"{quarter.year}-{quarter.number}", quarter.label))
        quarter = quarter.previous()
    return choices


class RunForm(RuleCheckedForm):
    # The service names the period's fields period_start / period_end.
    datetime_parts = {"period_start": ("start",), "period_end": ("end",)}

    kind = forms.ChoiceField(
        label="Report", choices=KINDS, widget=forms.RadioSelect, initial=KINDS[0][0]
    )
    quarter = forms.ChoiceField(
        label="Financial-year quarter",
        required=False,
        help_text="Q1 is April to June. Leave as 'Choose dates' to give your own period.",
    )
    start = DateField(label="First day", required=False)
    end = DateField(label="Last day", required=False)
    local_area = forms.ModelChoiceField(
        label="Local area",
        queryset=LocalArea.objects.none(),
        required=False,
        empty_label="Whole partnership",
    )
    agency = forms.ModelChoiceField(
        label="Or one agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Every agency",
    )
    anchor = forms.ChoiceField(
        label="Re-offending windows start from (evaluation pack)",
        choices=ANCHORS,
        initial="referral",
        required=False,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["quarter"].choices = [("", "Choose dates"), *quarter_choices(today)]
        self.fields["quarter"].initial = quarter_choices(today)[0][0]
        self.fields["local_area"].queryset = active_local_areas(membership)
        self.fields["agency"].queryset = partnership_agencies(membership).filter(active=True)

    def clean(self):
        data = super().clean()
        if data.get("quarter"):
            year, number = (int(part) for part in data["quarter"].split("-"))
            quarter = Quarter(year, number)
            data["start"], data["end"] = quarter.start, quarter.end
        elif data.get("quarter") == "" and not self.has_error("start") and not data.get("start"):
            self.add_error("start", "Choose a quarter, or enter the first day of the period.")
        data["anchor"] = data.get("anchor") or "referral"
        return data

    def run_arguments(self):
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "period_start": data["start"],
            "period_end": data["end"],
            "local_area": data.get("local_area"),
            "agency": data.get("agency"),
            "parameters": {"anchor": data["anchor"]}
            if data["kind"] == ReportKind.EVALUATION_PACK
            else {},
        }
