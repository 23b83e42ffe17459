"""Forms for the police daily crime screen."""

from django import forms

from cases.forms.core import DateField
from cases.importers.crime_screen import MAX_UPLOAD_BYTES
from cases.models import ReclassificationOutcome, ScreeningActionKind
from cases.models.external import EXTERNAL_SOURCE_MAX
from cases.selectors.screening import WorklistFilters
from cases.services import screening as screening_services

YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]
SCREENED_CHOICES = [("", "Any"), ("no", "Not screened"), ("yes", "Screened")]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Crime-screen export (CSV)",
        help_text=f"A CSV UTF-8 file of up to {MAX_UPLOAD_BYTES // 1024 // 1024} MB, "
        "with the columns in the column guide.",
        error_messages={
            "required": "Select the crime-screen CSV file.",
            "empty": "The file is empty.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    external_source = forms.CharField(
        label="Source system (optional)",
        help_text="The system the rows' external ids come from, for rows that do not name "
        "one in an external_source column.",
        max_length=EXTERNAL_SOURCE_MAX,
        required=False,
    )


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class WorklistFilterForm(forms.Form):
    offence = forms.ModelChoiceField(
        label="Offence code", queryset=None, required=False, empty_label="Any"
    )
    da = forms.ChoiceField(label="Domestic abuse flag", choices=YES_NO_ANY, required=False)
    screened = forms.ChoiceField(label="Screened", choices=SCREENED_CHOICES, required=False)
    area = forms.CharField(label="Area", max_length=100, required=False)
    officer = forms.CharField(label="Officer in charge", max_length=200, required=False)
    recorded_from = DateField(label="Recorded from", required=False, help_text="")
    recorded_to = DateField(label="Recorded to", required=False, help_text="")

    def __init__(self, *args, offences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence"].queryset = offences
        for name in ("recorded_from", "recorded_to"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def clean(self):
        data = super().clean()
        start, end = data.get("recorded_from"), data.get("recorded_to")
        if start and end and end < start:
            self.add_error("recorded_to", "The end of the range must be after its start.")
        return data

    def filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        return WorklistFilters(
            offence=data.get("offence"),
            domestic_abuse=_yes_no(data.get("da")),
            area=(data.get("area") or "").strip(),
            screened=_yes_no(data.get("screened")),
            officer=(data.get("officer") or "").strip(),
            recorded_from=data.get("recorded_from"),
            recorded_to=data.get("recorded_to"),
        )


class ActionForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="What was done",
        choices=ScreeningActionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one action."},
    )
    acted_on = DateField(
        label="Date of the action",
        error_messages={"required": "Enter the date of the action."},
    )
    requested_offence = forms.ModelChoiceField(
        label="Offence it should be recorded as (for reclassification)",
        queryset=None,
        required=False,
        empty_label="Select an offence",
    )
    reason = forms.CharField(
        label="Reason for no further action",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offences, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_offence"].queryset = offences
        self.entry = entry

    def clean(self):
        """The service's rules too, so every problem is reported in one pass."""
        data = super().clean()
        if self.entry is not None:
            found = screening_services.action_errors(
                entry=self.entry,
                kinds=data.get("kinds") or [],
                acted_on=data.get("acted_on"),
                reason=data.get("reason", ""),
                requested_offence=data.get("requested_offence"),
            )
            for field, message in found.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[
            (ReclassificationOutcome.ACCEPTED, "Accepted: the crime will be reclassified"),
            (ReclassificationOutcome.REFUSED, "Refused: the classification stands"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accepted or refused."},
    )
    decided_on = DateField(
        label="Date of the decision",
        error_messages={"required": "Enter the date of the decision."},
    )


class SameCourseForm(forms.Form):
    original = forms.CharField(
        label="Crime reference of the first report",
        help_text="Leave empty to remove the link.",
        max_length=40,
        required=False,
    )


class LinkCaseForm(forms.Form):
    case = forms.CharField(
        label="Case reference",
        help_text="A case you can see, for example NSP-2026-00012. Leave empty to unlink.",
        max_length=30,
        required=False,
    )
