"""Serializers of safety plans and target-hardening measures."""

from rest_framework import serializers

from advocacy.models import (
    MeasureKind,
    MeasureState,
    PlanItemOwner,
    SafetyPlan,
    SafetyPlanItem,
    TargetHardening,
)


class SafetyPlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafetyPlanItem
        fields = ["position", "text", "owner", "due_on", "done"]
        read_only_fields = fields
        extra_kwargs = {"due_on": {"allow_null": True}}


class SafetyPlanSerializer(serializers.ModelSerializer):
    items = SafetyPlanItemSerializer(many=True, read_only=True)
    orders = serializers.SerializerMethodField()
    is_current = serializers.BooleanField(read_only=True)
    created_by = serializers.CharField(source="created_by.full_name", read_only=True)

    class Meta:
        model = SafetyPlan
        fields = [
            "id",
            "episode",
            "version",
            "is_current",
            "review_on",
            "notes",
            "orders",
            "items",
            "created_by",
            "created_at",
            "superseded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"superseded_at": {"allow_null": True}}

    def get_orders(self, plan) -> list[int]:
        return [link.order_id for link in plan.order_links.all()]


class SafetyPlanItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)
    owner = serializers.ChoiceField(choices=PlanItemOwner.choices)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    done = serializers.BooleanField(required=False, default=False)


class SafetyPlanCreateSerializer(serializers.Serializer):
    review_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    orders = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of protective orders on the episode's case.",
    )
    items = SafetyPlanItemInputSerializer(many=True, allow_empty=True)


class MeasureSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=MeasureState.choices, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = TargetHardening
        fields = [
            "id",
            "episode",
            "kind",
            "state",
            "requested_on",
            "provided_on",
            "declined_on",
            "provider",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "provided_on": {"allow_null": True},
            "declined_on": {"allow_null": True},
        }


class MeasureCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    requested_on = serializers.DateField()
    provided_on = serializers.DateField(required=False, allow_null=True, default=None)
    declined_on = serializers.DateField(required=False, allow_null=True, default=None)
    provider = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class MeasureUpdateSerializer(serializers.Serializer):
    """Only the fields given change (PATCH)."""

    kind = serializers.ChoiceField(choices=MeasureKind.choices, required=False)
    requested_on = serializers.DateField(required=False)
    provided_on = serializers.DateField(required=False, allow_null=True)
    declined_on = serializers.DateField(required=False, allow_null=True)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200)
