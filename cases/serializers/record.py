"""Serializers for the case record API. Reference codes travel as their code string
("008/65", "rejected"); validation of meaning (dates in order, codes current, roles) is
the services' job, so the API and the HTML forms answer the same way."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agency, User
from cases.models import (
    Classification,
    CodeList,
    CriminalJusticeOutcome,
    OffenceLevel,
    OrderBreach,
    OrderDecision,
    OrderKind,
    Person,
    Priority,
    ProtectiveOrder,
    ReoffendingEvent,
    ReoffendingSource,
    ReoffendingVictim,
    Tier,
)
from cases.serializers.core import CodeField, external_id_fields


def _choice(choices, **kwargs):
    """A choice field whose values are listed in the schema as a description and an
    ``x-choices`` extension rather than an enum component: several areas use field names
    such as "decision", "status" or "source" for different choice sets, and drf-spectacular
    warns (failing the deploy check) when enum components of one name collide."""
    values = [c[0] if isinstance(c, tuple) else c for c in choices]
    if kwargs.get("allow_blank"):
        values = ["", *values]
    schema = {
        "type": "string",
        "description": "One of: " + ", ".join(f'"{v}"' for v in values),
        "x-choices": values,
    }
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


def _blank_choice(choices, **kwargs):
    return _choice(choices, allow_blank=True, **kwargs)


class RecordSerializer(serializers.Serializer):
    """The case's core record, as read."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = _choice(["open", "monitoring", "closed"])
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    monitoring_started_on = serializers.DateField(allow_null=True)
    monitoring_until = serializers.DateField(
        allow_null=True,
        help_text="Six months from monitoring_started_on, or from closed_on when that is "
        "not recorded; null while the case is open.",
    )
    closure_reason = serializers.CharField(
        source="closure_reason.code", allow_null=True, default=None
    )
    closure_reason_label = serializers.CharField(
        source="closure_reason.label", allow_null=True, default=None
    )
    closure_note = serializers.CharField()
    classification = _blank_choice(Classification.choices)
    classification_reason = serializers.CharField()
    offence_level = _blank_choice(OffenceLevel.choices)
    tier = _blank_choice(Tier.choices)
    priority = _blank_choice(Priority.choices)
    relationship = serializers.CharField(source="relationship.code", allow_null=True, default=None)
    relationship_label = serializers.CharField(
        source="relationship.label", allow_null=True, default=None
    )
    typologies = serializers.SerializerMethodField()
    lead_agency = serializers.IntegerField(source="lead_agency_id")
    lead_agency_name = serializers.CharField(source="lead_agency.name")
    officer_in_charge = serializers.IntegerField(source="officer_in_charge_id", allow_null=True)
    external_source = serializers.CharField()
    external_id = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_typologies(self, case):
        return [code.code for code in self.context.get("typologies", [])]


class RecordWriteSerializer(serializers.Serializer):
    """Every field optional (PATCH); blank or null means "not recorded", which is distinct
    from a "not known" value (and tier "none", a decision: no tier). Relationship and
    typologies: codes in use on some day the case was open (the serializer's context
    carries the case)."""

    classification = _blank_choice(Classification.choices, required=False)
    classification_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    offence_level = _blank_choice(OffenceLevel.choices, required=False)
    tier = _blank_choice(Tier.choices, required=False)
    priority = _blank_choice(Priority.choices, required=False)
    relationship = CodeField(CodeList.RELATIONSHIP, case_life=True, required=False, allow_null=True)
    typologies = CodeField(
        CodeList.TYPOLOGY, case_life=True, many=True, required=False, allow_empty=True
    )
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none(), required=False)
    officer_in_charge = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    monitoring_started_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day monitoring began: not in the future, not before the case opened.",
    )
    external_source, external_id = external_id_fields().values()

    def __init__(self, *args, agencies=None, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["lead_agency"].queryset = agencies
        if officers is not None:
            self.fields["officer_in_charge"].queryset = officers


class CloseSerializer(serializers.Serializer):
    reason = CodeField(CodeList.CLOSURE_REASON, on_field="closed_on")
    closed_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.CharField(help_text="A date (YYYY-MM-DD) or an ISO 8601 date-time.")
    kind = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    by = serializers.CharField()

    def to_representation(self, event):
        data = super().to_representation(event)
        data["at"] = event.at.isoformat()
        return data


class _PeopleMixin:
    people_fields = ()

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.people_fields:
            if name in self.fields and people is not None:
                self.fields[name].queryset = people


class BreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderBreach
        fields = ["id", "occurred_on", "reported_on", "crime_reference", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class OrderSerializer(_PeopleMixin, serializers.ModelSerializer):
    """``subject``: a perpetrator on the case; ``protected``: a victim on it."""

    people_fields = ("subject", "protected")
    subject = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    subject_name = serializers.CharField(source="subject.full_name", read_only=True)
    protected = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), allow_null=True)
    protected_name = serializers.CharField(
        source="protected.full_name", read_only=True, allow_null=True, default=None
    )
    kind = _choice(OrderKind.choices)
    decision = _choice(OrderDecision.choices, default=OrderDecision.PENDING)
    in_force = serializers.BooleanField(source="is_in_force", read_only=True)
    breaches = BreachSerializer(many=True, read_only=True)
    share_anyway = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="True after checking that the victim contact details the conditions were "
        "found to hold must be shared with the perpetrator's side.",
    )

    class Meta:
        model = ProtectiveOrder
        fields = [
            "id",
            "subject",
            "subject_name",
            "protected",
            "protected_name",
            "kind",
            "applied_on",
            "decision",
            "decided_on",
            "conditions",
            "positive_requirements",
            "expires_on",
            "in_force",
            "breaches",
            "created_at",
            "share_anyway",
        ]
        read_only_fields = ["id", "created_at"]


class OrderDecisionSerializer(serializers.Serializer):
    decision = _choice(OrderDecision.choices)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    conditions = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    positive_requirements = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    share_anyway = OrderSerializer._declared_fields["share_anyway"]


class OutcomeSerializer(_PeopleMixin, serializers.ModelSerializer):
    people_fields = ("person",)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    outcome = CodeField(CodeList.OUTCOME, on_field="outcome_on")
    outcome_label = serializers.CharField(source="outcome.label", read_only=True)

    class Meta:
        model = CriminalJusticeOutcome
        fields = [
            "id",
            "person",
            "person_name",
            "outcome",
            "outcome_label",
            "outcome_on",
            "crime_reference",
            "charge",
            "convicted",
            "sentence",
            "external_source",
            "external_id",
            "created_at",
        ]
        read_only_fields = ["id", "external_source", "external_id", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["outcome"] = instance.outcome.code  # also when the code is no longer current
        return data


class ReoffendingSerializer(_PeopleMixin, serializers.ModelSerializer):
    people_fields = ("perpetrator",)
    perpetrator = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    perpetrator_name = serializers.CharField(source="perpetrator.full_name", read_only=True)
    victim = _choice(ReoffendingVictim.choices)
    source = _choice(ReoffendingSource.choices)

    class Meta:
        model = ReoffendingEvent
        fields = [
            "id",
            "perpetrator",
            "perpetrator_name",
            "occurred_on",
            "victim",
            "source",
            "crime_reference",
            "note",
            "external_source",
            "external_id",
            "created_at",
        ]
        read_only_fields = ["id", "external_source", "external_id", "created_at"]
