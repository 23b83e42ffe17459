"""Forms for the actions tracker. Rules live in triage.services.actions; these only parse."""

from django import forms

from cases.forms.core import DateField
from triage.selectors.actions import SHOW_CHOICES, SORT_CHOICES


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class ActionFilterForm(forms.Form):
    """The GET filters above a list. Unknown values fall back to the defaults."""

    show = forms.ChoiceField(label="Show", choices=SHOW_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"] = forms.ChoiceField(
                label="Owner agency",
                choices=[("", "All agencies")] + [(str(a.pk), a.name) for a in agencies],
                required=False,
            )


class ActionCreateForm(forms.Form):
    description = forms.CharField(
        label="What needs to be done",
        help_text="No victim contact details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter what needs to be done."},
    )
    owner_agency = forms.ModelChoiceField(
        label="Owner agency",
        queryset=None,
        error_messages={
            "required": "Choose the agency that owns the action.",
            "invalid_choice": "Choose an agency the case is shared with.",
        },
    )
    owner = OwnerChoiceField(
        label="Owner (optional)",
        help_text="A member of the owner agency. Leave blank for the agency to decide.",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Choose a member of the owner agency."},
    )
    due_on = DateField(
        label="Due date",
        past_only=False,
        error_messages={"required": "Enter the date the action is due."},
    )

    def __init__(self, *args, agencies, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies
        self.fields["owner"].queryset = owners


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the action cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the action is cancelled."},
    )


class ReassignForm(forms.Form):
    owner = OwnerChoiceField(
        label="New owner",
        help_text="Leave blank to give it back to the agency without a named owner.",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Choose a member of the owner agency."},
    )

    def __init__(self, *args, owners, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if agencies is not None:
            self.fields["owner_agency"] = forms.ModelChoiceField(
                label="Owner agency",
                queryset=agencies,
                error_messages={
                    "required": "Choose the agency that owns the action.",
                    "invalid_choice": "Choose an agency the case is shared with.",
                },
            )
            self.order_fields(["owner_agency", "owner"])


class DueDateForm(forms.Form):
    due_on = DateField(
        label="New due date",
        past_only=False,
        error_messages={"required": "Enter the new due date."},
    )
