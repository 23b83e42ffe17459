"""Serializers of compliance flags."""

from rest_framework import serializers

from interventions.models import ComplianceFlag, FlagKind, RiskIndicator


class ComplianceFlagSerializer(serializers.ModelSerializer):
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskIndicator.choices), read_only=True
    )
    recipient_agency_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = ComplianceFlag
        fields = [
            "id",
            "enrolment",
            "session",
            "kind",
            "indicators",
            "automatic",
            "recipient_agency_ids",
            "raised_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"session": {"allow_null": True}}


class ComplianceFlagCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(
        help_text="A session of this enrolment, attendance recorded."
    )
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskIndicator.choices), required=False, default=list
    )
