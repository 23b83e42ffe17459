"""Form of a compliance flag after a session."""

from django import forms

from interventions.models import FlagKind, RiskIndicator
from interventions.services import compliance as compliance_services

from .enrolments import RuleCheckedForm, _choice


class FlagForm(RuleCheckedForm):
    kind = _choice("What to tell the police and probation", FlagKind.choices)
    indicators = forms.MultipleChoiceField(
        label="Heightened-risk indicators",
        choices=RiskIndicator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a heightened-risk flag only. No notes are sent: only these words.",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        data = super().clean()
        if data.get("kind"):
            self.add_rule_errors(
                compliance_services.flag_errors(
                    self.session, kind=data["kind"], indicators=data.get("indicators") or []
                )
            )
        return data
