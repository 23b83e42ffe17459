from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import IdentifierKind
from cases.selectors.people import MatchQuery
from cases.serializers.core import ExternalIdQuerySerializer


class MatchQuerySerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=200, required=False, default="")
    family_name = serializers.CharField(max_length=200, required=False, default="")
    aliases = serializers.CharField(
        max_length=1000, required=False, default="", help_text="Other names, comma-separated."
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    pnc = serializers.CharField(max_length=20, required=False, default="")
    force_nominal_id = serializers.CharField(max_length=60, required=False, default="")
    nhs_number = serializers.CharField(max_length=20, required=False, default="")

    def validate(self, data):
        if not data["family_name"].strip() and not (
            data["pnc"] or data["force_nominal_id"] or data["nhs_number"]
        ):
            raise serializers.ValidationError(
                {"family_name": ["Give a family name, or an identifier to match on."]}
            )
        return data

    def to_query(self):
        data = self.validated_data
        return MatchQuery(
            given_names=data["given_names"],
            family_name=data["family_name"],
            aliases=tuple(a.strip() for a in data["aliases"].split(",") if a.strip()),
            date_of_birth=data["date_of_birth"],
            identifiers={
                k: v
                for k, v in {
                    IdentifierKind.PNC: data["pnc"],
                    IdentifierKind.FORCE_NOMINAL: data["force_nominal_id"],
                    IdentifierKind.NHS: data["nhs_number"],
                }.items()
                if v
            },
        )


class MatchPartySerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_reference = serializers.CharField(source="case.reference")
    role = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(source="person.pk")
    given_names = serializers.CharField(source="person.given_names")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    score = serializers.IntegerField(source="percent", help_text="0–100")
    strong = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    cases = MatchPartySerializer(source="parties", many=True)


class MatchResultSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
    hidden_match = serializers.BooleanField(
        help_text="A strong possible match exists that the caller may not see; no details."
    )
    hidden_match_message = serializers.SerializerMethodField()

    def get_hidden_match_message(self, result) -> str | None:
        if not result.hidden_match:
            return None
        return (
            "A possible match exists in a case not shared with your agency; "
            "ask the police or the clinic chair."
        )


class MergeSerializer(serializers.Serializer):
    keep = serializers.IntegerField(help_text="The person record to keep.")
    duplicate = serializers.IntegerField(help_text="The duplicate merged into it.")
    reason = serializers.CharField(max_length=1000)


class MergedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    aliases = serializers.SerializerMethodField()
    identifiers = serializers.SerializerMethodField()

    def get_aliases(self, person) -> list[str]:
        return [a.name for a in person.aliases.all()]

    def get_identifiers(self, person) -> list[dict]:
        return [{"kind": i.kind, "value": i.value} for i in person.identifiers.all()]


class PersonIdentifierSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()


class PersonSummarySerializer(serializers.Serializer):
    """A person as listed: names, date of birth, gender, other names and identifiers."""

    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    date_of_birth_not_known = serializers.BooleanField()
    gender = serializers.CharField()
    aliases = serializers.SerializerMethodField()
    identifiers = PersonIdentifierSerializer(many=True, read_only=True)
    external_source = serializers.CharField()
    external_id = serializers.CharField()

    def get_aliases(self, person) -> list[str]:
        return [alias.name for alias in person.aliases.all()]


class PersonCaseSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_reference = serializers.CharField(source="case.reference")
    role = serializers.CharField()


class PersonContactSerializer(serializers.Serializer):
    address = serializers.CharField()
    postcode = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    workplace = serializers.CharField()


class PersonRecordSerializer(PersonSummarySerializer):
    """One person: the cases the caller can see them in (with role), and contact details
    (null when withheld: a victim's are for their advocate and the officer in charge)."""

    ethnicity = serializers.CharField(source="ethnicity.code", allow_null=True, default=None)
    cases = serializers.SerializerMethodField()
    contact_withheld = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()

    @extend_schema_field(PersonCaseSerializer(many=True))
    def get_cases(self, person):
        return PersonCaseSerializer(self.context["record"].parties, many=True).data

    def get_contact_withheld(self, person) -> bool:
        return self.context["record"].contact_withheld

    @extend_schema_field(PersonContactSerializer(allow_null=True))
    def get_contact(self, person):
        return self.context["record"].contact


class PersonFilterSerializer(ExternalIdQuerySerializer):
    q = serializers.CharField(
        max_length=100, required=False, default="", help_text="Name, other name or identifier."
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
