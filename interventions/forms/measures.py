"""The form to record a psychometric measure: timing, date and one field per item of the
instrument's current version (risk.forms.ItemFieldsMixin). It asks the service's own rules
(measure_errors) and the engine (every item answered) in ``clean``."""

from django import forms
from django.utils import timezone

from cases.forms.core import DateField
from interventions.forms.enrolments import RuleCheckedForm
from interventions.models import MeasureTiming
from interventions.services.measures import measure_errors
from risk.forms import ItemFieldsMixin


class MeasureForm(ItemFieldsMixin, RuleCheckedForm):
    timing = forms.ChoiceField(
        label="When was it taken",
        choices=MeasureTiming.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose pre or post."},
    )
    taken_on = DateField(
        label="Date taken",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the measure was taken."},
    )

    def __init__(self, *args, enrolment, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment, self.instrument = enrolment, instrument
        self.add_items(instrument.current)

    def clean(self):
        data = super().clean()
        problems = measure_errors(
            self.enrolment,
            instrument=self.instrument,
            timing=data.get("timing"),
            taken_on=data.get("taken_on"),
        )
        self.add_rule_and_item_errors(problems)
        return data

    def values(self):
        data = self.cleaned_data
        return {
            "instrument": self.instrument,
            "timing": data["timing"],
            "taken_on": data["taken_on"],
            "answers": self.answers(),
        }
