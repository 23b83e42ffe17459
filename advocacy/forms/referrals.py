"""Forms of the referral queue."""

from django import forms

from advocacy.models import (
    DeclineReason,
)
from advocacy.services import referrals as referral_services

from .episodes import RuleCheckedForm, _choice


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
