from django import forms

from audit.models import Action


class AuditSearchForm(forms.Form):
    actor_email = forms.CharField(label="User's email contains", required=False, max_length=254)
    action = forms.ChoiceField(
        label="Action", choices=[("", "Any")] + Action.choices, required=False
    )
    case_reference = forms.CharField(label="Case reference", required=False, max_length=30)
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text="For example, 1/4/2026",
        error_messages={"invalid": "Enter a real date, like 1/4/2026."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        help_text="For example, 30/6/2026",
        error_messages={"invalid": "Enter a real date, like 30/6/2026."},
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data
