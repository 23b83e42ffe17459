"""The risk update form: what changed, to whom, on what basis, and any new incident."""

from django import forms

from advocacy.models import CONSENT_BASES, LawfulBasis, Urgency
from advocacy.services import disclosures as disclosure_services
from cases.forms.core import DateField
from cases.models import ReoffendingVictim
from risk.models import RiskLevel

from .episodes import RuleCheckedForm


class RiskUpdateForm(RuleCheckedForm):
    """One short form; the lawful basis says up front when consent can no longer be used,
    and the incident fields matter only when "record as re-offending" is ticked."""

    what_changed = forms.CharField(
        label="What has changed",
        max_length=disclosure_services.MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what has changed."},
    )
    new_incidents = forms.CharField(
        label="New incidents the victim has reported (optional)",
        required=False,
        max_length=disclosure_services.MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risk_level = forms.ChoiceField(
        label="Current risk level",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the current risk level."},
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        help_text="Urgent tells the officer in charge and the police supervisors at once.",
        error_messages={"required": "Say whether the update is routine or urgent."},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the lawful basis for sharing.",
            "invalid_choice": "Choose the lawful basis for sharing.",
        },
    )
    recipients = forms.TypedMultipleChoiceField(
        label="Share with",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these agencies will see the update.",
        error_messages={
            "required": "Choose at least one agency to share the update with.",
            "invalid_choice": "Choose agencies this case is shared with.",
        },
    )
    record_incident = forms.BooleanField(
        label="Record the new incident as re-offending on the case",
        required=False,
        help_text=(
            "Every agency on the case sees the date and whether it was the same victim; the "
            "incident text stays in this update."
        ),
    )
    incident_on = DateField(label="Date of the new incident", required=False)
    incident_victim = forms.ChoiceField(
        label="Was it the same victim?",
        choices=[("", "Choose"), *ReoffendingVictim.choices],
        required=False,
    )
    incident_perpetrator = forms.TypedChoiceField(
        label="Perpetrator", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, episode, recipients, perpetrators, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["recipients"].choices = [(agency.pk, agency.name) for agency in recipients]
        self.fields["incident_perpetrator"].choices = [
            ("", "Choose"),
            *((party.pk, party.person.full_name) for party in perpetrators),
        ]
        if len(perpetrators) == 1:
            self.fields["incident_perpetrator"].initial = perpetrators[0].pk
        refusal = disclosure_services.consent_refusal(episode)
        if refusal:
            self.fields["lawful_basis"].help_text = refusal
            self.fields["lawful_basis"].choices = [
                choice for choice in LawfulBasis.choices if choice[0] not in CONSENT_BASES
            ]
            self.fields["lawful_basis"].error_messages["invalid_choice"] = refusal

    def values(self):
        data = self.cleaned_data
        return {
            "what_changed": data.get("what_changed") or "",
            "new_incidents": data.get("new_incidents") or "",
            "risk_level": data.get("risk_level") or "",
            "urgency": data.get("urgency") or "",
            "lawful_basis": data.get("lawful_basis") or "",
            "recipient_ids": data.get("recipients") or [],
            "record_incident": bool(data.get("record_incident")),
            "incident_on": data.get("incident_on"),
            "incident_victim": data.get("incident_victim") or "",
            "incident_perpetrator": data.get("incident_perpetrator"),
        }

    def clean(self):
        data = super().clean()
        self.add_rule_errors(disclosure_services.risk_update_errors(self.episode, **self.values()))
        return data
