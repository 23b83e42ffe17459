from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

DATE_HINT = "For example, 27/3/2025"


class DateField(forms.DateField):
    def __init__(self, *, past_only=True, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        messages = {"invalid": "Enter a real date, like 27/3/2025."}
        messages.update(kwargs.pop("error_messages", {}))
        kwargs["error_messages"] = messages
        super().__init__(**kwargs)
        self.past_only = past_only

    def validate(self, value):
        super().validate(value)
        if value and self.past_only and value > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past.")


class CaseOpenForm(forms.Form):
    summary = forms.CharField(
        label="Case summary",
        help_text="What has happened, in a few sentences. No victim contact details.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter a summary of the case."},
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Choose the lead agency.",
            "invalid_choice": "Choose an agency in your partnership.",
        },
    )
    officer_in_charge = forms.ModelChoiceField(
        label="Officer in charge", queryset=None, required=False, empty_label="Not assigned yet"
    )
    opened_on = DateField(
        label="Date opened",
        initial=timezone.localdate,
        error_messages={
            "required": "Enter the date the case opened.",
            "invalid": "Enter a real date, like 27/3/2025.",
        },
    )

    def __init__(self, *args, agencies, police_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = agencies
        self.fields["officer_in_charge"].queryset = police_users


class ShareForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=None,
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to share the case with."},
    )
    reason = forms.CharField(
        label="Why share the case",
        help_text="For example, the information-sharing agreement clause or clinic decision.",
        max_length=300,
        error_messages={"required": "Enter why the case is being shared."},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=30,
        error_messages={"required": "Enter the case reference."},
    )
    reason = forms.CharField(
        label="Why do you need to open this case?",
        help_text="Your reason, name and the time are recorded and shown to the partnership admin.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": "Enter why you need to open this case.",
            "min_length": "Give a reason of at least 10 characters.",
        },
    )


def apply_service_errors(form, error: ValidationError):
    """Put a service's ValidationError next to the matching form fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def combine_date_time(day, time):
    """One aware datetime from a form's separate date and time inputs (None if either is
    missing)."""
    if day is None or time is None:
        return None
    return timezone.make_aware(datetime.combine(day, time))


class RuleCheckedForm(forms.Form):
    """A form whose service rules report errors by field. ``datetime_parts`` maps a service
    field that is one datetime to the form's (date input, time input), so its error sits
    next to the date input."""

    datetime_parts = {}

    def _target(self, field):
        target = self.datetime_parts.get(field, (field,))[0] if field else None
        return target if target in self.fields else None

    def add_rule_errors(self, errors):
        """The rules' errors, on the fields that have none of their own yet."""
        for field, message in errors.items():
            target = self._target(field)
            if target is not None and self.has_error(target):
                continue
            self.add_error(target, message)

    def apply_service_errors(self, error):
        """A ValidationError the service raised while saving, at the matching fields."""
        messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, message in messages.items():
            self.add_error(self._target(field), message)


def form_status(request, form):
    """400 for a POSTed form with errors (so tests and tools see the refusal), else 200."""
    return 400 if request.method == "POST" and form is not None and form.errors else 200


NOT_SAVED = object()


def save_through_service(form, save):
    """For a bound, valid form: ``save(**form.cleaned_data)`` and its result. Otherwise, or
    when the service refuses with a ValidationError (shown at the form's fields), NOT_SAVED."""
    if not form.is_bound or not form.is_valid():
        return NOT_SAVED
    try:
        return save(**form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return NOT_SAVED
