"""Forms of support episodes and contacts."""

from django import forms
from django.utils import timezone

from advocacy.models import (
    Channel,
    ClosureReason,
    ConsentMethod,
    ContactFrequency,
    Direction,
    NeedArea,
    NeedOutcome,
    ReferralRoute,
)
from advocacy.services import episodes as episode_services
from cases.forms import core as core_forms
from cases.forms.core import DateField, combine_date_time

TIME_HINT = "24-hour clock, UK time. For example, 14:30"


# A service error on a date-and-time goes next to its date input.
DATETIME_PARTS = {
    "at": ("at_date", "at_time"),
    "first_contact_attempted_at": ("attempted_date", "attempted_time"),
    "first_contact_made_at": ("made_date", "made_time"),
}


class RuleCheckedForm(core_forms.RuleCheckedForm):
    datetime_parts = DATETIME_PARTS


def _time_field(label, required=False):
    return forms.TimeField(
        label=label,
        required=required,
        help_text=TIME_HINT,
        error_messages={"invalid": "Enter a real time, like 14:30."},
        widget=forms.TimeInput(attrs={"autocomplete": "off"}),
    )


def _choice(label, choices, *, required=True, radios=True, message=""):
    return forms.ChoiceField(
        label=label,
        choices=choices if required else [("", "Not recorded"), *choices],
        required=required,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": message or f"Choose {label.lower()}."},
    )


def _advocate_field(advocates, required=False):
    field = forms.ModelChoiceField(
        label="Allocated advocate",
        queryset=advocates,
        required=required,
        empty_label="Not allocated yet",
        error_messages={"invalid_choice": "Choose an advocate in your agency."},
    )
    field.label_from_instance = lambda user: user.full_name
    return field


def _needs_field():
    return forms.MultipleChoiceField(
        label="Needs",
        choices=NeedArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each need is given an outcome when support closes.",
    )


