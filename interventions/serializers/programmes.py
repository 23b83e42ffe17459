"""Serializers of programmes."""

from rest_framework import serializers

from accounts.roles import AgencyKind
from interventions.models import (
    Delivery,
    Programme,
    ProgrammeKind,
    Recipient,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    national = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField(help_text="The eligibility checklist.")

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
            "absence_alert_threshold",
            "active",
            "criteria",
        ]
        read_only_fields = fields

    def get_national(self, programme) -> bool:
        return programme.partnership_id is None

    def get_criteria(self, programme) -> list[str]:
        return [c.label for c in programme.eligibility_criteria.all()]


class ProgrammeWriteSerializer(serializers.Serializer):
    """A local programme (the partnership admin). ``code`` is taken when adding only."""

    code = serializers.CharField(max_length=40, required=False, default="")
    name = serializers.CharField(max_length=200)
    provider_kind = serializers.ChoiceField(choices=AgencyKind.choices)
    recipient = serializers.ChoiceField(choices=Recipient.choices)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    kind = serializers.ChoiceField(choices=ProgrammeKind.choices)
    sessions_min = serializers.IntegerField(min_value=1, max_value=50)
    sessions_max = serializers.IntegerField(min_value=1, max_value=50)
    session_minutes = serializers.IntegerField(min_value=1, max_value=600, default=60)
    absence_alert_threshold = serializers.IntegerField(min_value=1, max_value=50, default=2)
    active = serializers.BooleanField(default=True)
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
