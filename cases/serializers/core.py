from django.utils import timezone
from rest_framework import serializers

from accounts.models import Agency
from cases.models import (
    Case,
    CodeList,
    Gender,
    PartyRole,
    ReferenceCode,
    code_choices,
)
from cases.models.external import EXTERNAL_ID_MAX, EXTERNAL_SOURCE_MAX
from cases.models.reference import too_early


class CodeField(serializers.SlugRelatedField):
    """A reference code given by its code (for example "008/65") for the caller's
    partnership. With ``on_field``, the code must be in use on the date in that field of
    the same body (the date of the event it describes: a referral received, an outcome);
    without, on today."""

    default_error_messages = {
        "does_not_exist": "{value} is not a current code in this list.",
        "not_in_use": "{value} was not in use on {on}.",
        "not_in_use_case": "{value} was not in use while the case was open ({start} to {end}).",
        "invalid": "Give the code as text.",
    }

    def __init__(self, code_list, on_field=None, case_life=False, **kwargs):
        """``case_life``: the code describes the whole case in the serializer's context
        ("case"), so it must have been in use on some day the case was open."""
        self.code_list = code_list
        self.on_field = on_field
        self.case_life = case_life
        super().__init__(slug_field="code", queryset=ReferenceCode.objects.none(), **kwargs)

    def _case_span(self):
        case = self.context.get("case") if self.case_life else None
        return case.open_span() if case is not None else None

    def _partnership_id(self):
        membership = getattr(self.context.get("request"), "membership", None)
        return membership.agency.partnership_id if membership is not None else None

    def get_queryset(self, on=None):
        partnership_id = self._partnership_id()
        if partnership_id is None:
            return ReferenceCode.objects.none()
        span = self._case_span()
        if span is not None:
            codes = ReferenceCode.objects.of(self.code_list).for_partnership(partnership_id)
            return codes.in_use_during(*span)
        return code_choices(self.code_list, partnership_id, on)

    def _event_date(self):
        data = getattr(self.parent, "initial_data", None)
        if not self.on_field or not hasattr(data, "get"):
            return None
        try:
            on = serializers.DateField().to_internal_value(data.get(self.on_field))
        except serializers.ValidationError:
            return None  # the date field reports its own error
        # A date that cannot be true is the date's error (the service says so), not the code's.
        return None if too_early(on) or on > timezone.localdate() else on

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        on = self._event_date()
        # A partnership's own code before the national one; the newest version first.
        found = sorted(
            self.get_queryset(on).filter(code=data),
            key=lambda code: (code.partnership_id is None, -code.version),
        )
        if found:
            return found[0]
        partnership_id = self._partnership_id()
        any_version = ReferenceCode.objects.of(self.code_list).for_partnership(partnership_id)
        if on is not None and any_version.filter(code=data).exists():
            self.fail("not_in_use", value=data, on=f"{on:%-d %B %Y}")
        span = self._case_span()
        if span is not None and any_version.filter(code=data).exists():
            start, end = span
            self.fail(
                "not_in_use_case", value=data, start=f"{start:%-d %B %Y}", end=f"{end:%-d %B %Y}"
            )
        self.fail("does_not_exist", value=data)


class ExternalIdQuerySerializer(serializers.Serializer):
    """``?external_source=&external_id=`` on a list: the records with that id in the
    system they came from (either or both; blank: no filter)."""

    external_source = serializers.CharField(
        max_length=EXTERNAL_SOURCE_MAX, required=False, allow_blank=True, default=""
    )
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX, required=False, allow_blank=True, default=""
    )


def external_id_query(request):
    """The validated external-id filter of a list request (a 400 when too long)."""
    query = ExternalIdQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {
        "external_source": query.validated_data["external_source"].strip(),
        "external_id": query.validated_data["external_id"].strip(),
    }


def external_id_fields():
    """The writable external-id fields of a create or update body."""
    return {
        "external_source": serializers.CharField(
            max_length=EXTERNAL_SOURCE_MAX,
            required=False,
            allow_blank=True,
            help_text="The system the record came from (required with external_id).",
        ),
        "external_id": serializers.CharField(
            max_length=EXTERNAL_ID_MAX,
            required=False,
            allow_blank=True,
            help_text="The record's id in that system: unique per partnership and source.",
        ),
    }


class CaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    lead_agency_name = serializers.CharField(source="lead_agency.name", read_only=True)
    officer_in_charge_name = serializers.CharField(
        source="officer_in_charge.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "summary",
            "status",
            "lead_agency",
            "lead_agency_name",
            "officer_in_charge",
            "officer_in_charge_name",
            "opened_on",
            "closed_on",
            "external_source",
            "external_id",
        ]
        read_only_fields = ["reference", "closed_on"]


class CaseOpenSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000)
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none())
    opened_on = serializers.DateField(required=False)
    external_source, external_id = external_id_fields().values()

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["lead_agency"].queryset = agencies


class PartySerializer(serializers.Serializer):
    """A party as the reader may see it: victims' contact details may be withheld (null)."""

    id = serializers.IntegerField(source="party.id", read_only=True)
    role = serializers.CharField(source="party.role", read_only=True)
    person_id = serializers.IntegerField(source="party.person_id", read_only=True)
    given_names = serializers.CharField(source="person.given_names", read_only=True)
    family_name = serializers.CharField(source="person.family_name", read_only=True)
    date_of_birth = serializers.DateField(
        source="person.date_of_birth", read_only=True, allow_null=True
    )
    date_of_birth_not_known = serializers.BooleanField(
        source="person.date_of_birth_not_known", read_only=True
    )
    gender = serializers.CharField(source="person.gender", read_only=True)
    ethnicity = serializers.CharField(
        source="person.ethnicity.code", read_only=True, allow_null=True, default=None
    )
    contact_withheld = serializers.BooleanField(read_only=True)
    contact = serializers.DictField(read_only=True, allow_null=True)


class PartyCreateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    given_names = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    date_of_birth_not_known = serializers.BooleanField(required=False, default=False)
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    ethnicity = CodeField(CodeList.ETHNICITY, required=False, allow_null=True, default=None)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    postcode = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    workplace = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    external_source, external_id = external_id_fields().values()

    def validate(self, data):
        if data.get("date_of_birth") and data.get("date_of_birth_not_known"):
            raise serializers.ValidationError(
                {"date_of_birth": "Give a date of birth or say it is not known, not both."}
            )
        return data


class MeMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name")
    agency_id = serializers.IntegerField()
    role = serializers.CharField()
    vetting_expires_on = serializers.DateField()


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    acting_as = MeMembershipSerializer()
    memberships = MeMembershipSerializer(many=True)
    capabilities = serializers.ListField(child=serializers.CharField())
