"""Forms about people: a party's details, choosing among likely matches, merging."""

from django import forms

from cases.forms.core import DateField
from cases.models import CodeList, Gender, IdentifierKind, PartyRole, code_choices
from cases.selectors.people import MatchQuery

NEW_PERSON = "new"


class PersonDetailsMixin:
    """Shared by the party form and the referral's people pages."""

    def clean_dob_pair(self, data):
        if data.get("date_of_birth") and data.get("date_of_birth_not_known"):
            self.add_error(
                "date_of_birth", "Give a date of birth or say it is not known, not both."
            )

    def alias_list(self):
        return [a.strip() for a in self.cleaned_data.get("aliases", "").split(",") if a.strip()]

    def identifier_values(self):
        data = self.cleaned_data
        values = {
            IdentifierKind.PNC: data.get("pnc", ""),
            IdentifierKind.FORCE_NOMINAL: data.get("force_nominal_id", ""),
            IdentifierKind.NHS: data.get("nhs_number", ""),
        }
        return {k: v for k, v in values.items() if v}

    def match_query(self):
        data = self.cleaned_data
        return MatchQuery(
            given_names=data.get("given_names", ""),
            family_name=data.get("family_name", ""),
            aliases=tuple(self.alias_list()),
            date_of_birth=data.get("date_of_birth"),
            identifiers=self.identifier_values(),
        )


def _identifier_fields():
    return {
        "pnc": forms.CharField(
            label="PNC number (optional)",
            help_text="Police National Computer number, like 12/345678A.",
            required=False,
            max_length=20,
        ),
        "force_nominal_id": forms.CharField(
            label="Force nominal ID (optional)", required=False, max_length=60
        ),
        "nhs_number": forms.CharField(
            label="NHS number (optional)",
            help_text="10 digits, like 943 476 5919.",
            required=False,
            max_length=20,
        ),
    }


class PartyAddForm(PersonDetailsMixin, forms.Form):
    role = forms.ChoiceField(
        label="Part in the case",
        choices=PartyRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person's part in the case."},
    )
    given_names = forms.CharField(
        label="Given names",
        max_length=200,
        error_messages={"required": "Enter the person's given names."},
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=200,
        error_messages={"required": "Enter the person's family name."},
    )
    aliases = forms.CharField(
        label="Other names (optional)",
        help_text="Separate names with commas.",
        required=False,
        max_length=1000,
    )
    date_of_birth = DateField(label="Date of birth (optional)", required=False)
    date_of_birth_not_known = forms.BooleanField(label="Date of birth is not known", required=False)
    gender = forms.ChoiceField(
        label="Gender", choices=[("", "Not recorded")] + Gender.choices, required=False
    )
    ethnicity = forms.ModelChoiceField(
        label="Ethnicity", queryset=None, required=False, empty_label="Not recorded"
    )
    address = forms.CharField(
        label="Address (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org."},
    )
    workplace = forms.CharField(label="Workplace (optional)", required=False, max_length=200)
    advocate = forms.ModelChoiceField(
        label="Victim's advocate (optional)",
        help_text="The advocate who may see this victim's contact details.",
        queryset=None,
        required=False,
        empty_label="None assigned",
    )

    def __init__(self, *args, advocates, partnership_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_identifier_fields())
        self.fields["advocate"].queryset = advocates
        self.fields["ethnicity"].queryset = code_choices(CodeList.ETHNICITY, partnership_id)
        # Identifiers sit with the names, before the contact details.
        order = ["role", "given_names", "family_name", "aliases", "date_of_birth"]
        order += ["date_of_birth_not_known", "pnc", "force_nominal_id", "nhs_number"]
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        self.clean_dob_pair(data)
        if data.get("advocate") and data.get("role") not in (
            PartyRole.VICTIM,
            PartyRole.SECONDARY_VICTIM,
        ):
            self.add_error("advocate", "Only a victim has an advocate.")
        return data

    def person_fields(self):
        data = self.cleaned_data
        fields = {
            key: data[key]
            for key in (
                "given_names",
                "family_name",
                "date_of_birth",
                "date_of_birth_not_known",
                "gender",
                "ethnicity",
                "address",
                "postcode",
                "phone",
                "email",
                "workplace",
            )
        }
        fields["aliases"] = self.alias_list()
        fields["identifiers"] = self.identifier_values()
        return fields


class MatchChoiceForm(forms.Form):
    """ "Use this person" for one of the suggestions, or "none of these"."""

    choice = forms.ChoiceField(
        label="Is this the same person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the matching person, or choose to create a new person.",
            "invalid_choice": "Select one of the people listed, or create a new person.",
        },
    )

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(s.person.pk), s.person.full_name) for s in suggestions]
        choices.append((NEW_PERSON, "None of these – create a new person"))
        self.fields["choice"].choices = choices

    def chosen_person_id(self):
        choice = self.cleaned_data["choice"]
        return None if choice == NEW_PERSON else int(choice)


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name",
        max_length=100,
        required=False,
        help_text="Find the two records of the same person.",
    )


class MergeChooseForm(forms.Form):
    keep = forms.TypedChoiceField(
        label="Record to keep",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the record to keep.",
            "invalid_choice": "Select one of the people listed.",
        },
    )
    duplicate = forms.TypedChoiceField(
        label="Duplicate record to merge into it",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the duplicate record.",
            "invalid_choice": "Select one of the people listed.",
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(p.pk),
                f"{p.full_name} – born {p.date_of_birth:%-d %b %Y}"
                if p.date_of_birth
                else f"{p.full_name} – date of birth not recorded",
            )
            for p in people
        ]
        self.fields["keep"].choices = choices
        self.fields["duplicate"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("keep") == data.get("duplicate"):
            self.add_error("duplicate", "Choose two different records.")
        return data


class MergeConfirmForm(forms.Form):
    keep = forms.IntegerField(widget=forms.HiddenInput)
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are these the same person?",
        help_text="For example: same PNC number and date of birth; confirmed with the OIC.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why these records are the same person."},
    )


class PersonFilterForm(forms.Form):
    """The People page's search: a name or identifier, and a date of birth."""

    q = forms.CharField(
        label="Name, other name or identifier",
        help_text="For example, Carl Voss, or a PNC, force nominal or NHS number.",
        max_length=100,
        required=False,
    )
    date_of_birth = DateField(label="Date of birth", required=False)

    def filters(self):
        from cases.selectors.person_record import PersonFilters

        if not self.is_valid():
            return PersonFilters()
        return PersonFilters(
            q=self.cleaned_data["q"].strip(), date_of_birth=self.cleaned_data["date_of_birth"]
        )
