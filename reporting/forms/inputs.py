"""Forms of the report set-up pages: local areas, training events and staff FTE. The rules
(unique names, attendees, overlapping periods) are the services'; their errors come back
to these fields through ``apply_service_errors``."""

from django import forms

from cases.forms.core import DateField
from reporting.models import TrainingAudience
from reporting.selectors import inputs as selectors


class LocalAreaForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="For example, a borough or a local policing area: Northtown.",
        max_length=120,
        error_messages={"required": "Enter the name of the local area."},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies in this area",
        help_text="A case is in the area when its lead agency is one of these.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose agencies of your partnership."},
    )
    police_areas = forms.CharField(
        label="Police areas (optional)",
        help_text=(
            "One per line, spelt as the crime screen records them. A case is also in the "
            "area when one of its crimes was recorded in one of these police areas."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        max_length=20_000,
    )
    active = forms.BooleanField(
        label="Active: offered when reports are run",
        required=False,
        initial=True,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = selectors.partnership_agencies(membership)

    @classmethod
    def initial_of(cls, area):
        return {
            "name": area.name,
            "agencies": list(area.agencies.all()),
            "police_areas": "\n".join(area.police_areas),
            "active": area.active,
        }


class TrainingEventForm(forms.Form):
    delivered_on = DateField(
        label="Date delivered",
        error_messages={"required": "Enter the date the training was delivered."},
    )
    topic = forms.CharField(
        label="Topic",
        max_length=200,
        error_messages={"required": "Enter the topic of the training."},
    )
    audience = forms.ChoiceField(
        label="Audience",
        help_text="Who the training was for.",
        choices=[("", "Choose the audience"), *TrainingAudience.choices],
        error_messages={
            "required": "Choose who the training was for.",
            "invalid_choice": "Choose who the training was for.",
        },
    )
    attendee_count = forms.IntegerField(
        label="Number of people trained",
        error_messages={
            "required": "Enter how many people attended.",
            "invalid": "Enter the number of people trained as a whole number, like 12.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    delivered_by = forms.ModelChoiceField(
        label="Delivered by",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Choose the agency that delivered the training.",
            "invalid_choice": "Choose an agency you may record training for.",
        },
    )
    local_area = forms.ModelChoiceField(
        label="Local area (optional)",
        help_text="Only when the training was for one local area.",
        queryset=None,
        required=False,
        empty_label="Whole partnership",
        error_messages={"invalid_choice": "Choose a local area of your partnership."},
    )

    def __init__(self, *args, membership, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_by"].queryset = selectors.training_agencies(membership)
        keep = event.local_area if event is not None else None
        self.fields["local_area"].queryset = selectors.active_local_areas(
            membership, keep=keep
        ).order_by("name")

    @classmethod
    def initial_of(cls, event):
        return {
            "delivered_on": event.delivered_on,
            "topic": event.topic,
            "audience": event.audience,
            "attendee_count": event.attendee_count,
            "delivered_by": event.delivered_by,
            "local_area": event.local_area,
        }


class StaffFteForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=None,
        empty_label="Choose the agency",
        error_messages={
            "required": "Choose the agency.",
            "invalid_choice": "Choose an agency of your partnership.",
        },
    )
    period_start = DateField(
        label="First day",
        past_only=False,
        error_messages={"required": "Enter the first day."},
    )
    period_end = DateField(
        label="Last day",
        past_only=False,
        error_messages={"required": "Enter the last day."},
    )
    fte = forms.DecimalField(
        label="Full-time equivalent staff (FTE)",
        help_text="For example, 2.5 for two full-time and one half-time post.",
        max_digits=8,
        decimal_places=2,
        error_messages={
            "required": "Enter the full-time equivalent staff, like 2.5.",
            "invalid": "Enter the FTE as a number, like 2.5.",
            "max_digits": "The FTE must be 999 or less.",
            "max_decimal_places": "Give the FTE to at most 2 decimal places.",
            "max_whole_digits": "The FTE must be 999 or less.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, which posts this covers.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.partnership_agencies(membership)

    @classmethod
    def initial_of(cls, row):
        return {
            "agency": row.agency,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "fte": row.fte,
            "note": row.note,
        }
