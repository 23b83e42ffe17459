import re

from django import forms

from cases.forms.core import DateField
from cases.models import (
    CodeList,
)
from cases.models.reference import too_early
from cases.services.reference import LOCAL_LISTS

CODE_PATTERN = re.compile(r"[a-z0-9_]{1,30}")


class CodeAddForm(forms.Form):
    code_list = forms.ChoiceField(
        label="Code list",
        choices=[(c, CodeList(c).label) for c in LOCAL_LISTS],
        error_messages={"required": "Choose a code list.", "invalid_choice": "Choose a list."},
    )
    code = forms.CharField(
        label="Code",
        help_text="Short and stable, for example 'moved_abroad'. It cannot be changed later.",
        max_length=30,
        error_messages={"required": "Enter the code."},
    )
    label = forms.CharField(
        label="Label", max_length=200, error_messages={"required": "Enter the label."}
    )
    description = forms.CharField(
        label="Description (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    effective_from = DateField(
        label="In use from",
        past_only=False,
        error_messages={"required": "Enter the date the code comes into use."},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError(
                "Use lower-case letters, numbers and underscores only, like moved_abroad."
            )
        return code

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        # A local code describes events; none the product records predates 2000.
        if too_early(day):
            raise forms.ValidationError(too_early(day))
        return day


class RelabelForm(forms.Form):
    label = forms.CharField(
        label="New label", max_length=200, error_messages={"required": "Enter the new label."}
    )
    effective_from = DateField(
        label="New label in use from",
        help_text="The old label stays on records made before this date. For example, 27/3/2026",
        past_only=False,
        error_messages={"required": "Enter the date the new label comes into use."},
    )


class RetireForm(forms.Form):
    effective_to = DateField(
        label="First day not in use",
        help_text="Records that already use the code keep it. For example, 27/3/2026",
        past_only=False,
        error_messages={"required": "Enter the first day the code is not offered."},
    )
