"""Forms for recording a referral (one question per page) and its lifecycle."""

from django import forms

from cases.forms.core import DateField
from cases.forms.people import PersonDetailsMixin, _identifier_fields
from cases.models import CodeList, Gender, ReferralStatus, SharingBasis, code_choices
from cases.services import referrals as referral_services


class SourceForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Where did the referral come from?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose where the referral came from.",
            "invalid_choice": "Choose one of the listed sources.",
        },
    )

    def __init__(self, *args, partnership_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = code_choices(CodeList.REFERRAL_SOURCE, partnership_id)


class ReceivedForm(forms.Form):
    received_on = DateField(
        label="When was the referral received?",
        error_messages={"required": "Enter the date the referral was received."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why is the person being referred?",
        help_text="What has happened and what the referrer is worried about. No victim "
        "contact details.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter the reason for the referral."},
    )


class PersonStepForm(PersonDetailsMixin, forms.Form):
    """The perpetrator or the victim: names may be unknown; then nothing else is asked."""

    given_names = forms.CharField(label="Given names", max_length=200, required=False)
    family_name = forms.CharField(label="Family name", max_length=200, required=False)
    aliases = forms.CharField(
        label="Other names (optional)",
        help_text="Separate names with commas.",
        required=False,
        max_length=1000,
    )
    date_of_birth = DateField(label="Date of birth", required=False)
    date_of_birth_not_known = forms.BooleanField(label="Date of birth is not known", required=False)
    gender = forms.ChoiceField(
        label="Gender (optional)",
        choices=[("", "Not recorded"), *Gender.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a gender from the list."},
    )

    def __init__(self, *args, who, **kwargs):
        super().__init__(*args, **kwargs)
        self.who = who
        self.fields.update(_identifier_fields())
        self.fields[
            "family_name"
        ].help_text = f"Leave both names blank if the {who}'s name is not known."

    def clean(self):
        data = super().clean()
        self.clean_dob_pair(data)
        named = data.get("given_names", "").strip() or data.get("family_name", "").strip()
        if named and not data.get("family_name", "").strip():
            self.add_error("family_name", f"Enter the {self.who}'s family name.")
        if named and not data.get("given_names", "").strip():
            self.add_error("given_names", f"Enter the {self.who}'s given names.")
        dob_missing = not data.get("date_of_birth") and not data.get("date_of_birth_not_known")
        if named and dob_missing and "date_of_birth" not in self.errors:
            self.add_error(
                "date_of_birth", "Enter the date of birth, or select “Date of birth is not known”."
            )
        if not named and (
            self.identifier_values() or data.get("date_of_birth") or data.get("gender")
        ):
            self.add_error(
                "family_name", f"Enter the {self.who}'s name, or clear the other answers."
            )
        return data

    def has_person(self):
        return bool(self.cleaned_data.get("family_name", "").strip())

    def person_spec(self):
        data = self.cleaned_data
        return {
            "given_names": data["given_names"].strip(),
            "family_name": data["family_name"].strip(),
            "date_of_birth": data.get("date_of_birth"),
            "date_of_birth_not_known": data.get("date_of_birth_not_known", False),
            "gender": data.get("gender", ""),
            "aliases": self.alias_list(),
            "identifiers": self.identifier_values(),
        }


class SharingForm(forms.Form):
    sharing_basis = forms.ChoiceField(
        label="On what basis is the information shared?",
        choices=SharingBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the basis for sharing this information.",
            "invalid_choice": "Choose one of the listed bases.",
        },
    )
    consent_recorded_on = DateField(
        label="Date consent was given (if the basis is consent)", required=False
    )

    def clean(self):
        data = super().clean()
        consent = data.get("sharing_basis") == SharingBasis.CONSENT
        if (
            consent
            and not data.get("consent_recorded_on")
            and "consent_recorded_on" not in self.errors
        ):
            self.add_error("consent_recorded_on", "Enter the date consent was given.")
        if not consent and data.get("consent_recorded_on"):
            self.add_error(
                "consent_recorded_on", "Give a consent date only when the basis is consent."
            )
        return data


class ScreenForm(forms.Form):
    screened_on = DateField(
        label="Date of screening",
        error_messages={"required": "Enter the date the referral was screened."},
    )
    note = forms.CharField(
        label="Screening note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        error_messages={"max_length": "The note must be 1,000 characters or fewer."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the referral being withdrawn?",
        help_text="For example, the person referred moved out of the area. No victim "
        "contact details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter why the referral is being withdrawn.",
            "max_length": "The reason must be 2,000 characters or fewer.",
        },
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (ReferralStatus.ACCEPTED, "Accept"),
            (ReferralStatus.NOT_STALKING, "Not stalking"),
            (ReferralStatus.NOT_APPLICABLE, "Not applicable"),
            (ReferralStatus.DECLINED, "Decline"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision.", "invalid_choice": "Choose a decision."},
    )
    decided_on = DateField(
        label="Date of decision",
        error_messages={"required": "Enter the date of the decision."},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required unless the referral is accepted.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    case_reference = forms.CharField(
        label="Join an existing case (optional)",
        help_text="If accepted: the reference of a case you can see. Leave blank to open a "
        "new case.",
        required=False,
        max_length=30,
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency for a new case",
        queryset=None,
        required=False,
        empty_label="Your agency",
    )

    def __init__(self, *args, agencies, referral=None, find_case=None, **kwargs):
        """``referral`` and ``find_case`` (reference -> a case the member can see, or
        None): the service's rules are asked too, so every problem shows in one pass."""
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = agencies
        self.referral = referral
        self.find_case = find_case

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision and decision != ReferralStatus.ACCEPTED:
            if not data.get("reason", "").strip():
                self.add_error("reason", "Enter the reason for this decision.")
            if data.get("case_reference"):
                self.add_error("case_reference", "Only an accepted referral joins a case.")
        data["case"] = None
        reference = (data.get("case_reference") or "").strip()
        if reference and self.find_case is not None and "case_reference" not in self.errors:
            data["case"] = self.find_case(reference)
            if data["case"] is None:
                self.add_error("case_reference", "No case you can see has that reference.")
        if self.referral is not None:
            found = referral_services.decision_errors(
                referral=self.referral,
                decision=decision,
                reason=data.get("reason", ""),
                case=data["case"],
                decided_on=data.get("decided_on"),
            )
            for field, message in found.items():
                field = "case_reference" if field == "case" else field
                if field not in self.errors:
                    self.add_error(field, message)
        return data


# A referral from a police crime-screen entry: the question pages start filled in ---------


def _form_date(day):
    return f"{day.day}/{day.month}/{day.year}" if day else ""


def split_name(name):
    """(given names, family name) of a name as police systems write it: "FAMILY, Given"
    or "Given Family" (the last word is the family name). Check them on the page."""
    name = " ".join((name or "").split())
    if not name:
        return "", ""
    if "," in name:
        family, _, given = name.partition(",")
        given, family = given.strip(), family.strip()
    else:
        given, _, family = name.rpartition(" ")
    # "KELLAWAY": police systems write the family name in capitals.
    return given, family.title() if family.isupper() else family


def _person_answer(name, date_of_birth, gender):
    given, family = split_name(name)
    if not family:
        return {}
    return {
        "given_names": given,
        "family_name": family,
        "date_of_birth": _form_date(date_of_birth),
        "gender": gender or "",
    }


def entry_reason(entry):
    """The reason for a referral made from a crime, from what the crime record says."""
    offence = entry.offence
    parts = [
        f"From the police crime screen: crime {entry.crime_reference}, recorded "
        f"{entry.recorded_on:%-d %B %Y}, {offence.label} ({offence.code})."
    ]
    if entry.offence_description:
        parts.append(f"Offence: {entry.offence_description}.")
    if entry.stalking_started_on:
        until = f" to {entry.stalking_ended_on:%-d %B %Y}" if entry.stalking_ended_on else ""
        parts.append(f"Stalking from {entry.stalking_started_on:%-d %B %Y}{until}.")
    if entry.officer_in_charge:
        parts.append(f"Officer in charge: {entry.officer_in_charge}.")
    text = " ".join(parts)
    if entry.summary.strip():
        text += "\n\n" + entry.summary.strip()
    return text[: ReasonForm.base_fields["reason"].max_length]


def answers_from_entry(entry, *, source=None, received_on):
    """The question pages' answers (as the pages post them) filled in from a crime: the
    source (police), the date received, the reason, the suspect as the perpetrator and
    the victim. Sharing is left for the person to answer."""
    answers = {
        "received": {"received_on": _form_date(received_on)},
        "reason": {"reason": entry_reason(entry)},
        "perpetrator": _person_answer(
            entry.suspect_name, entry.suspect_date_of_birth, entry.suspect_gender
        ),
        "victim": _person_answer(
            entry.victim_name, entry.victim_date_of_birth, entry.victim_gender
        ),
    }
    if source is not None:
        answers["source"] = {"source": str(source.pk)}
    return {step: data for step, data in answers.items() if data}
