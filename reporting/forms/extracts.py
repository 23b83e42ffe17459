"""Forms of the research extract: the request and the partnership admin's decision."""

from django import forms

from cases.forms.core import DateField, RuleCheckedForm


class ExtractRequestForm(RuleCheckedForm):
    # The service names the period's fields period_start / period_end.
    datetime_parts = {"period_start": ("start",), "period_end": ("end",)}

    start = DateField(
        label="First day of the period",
        help_text="Cases with a referral received from this day. For example, 1/4/2025",
        error_messages={"required": "Enter the first day of the period."},
    )
    end = DateField(
        label="Last day of the period",
        help_text="Up to and including this day. For example, 31/3/2026",
        error_messages={"required": "Enter the last day of the period."},
    )
    local_area = forms.ModelChoiceField(
        label="Local area (optional)",
        queryset=None,
        required=False,
        empty_label="The whole partnership",
        error_messages={"invalid_choice": "Choose one of the partnership's local areas."},
    )
    purpose = forms.CharField(
        label="What is the extract for?",
        help_text="The evaluation or research question, who will use the extract and the "
        "agreement it falls under. The partnership admin reads this before approving it.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={"required": "Say what the extract is for and who will use it."},
    )

    def __init__(self, *args, local_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_area"].queryset = local_areas


class ExtractDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: build the extract"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse."},
    )
    note = forms.CharField(
        label="Note",
        help_text="Why: the data-sharing agreement it falls under, or why it is refused (the "
        "person who asked is told it was refused).",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter a note about your decision."},
    )

    @property
    def approve(self):
        return self.cleaned_data["decision"] == "approve"