class StartForm(RuleCheckedForm):
    victim = forms.TypedChoiceField(
        label="Victim",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the victim you are supporting."},
    )
    referral_route = _choice("Referral route", ReferralRoute.choices)
    referred_on = DateField(
        label="Date of the referral",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the referral."},
    )
    contact_frequency = _choice(
        "Agreed contact frequency", ContactFrequency.choices, required=False, radios=False
    )
    needs = _needs_field()

    def __init__(self, *args, victims, advocates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["victim"].choices = [(v.pk, str(v)) for v in victims]
        self.fields["advocate"] = _advocate_field(advocates)
        self.order_fields(
            ["victim", "referral_route", "referred_on", "advocate", "contact_frequency", "needs"]
        )

    def clean(self):
        data = super().clean()
        self.add_rule_errors(
            episode_services.episode_errors(
                {
                    "referral_route": data.get("referral_route"),
                    "referred_on": data.get("referred_on"),
                    "contact_frequency": data.get("contact_frequency"),
                    "needs": data.get("needs"),
                }
            )
        )
        return data


class EpisodeForm(RuleCheckedForm):
    """Edit an open episode: route, dates, consents, advocate, frequency and needs."""

    referral_route = _choice("Referral route", ReferralRoute.choices)
    referred_on = DateField(
        label="Date of the referral",
        error_messages={"required": "Enter the date of the referral."},
    )
    attempted_date = DateField(label="First attempt at contact: date", required=False)
    attempted_time = _time_field("First attempt at contact: time")
    made_date = DateField(label="First contact made: date", required=False)
    made_time = _time_field("First contact made: time")
    support_consent_on = DateField(label="Consent to support given on", required=False)
    support_consent_method = _choice(
        "How consent to support was recorded",
        ConsentMethod.choices,
        required=False,
        radios=False,
    )
    support_consent_withdrawn_on = DateField(
        label="Consent to support withdrawn on", required=False
    )
    share_consent_on = DateField(label="Consent to share given on", required=False)
    share_consent_with = forms.CharField(
        label="Consent to share: with whom",
        required=False,
        max_length=300,
        help_text="For example, the police officer in charge and the triage clinic.",
    )
    share_consent_purpose = forms.CharField(
        label="Consent to share: for what",
        required=False,
        max_length=300,
        help_text="For example, risk updates and bail conditions.",
    )
    share_consent_method = _choice(
        "How consent to share was recorded", ConsentMethod.choices, required=False, radios=False
    )
    share_consent_withdrawn_on = DateField(label="Consent to share withdrawn on", required=False)
    contact_frequency = _choice(
        "Agreed contact frequency", ContactFrequency.choices, required=False, radios=False
    )
    needs = _needs_field()

    def __init__(self, *args, advocates, first_contact_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_contact_on = first_contact_on  # the earliest logged contact's date
        self.fields["advocate"] = _advocate_field(advocates)
        self.order_fields(["referral_route", "referred_on", "advocate"])

    @classmethod
    def initial_for(cls, episode, needs):
        initial = {name: getattr(episode, name) for name in episode_services.EPISODE_FIELDS}
        for name, (day, time) in DATETIME_PARTS.items():
            value = initial.pop(name, None)
            if value is not None:
                local = timezone.localtime(value)
                initial[day], initial[time] = local.date(), local.time().replace(second=0)
        initial["advocate"] = episode.advocate_id
        initial["needs"] = [need.need for need in needs]
        return initial

    def _pair(self, data, name):
        day_name, time_name = DATETIME_PARTS[name]
        day, time = data.get(day_name), data.get(time_name)
        if day is not None and time is None and not self.has_error(time_name):
            self.add_error(time_name, "Enter the time as well as the date.")
        if time is not None and day is None and not self.has_error(day_name):
            self.add_error(day_name, "Enter the date as well as the time.")
        return combine_date_time(day, time)

    def values(self):
        """The cleaned data as the service's fields."""
        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in episode_services.EPISODE_FIELDS
            if name not in DATETIME_PARTS and name in self.fields
        }
        for name in ("first_contact_attempted_at", "first_contact_made_at"):
            day, time = (data.get(part) for part in DATETIME_PARTS[name])
            values[name] = combine_date_time(day, time)
        for name in ("share_consent_with", "share_consent_purpose"):
            values[name] = (values.get(name) or "").strip()
        return values

    def clean(self):
        data = super().clean()
        for name in ("first_contact_attempted_at", "first_contact_made_at"):
            self._pair(data, name)
        values = self.values()
        values["needs"] = data.get("needs")
        self.add_rule_errors(
            episode_services.episode_errors(values, first_contact_on=self.first_contact_on)
        )
        return data


class ContactForm(RuleCheckedForm):
    at_date = DateField(
        label="Date",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the contact."},
    )
    at_time = _time_field("Time", required=True)
    channel = _choice("Channel", Channel.choices)
    direction = _choice("Direction", Direction.choices, message="Choose who contacted whom.")
    made = forms.TypedChoiceField(
        label="Outcome",
        choices=[("yes", "Contact made"), ("no", "Attempted, no contact")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether contact was made or only attempted."},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes (optional)",
        required=False,
        min_value=0,
        max_value=episode_services.MAX_DURATION_MINUTES,
        error_messages={
            "invalid": "Enter the length as a whole number of minutes.",
            "min_value": "Enter a length of 0 minutes or more.",
            "max_value": (
                f"Enter a length of {episode_services.MAX_DURATION_MINUTES} minutes or fewer."
            ),
        },
    )
    safe_to_talk = forms.BooleanField(
        label="The victim confirmed it was safe to talk", required=False
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was discussed and agreed. Required when contact was made.",
    )
    next_contact_due = DateField(
        label="Next contact due (optional)", required=False, past_only=False
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode

    def values(self):
        data = self.cleaned_data
        return {
            "at": combine_date_time(data.get("at_date"), data.get("at_time")),
            "channel": data.get("channel"),
            "direction": data.get("direction"),
            "made": data.get("made"),
            "duration_minutes": data.get("duration_minutes"),
            "safe_to_talk": bool(data.get("safe_to_talk")),
            "summary": (data.get("summary") or "").strip(),
            "next_contact_due": data.get("next_contact_due"),
        }

    def clean(self):
        data = super().clean()
        errors = episode_services.contact_errors(self.episode, self.values())
        if self.values()["at"] is None:
            errors.pop("at", None)  # the date or time has its own error already
            if not self.episode.closed_on:
                errors.pop("next_contact_due", None)
        self.add_rule_errors(errors)
        return data


class CloseForm(RuleCheckedForm):
    closed_on = DateField(
        label="Date support closed",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date support closed."},
    )
    closure_reason = _choice(
        "Reason for closing", ClosureReason.choices, message="Choose why support is closing."
    )

    def __init__(self, *args, episode, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode
        for need in needs:
            self.fields[f"outcome_{need.need}"] = forms.ChoiceField(
                label=f"Outcome: {need.get_need_display()}",
                choices=NeedOutcome.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose the outcome for {need.get_need_display().lower()}."
                },
            )
        self.needs = needs

    def outcomes(self):
        return {need.need: self.cleaned_data.get(f"outcome_{need.need}") for need in self.needs}

    def clean(self):
        data = super().clean()
        self.add_rule_errors(
            episode_services.close_errors(
                self.episode,
                closed_on=data.get("closed_on"),
                closure_reason=data.get("closure_reason"),
                outcomes=self.outcomes(),
            )
        )
        return data
