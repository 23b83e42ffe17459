"""The form to record a victim questionnaire: start or end, the date and one field per item
of the questionnaire's current version (risk.forms.ItemFieldsMixin). It asks the service's
rules (questionnaire_errors) and the engine (every item answered) in ``clean``."""

from django import forms
from django.utils import timezone

from advocacy.forms.episodes import RuleCheckedForm
from advocacy.models import QuestionnaireTiming
from advocacy.services.questionnaires import questionnaire_errors
from cases.forms.core import DateField
from risk.forms import ItemFieldsMixin


class QuestionnaireForm(ItemFieldsMixin, RuleCheckedForm):
    timing = forms.ChoiceField(
        label="When was it answered",
        choices=QuestionnaireTiming.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose start or end of support."},
    )
    taken_on = DateField(
        label="Date answered",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the victim answered."},
    )

    def __init__(self, *args, episode, instrument, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode, self.instrument, self.instruments = episode, instrument, instruments
        self.add_items(instrument.current)

    def clean(self):
        data = super().clean()
        problems = questionnaire_errors(
            self.episode,
            instrument=self.instrument,
            instruments=self.instruments,
            timing=data.get("timing"),
            taken_on=data.get("taken_on"),
        )
        self.add_rule_and_item_errors(problems)
        return data

    def values(self):
        data = self.cleaned_data
        return {
            "instrument": self.instrument,
            "instruments": self.instruments,
            "timing": data["timing"],
            "taken_on": data["taken_on"],
            "answers": self.answers(),
        }
