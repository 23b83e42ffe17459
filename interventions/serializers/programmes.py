"""Serializers of programmes."""

from rest_framework import serializers

from interventions.models import (
    Programme,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    national = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "national",
            "provider_kind",
            "recipient",
            "delivery",
            "kind",
            "sessions_min",
            "sessions_max",
            "session_minutes",
            "completion_rule",
        ]
        read_only_fields = fields

    def get_national(self, programme) -> bool:
        return programme.partnership_id is None
