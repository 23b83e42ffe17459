from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agency
from cases.models import (
    DECISIONS,
    Case,
    CodeList,
    Gender,
    IdentifierKind,
    Person,
    Referral,
    ReferralStatus,
    SharingBasis,
)
from cases.serializers.core import CodeField, external_id_fields


class ReferralPersonSerializer(serializers.Serializer):
    """A referral's perpetrator or victim: an existing person the caller can see (``id``),
    or the details of a new one. Likely matches are never merged into: without ``id`` a new
    person is recorded, and its likely duplicates are shown when the referral is screened
    and decided."""

    id = serializers.IntegerField(
        required=False, help_text="An existing person the caller can see (GET /people/)."
    )
    given_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_birth_not_known = serializers.BooleanField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    pnc = serializers.CharField(max_length=20, required=False, allow_blank=True)
    force_nominal_id = serializers.CharField(max_length=60, required=False, allow_blank=True)
    nhs_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    external_source, external_id = external_id_fields().values()

    IDENTIFIERS = {
        "pnc": IdentifierKind.PNC,
        "force_nominal_id": IdentifierKind.FORCE_NOMINAL,
        "nhs_number": IdentifierKind.NHS,
    }

    def validate(self, data):
        from cases.selectors.people import visible_person_or_none
        from cases.services.external import clean_external_id, external_id_errors
        from cases.services.people import clean_identifiers, identifiers_taken

        membership = self.context["request"].membership
        details = {k: v for k, v in data.items() if k != "id" and v not in ("", None, [], False)}
        if "id" in data:
            if details:
                raise serializers.ValidationError(
                    {"id": ["Give either the id of an existing person or new details, not both."]}
                )
            person = visible_person_or_none(membership, data["id"])
            if person is None:
                # The same answer whether the person does not exist or is out of sight.
                raise serializers.ValidationError({"id": ["Choose a person you can see."]})
            return person
        errors = {}
        if not data.get("family_name", "").strip():
            errors["family_name"] = ["Enter the family name, or give the id of a person."]
        if not data.get("given_names", "").strip():
            errors["given_names"] = ["Enter the given names, or give the id of a person."]
        if data.get("date_of_birth") and data["date_of_birth"] > timezone.localdate():
            errors["date_of_birth"] = ["Date of birth must be in the past."]
        elif data.get("date_of_birth") and data.get("date_of_birth_not_known"):
            errors["date_of_birth"] = ["Give a date of birth or say it is not known, not both."]
        elif not data.get("date_of_birth") and not data.get("date_of_birth_not_known"):
            errors["date_of_birth"] = [
                "Enter the date of birth, or set date_of_birth_not_known to true."
            ]
        identifiers = {
            kind: data[field] for field, kind in self.IDENTIFIERS.items() if data.get(field)
        }
        try:
            identifiers = clean_identifiers(identifiers)
        except DjangoValidationError as error:
            for field, messages in error.message_dict.items():
                errors[field] = messages
        else:
            taken = identifiers_taken(
                membership.agency.partnership_id, identifiers, choose="Give that person's id"
            )
            errors.update({field: [message] for field, message in taken.items()})
        source, external_id = clean_external_id(
            data.get("external_source"), data.get("external_id")
        )
        taken = external_id_errors(Person, membership.agency.partnership_id, source, external_id)
        errors.update({field: [message] for field, message in taken.items()})
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "given_names": data.get("given_names", "").strip(),
            "family_name": data["family_name"].strip(),
            "date_of_birth": data.get("date_of_birth"),
            "date_of_birth_not_known": data.get("date_of_birth_not_known", False),
            "gender": data.get("gender", ""),
            "aliases": [a.strip() for a in data.get("aliases", []) if a.strip()],
            "identifiers": identifiers,
            "external_source": source,
            "external_id": external_id,
        }


