"""Forms for the case record sections and the reference-data admin pages."""

from django import forms

from cases.forms.core import DateField
from cases.forms.leaks import SharedTextCheck, share_anyway_field
from cases.models import (
    Classification,
    CodeList,
    OffenceLevel,
    OrderDecision,
    OrderKind,
    Priority,
    ReoffendingSource,
    ReoffendingVictim,
    Tier,
)
from cases.selectors import reference as reference_selectors
from cases.services import record as record_services


def _code_label(code):
    return f"{code.code} – {code.label}" if code.code_list == CodeList.OUTCOME else code.label


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = _code_label(obj)
        return label if obj.is_current() else f"{label} (no longer in use)"


class CodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label if obj.is_current() else f"{obj.label} (no longer in use)"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class RecordForm(forms.Form):
    classification = forms.ChoiceField(
        label="Classification",
        choices=[("", "Not decided yet")] + Classification.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    classification_reason = forms.CharField(
        label="Reason for the classification",
        help_text="Needed whenever a classification is chosen.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    offence_level = forms.ChoiceField(
        label="Offence level",
        help_text="'Not known' means it was looked into and could not be decided.",
        choices=[("", "Not recorded yet")] + OffenceLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    relationship = CodeChoiceField(
        label="Relationship of the perpetrator to the victim",
        queryset=None,
        required=False,
        empty_label="Not recorded yet",
    )
    typologies = CodeMultipleChoiceField(
        label="Stalker typology",
        help_text="Select all that apply. For example, rejected and resentful.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose typologies from the list."},
    )
    tier = forms.ChoiceField(
        label="Tier",
        choices=[("", "Not recorded yet")] + Tier.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    priority = forms.ChoiceField(
        label="Priority", choices=[("", "Not set")] + Priority.choices, required=False
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
        label="Officer in charge",
        queryset=None,
        required=False,
        empty_label="Not assigned",
        error_messages={"invalid_choice": "Choose a police officer in this partnership."},
    )
    monitoring_started_on = DateField(
        label="Date monitoring started",
        help_text="Leave empty if monitoring starts when the case closes. The six months of "
        "monitoring count from this date. For example, 27/3/2025",
        required=False,
    )

    def __init__(self, *args, case, agencies, police_users, typologies, **kwargs):
        initial = {
            "classification": case.classification,
            "classification_reason": case.classification_reason,
            "offence_level": case.offence_level,
            "relationship": case.relationship_id,
            "typologies": [t.pk for t in typologies],
            "tier": case.tier,
            "priority": case.priority,
            "lead_agency": case.lead_agency_id,
            "officer_in_charge": case.officer_in_charge_id,
            "monitoring_started_on": case.monitoring_started_on,
        }
        super().__init__(*args, initial=initial, **kwargs)
        pid = case.partnership_id
        self.fields["relationship"].queryset = reference_selectors.choosable(
            CodeList.RELATIONSHIP, pid, keep=[case.relationship_id]
        )
        self.fields["typologies"].queryset = reference_selectors.choosable(
            CodeList.TYPOLOGY, pid, keep=typologies
        )
        self.fields["lead_agency"].queryset = agencies
        self.fields["officer_in_charge"].queryset = police_users

    def clean(self):
        data = super().clean()
        if data.get("classification") and not (data.get("classification_reason") or "").strip():
            self.add_error("classification_reason", "Enter the reason for the classification.")
        return data


class CloseForm(forms.Form):
    reason = CodeChoiceField(
        label="Reason for closing",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the reason for closing the case.",
            "invalid_choice": "Choose one of the listed reasons.",
        },
    )
    closed_on = DateField(
        label="Date closed",
        error_messages={"required": "Enter the date the case closed."},
    )
    note = forms.CharField(
        label="Closure note",
        help_text="Needed when the reason is 'Other'. No victim contact details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, partnership_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reference_selectors.choosable(
            CodeList.CLOSURE_REASON, partnership_id
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case being reopened?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the case is being reopened."},
    )


class OrderForm(SharedTextCheck, forms.Form):
    shared_text_fields = ("conditions", "positive_requirements")

    subject = PersonChoiceField(
        label="Made against",
        help_text="A perpetrator on this case.",
        queryset=None,
        empty_label="Choose the perpetrator",
        error_messages={
            "required": "Choose the perpetrator the order is made against.",
            "invalid_choice": "Choose a perpetrator on this case.",
        },
    )
    protected = PersonChoiceField(
        label="Protects",
        help_text="A victim on this case.",
        queryset=None,
        empty_label="Choose the victim",
        error_messages={
            "required": "Choose the victim the order protects.",
            "invalid_choice": "Choose a victim on this case.",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of order",
        choices=OrderKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of order."},
    )
    applied_on = DateField(
        label="Date applied for", error_messages={"required": "Enter the date applied for."}
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=OrderDecision.choices,
        widget=forms.RadioSelect,
        initial=OrderDecision.PENDING,
        error_messages={"required": "Choose the decision."},
    )
    decided_on = DateField(label="Date of decision (if decided)", required=False)
    conditions = forms.CharField(
        label="Conditions (prohibitions)",
        help_text="No victim contact details: the order is served on the perpetrator.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    positive_requirements = forms.CharField(
        label="Positive requirements",
        help_text="For example, attend an intervention.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    expires_on = DateField(
        label="Expiry date (if granted)",
        help_text="Leave empty for 'until further order'. For example, 27/3/2027",
        required=False,
        past_only=False,
    )
    share_anyway = share_anyway_field()

    def __init__(self, *args, perpetrators, victims, case=None, **kwargs):
        """Offers only what the service accepts: perpetrators and victims on the case."""
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = perpetrators
        self.fields["protected"].queryset = victims
        self.case = self.leak_case = case

    def clean(self):
        """The service's rules too, so every problem is reported in one pass."""
        data = super().clean()
        if self.case is not None:
            found = record_services.order_errors(
                self.case,
                subject=data.get("subject"),
                protected=data.get("protected"),
                kind=data.get("kind"),
                applied_on=data.get("applied_on"),
                decision=data.get("decision"),
                decided_on=data.get("decided_on"),
                expires_on=data.get("expires_on"),
            )
            for field, message in found.items():
                if field not in self.errors:
                    self.add_error(field, message)
        self.check_shared_text(data)
        return data


class OrderDecisionForm(SharedTextCheck, forms.Form):
    shared_text_fields = ("conditions", "positive_requirements")

    decision = forms.ChoiceField(
        label="Decision",
        choices=OrderDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision."},
    )
    decided_on = DateField(label="Date of decision", required=False)
    conditions = OrderForm.base_fields["conditions"]
    positive_requirements = OrderForm.base_fields["positive_requirements"]
    expires_on = OrderForm.base_fields["expires_on"]
    share_anyway = share_anyway_field()

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.leak_case = case

    def clean(self):
        data = super().clean()
        self.check_shared_text(data)
        return data


class BreachForm(forms.Form):
    occurred_on = DateField(
        label="Date of the breach", error_messages={"required": "Enter the date of the breach."}
    )
    reported_on = DateField(label="Date reported (optional)", required=False)
    crime_reference = forms.CharField(
        label="Crime reference (optional)", required=False, max_length=40
    )
    note = forms.CharField(
        label="What happened (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


CONVICTED_CHOICES = [("", "Not yet known"), ("yes", "Convicted"), ("no", "Not convicted")]


class OutcomeForm(forms.Form):
    person = PersonChoiceField(
        label="Person",
        queryset=None,
        empty_label="Choose the person",
        error_messages={
            "required": "Choose the person the outcome is about.",
            "invalid_choice": "Choose a party to this case.",
        },
    )
    outcome = CodeChoiceField(
        label="Home Office outcome code",
        queryset=None,
        empty_label="Choose the outcome code",
        error_messages={
            "required": "Choose the Home Office outcome code.",
            "invalid_choice": "Choose one of the listed outcome codes.",
        },
    )
    outcome_on = DateField(
        label="Date of the outcome", error_messages={"required": "Enter the date of the outcome."}
    )
    crime_reference = forms.CharField(
        label="Crime reference (optional)", required=False, max_length=40
    )
    charge = forms.CharField(label="Charge (optional)", required=False, max_length=300)
    convicted = forms.TypedChoiceField(
        label="Conviction",
        choices=CONVICTED_CHOICES,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    sentence = forms.CharField(label="Sentence (optional)", required=False, max_length=300)

    def __init__(self, *args, people, partnership_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["outcome"].queryset = reference_selectors.choosable(
            CodeList.OUTCOME, partnership_id
        )


class ReoffendingForm(forms.Form):
    perpetrator = PersonChoiceField(
        label="Perpetrator",
        queryset=None,
        empty_label="Choose the perpetrator",
        error_messages={
            "required": "Choose the perpetrator.",
            "invalid_choice": "Choose a perpetrator in this case.",
        },
    )
    occurred_on = DateField(
        label="Date of the re-offence",
        error_messages={"required": "Enter the date of the re-offence."},
    )
    victim = forms.ChoiceField(
        label="Victim",
        choices=ReoffendingVictim.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it was the same victim or a new one."},
    )
    source = forms.ChoiceField(
        label="Where this was learnt from",
        choices=ReoffendingSource.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where this was learnt from.",
            "invalid_choice": "Choose one of the listed sources.",
        },
    )
    crime_reference = forms.CharField(
        label="Crime reference (optional)", required=False, max_length=40
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, perpetrators, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perpetrator"].queryset = perpetrators
        self.fields["source"].choices = [c for c in ReoffendingSource.choices if c[0] in sources]
        if len(sources) == 1:
            self.fields["source"].initial = sources[0]


# ---------------------------------------------------------------- reference data
