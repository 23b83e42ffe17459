"""Serializers of sessions."""

from rest_framework import serializers

from interventions.models import (
    Attendance,
    CancellationReason,
    Component,
    Modality,
    Session,
)


class SessionSerializer(serializers.ModelSerializer):
    components = serializers.ListField(
        child=serializers.ChoiceField(choices=Component.choices), read_only=True
    )
    recorded_by = serializers.CharField(
        source="recorded_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "enrolment",
            "scheduled_at",
            "modality",
            "status",
            "superseded_by",
            "cancellation_reason",
            "attendance",
            "minutes",
            "components",
            "notes",
            "recorded_at",
            "recorded_by",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True} for name in ("superseded_by", "minutes", "recorded_at")
        }


class SessionCreateSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    modality = serializers.ChoiceField(choices=Modality.choices)


class SessionAttendanceSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=Attendance.choices)
    minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=600
    )
    components = serializers.ListField(
        child=serializers.ChoiceField(choices=Component.choices), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class SessionRescheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    modality = serializers.ChoiceField(
        choices=Modality.choices, required=False, allow_null=True, default=None
    )


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancellationReason.choices)
