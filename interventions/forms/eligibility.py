"""Form of the eligibility checklist: one met / not met / not known question per criterion of
the programme, the outcome, a reason when not eligible, the date and the pathway."""

from django import forms
from django.utils import timezone

from cases.forms.core import DateField
from interventions.models import CriterionAnswer, EligibilityOutcome, Pathway
from interventions.services import eligibility as eligibility_services

from .enrolments import RuleCheckedForm, _choice

PREFIX = "criterion_"


class EligibilityForm(RuleCheckedForm):
    outcome = _choice("Outcome", EligibilityOutcome.choices, message="Choose the outcome.")
    ineligible_reason = forms.CharField(
        label="Why the person is not eligible",
        required=False,
        max_length=eligibility_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only when not eligible. Shared with the referrer: no clinical detail.",
    )
    assessed_on = DateField(
        label="Date of the assessment",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date of the assessment."},
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Not agreed yet"), *Pathway.choices],
        required=False,
        help_text="Needed before recording the person eligible.",
    )

    def __init__(self, *args, enrolment, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        questions = {}
        for criterion in criteria:
            questions[PREFIX + criterion.code] = _choice(
                criterion.label,
                CriterionAnswer.choices,
                message=f"Answer “{criterion.label}”: met, not met or not known.",
            )
        # The checklist first, then the outcome.
        self.fields = {**questions, **self.fields}

    def _target(self, field):
        if field and field.startswith("answers."):
            field = PREFIX + field.removeprefix("answers.")
        return super()._target(field)

    def values(self):
        data = self.cleaned_data
        return {
            "answers": {
                name.removeprefix(PREFIX): data.get(name)
                for name in self.fields
                if name.startswith(PREFIX)
            },
            "outcome": data.get("outcome"),
            "ineligible_reason": (data.get("ineligible_reason") or "").strip(),
            "assessed_on": data.get("assessed_on"),
            "pathway": data.get("pathway") or "",
        }

    def clean(self):
        data = super().clean()
        values = self.values()
        errors = eligibility_services.eligibility_errors(self.enrolment, **values)
        if values["assessed_on"] is None:
            errors.pop("assessed_on", None)
        self.add_rule_errors(errors)
        return data