@extend_schema_field(ReferralPersonSerializer)
class ReferralPersonField(serializers.Field):
    """In: ReferralPersonSerializer (or null: not known). Out: the person's id, names,
    date of birth and gender."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError('Give an object: {"id": …} or the person\'s details.')
        serializer = ReferralPersonSerializer(data=data, context=self.context)
        if not serializer.is_valid():
            raise serializers.ValidationError(serializer.errors)
        return serializer.validated_data

    def to_representation(self, person):
        return {
            "id": person.pk,
            "given_names": person.given_names,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "date_of_birth_not_known": person.date_of_birth_not_known,
            "gender": person.gender,
        }


class ReferralSerializer(serializers.ModelSerializer):
    """A referral and its lifecycle. Status is derived from the dated events."""

    referring_agency_name = serializers.CharField(source="referring_agency.name", read_only=True)
    case_reference = serializers.CharField(
        source="case.reference", read_only=True, allow_null=True, default=None
    )
    source = CodeField(CodeList.REFERRAL_SOURCE, on_field="received_on")
    source_label = serializers.CharField(source="source.label", read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)
    sharing_basis = serializers.ChoiceField(
        choices=SharingBasis.choices, required=False, allow_blank=True, default=""
    )
    consent_recorded_on = serializers.DateField(required=False, allow_null=True, default=None)
    perpetrator = ReferralPersonField(required=False, allow_null=True, default=None)
    victim = ReferralPersonField(required=False, allow_null=True, default=None)

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "source",
            "source_label",
            "received_on",
            "reason",
            "sharing_basis",
            "consent_recorded_on",
            "referring_agency",
            "referring_agency_name",
            "perpetrator",
            "victim",
            "case",
            "case_reference",
            "screened_at",
            "screening_note",
            "decision",
            "decision_reason",
            "decided_at",
            "created_at",
            "external_source",
            "external_id",
        ]
        read_only_fields = [
            "referring_agency",
            "created_at",
            "screened_at",
            "screening_note",
            "decision",
            "decision_reason",
            "decided_at",
        ]
        extra_kwargs = {
            "case": {"required": False, "allow_null": True, "queryset": Case.objects.none()}
        }

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cases is not None:
            self.fields["case"].queryset = cases

    def to_representation(self, instance):
        """The case (id and reference) only for a reader who may see that case."""
        from cases.selectors.core import case_shown

        data = super().to_representation(instance)
        membership = getattr(self.context.get("request"), "membership", None)
        if membership is None or not case_shown(membership, instance):
            data["case"] = data["case_reference"] = None
        return data

    def validate(self, data):
        basis, consent = data.get("sharing_basis"), data.get("consent_recorded_on")
        if basis == SharingBasis.CONSENT and not consent:
            raise serializers.ValidationError(
                {"consent_recorded_on": "Enter the date consent was given."}
            )
        if consent and basis != SharingBasis.CONSENT:
            raise serializers.ValidationError(
                {"consent_recorded_on": "Give a consent date only when the basis is consent."}
            )
        return data


class ReferralDuplicatesSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["perpetrator", "victim"])
    person_id = serializers.IntegerField(help_text="The referral's person.")
    suggestions = serializers.ListField(
        child=serializers.DictField(), help_text="As GET /people/matches/."
    )
    hidden_match = serializers.BooleanField()
    hidden_match_message = serializers.CharField(allow_null=True)


class ReferralDetailSerializer(ReferralSerializer):
    possible_duplicates = ReferralDuplicatesSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "possible_duplicates"]


class ReferralScreenSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    screened_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Date of screening (default today): not in the future, not before the "
        "referral was received.",
    )


class ReferralDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[(d.value, d.label) for d in DECISIONS])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Accepting: an existing case to join. Empty: open a new case.",
    )
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    lead_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), required=False, allow_null=True, default=None
    )
    decided_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Date of the decision (default today): not in the future, not before the "
        "referral was screened.",
    )

    def __init__(self, *args, cases=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cases is not None:
            self.fields["case"].queryset = cases
        if agencies is not None:
            self.fields["lead_agency"].queryset = agencies

    def validate(self, data):
        if data["decision"] != ReferralStatus.ACCEPTED and not data["reason"].strip():
            raise serializers.ValidationError({"reason": "Enter the reason for this decision."})
        return data


class ReferralWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "Enter why the referral is being withdrawn.",
            "blank": "Enter why the referral is being withdrawn.",
            "max_length": "The reason must be 2,000 characters or fewer.",
        },
    )
