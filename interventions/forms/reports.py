"""Form of the end-of-intervention report: a rating per objective (overall and each
component covered), the shareable summary and the clinical notes."""

from django import forms

from interventions.models import OutcomeRating
from interventions.services import reports as report_services

from .enrolments import RuleCheckedForm, _choice

PREFIX = "outcome_"


class EndReportForm(RuleCheckedForm):
    summary = forms.CharField(
        label="Summary to share",
        max_length=report_services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Sent to the police and probation on the case. No clinical detail.",
        error_messages={"required": "Enter the summary to share with the agencies."},
    )
    clinical_notes = forms.CharField(
        label="Clinical notes (not shared)",
        required=False,
        max_length=report_services.NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only your agency can read these. They are never sent or printed.",
    )

    def __init__(self, *args, enrolment, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        ratings = {
            PREFIX + code: _choice(
                f"Outcome: {label}",
                OutcomeRating.choices,
                message=f"Rate “{label}”: achieved, partly or not achieved.",
            )
            for code, label in objectives
        }
        self.fields = {**ratings, **self.fields}

    def _target(self, field):
        if field and field.startswith("outcomes."):
            field = PREFIX + field.removeprefix("outcomes.")
        return super()._target(field)

    def values(self):
        data = self.cleaned_data
        return {
            "outcomes": {
                name.removeprefix(PREFIX): data.get(name)
                for name in self.fields
                if name.startswith(PREFIX)
            },
            "summary": data.get("summary") or "",
            "clinical_notes": data.get("clinical_notes") or "",
        }

    def clean(self):
        data = super().clean()
        errors = report_services.report_errors(self.enrolment, **self.values())
        self.add_rule_errors(errors)
        return data


class SendReportForm(RuleCheckedForm):
    """A confirmation: nothing to fill in; errors of sending go to the summary."""
