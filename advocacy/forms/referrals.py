"""Forms of the referral queue."""

from django import forms
from django.utils import timezone

from advocacy.models import DIRECT_ROUTES, ContactFrequency, DeclineReason
from advocacy.services import referrals as referral_services
from cases.forms.core import DateField

from .episodes import RuleCheckedForm, _advocate_field, _choice, _needs_field


class AcceptForm(RuleCheckedForm):
    """Accept a referral: the advocate who will support the victim (default the member
    accepting it, when they are an advocate)."""

    def __init__(self, *args, advocates, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(
            label="Allocated advocate",
            queryset=advocates,
            empty_label=None,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose the advocate who will support the victim.",
                "invalid_choice": "Choose an advocate in your agency.",
            },
        )
        field.label_from_instance = lambda user: user.full_name
        self.fields["advocate"] = field


class DeclineForm(RuleCheckedForm):
    reason = _choice(
        "Why are you declining the referral?",
        DeclineReason.choices,
        message="Choose why the referral is declined.",
    )
    note = forms.CharField(
        label="Explain (optional unless you chose other)",
        required=False,
        max_length=referral_services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept by your agency: the referrer sees only that the referral was declined.",
        error_messages={
            "max_length": f"Explain in {referral_services.MAX_NOTE} characters or fewer."
        },
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral

    def clean(self):
        data = super().clean()
        errors = referral_services.decline_errors(
            self.referral, reason=data.get("reason"), note=data.get("note")
        )
        if "reason" not in data:
            errors.pop("reason", None)
        self.add_rule_errors(errors)
        return data


VICTIM_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "postcode",
)


class SelfReferralForm(RuleCheckedForm):
    """A victim who came to the agency directly: who they are, why, and the support agreed.
    Contact details are optional and are read only by the victim's advocate (and an OIC,
    should the case ever be shared with police)."""

    given_names = forms.CharField(
        label="Given names",
        max_length=200,
        error_messages={"required": "Enter the victim's given name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=200,
        error_messages={"required": "Enter the victim's family name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = DateField(label="Date of birth (optional)", required=False)
    phone = forms.CharField(
        label="Safe phone number (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )
    email = forms.EmailField(
        label="Safe email address (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com."},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    address = forms.CharField(
        label="Address (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-10"}),
    )
    summary = forms.CharField(
        label="Why the victim came to you",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept by your agency. Police, health and probation cannot see this case.",
        error_messages={"required": "Enter a short summary of why the victim came to you."},
    )
    referral_route = _choice(
        "How did the victim come to you?",
        [(route.value, route.label) for route in DIRECT_ROUTES],
        message="Choose how the victim came to you.",
    )
    referred_on = DateField(
        label="Date of the referral",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the referral."},
    )
    contact_frequency = _choice(
        "Agreed contact frequency", ContactFrequency.choices, required=False, radios=False
    )
    needs = _needs_field()

    def __init__(self, *args, advocates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"] = _advocate_field(advocates)
        self.order_fields([*VICTIM_FIELDS, "summary", "referral_route", "referred_on", "advocate"])

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "victim": {field: data.get(field) for field in VICTIM_FIELDS},
            "summary": data["summary"],
            "referral_route": data["referral_route"],
            "referred_on": data["referred_on"],
            "advocate": data["advocate"],
            "needs": data["needs"],
            "contact_frequency": data["contact_frequency"],
        }
