"""Serializers of risk updates."""

from rest_framework import serializers

from advocacy.models import LawfulBasis, RiskUpdate, Urgency
from cases.models import ReoffendingVictim
from risk.models import RiskLevel


class RiskUpdateSerializer(serializers.ModelSerializer):
    advocacy_agency = serializers.CharField(source="episode.advocacy_agency.name", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.full_name", read_only=True)
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = RiskUpdate
        fields = [
            "id",
            "case",
            "episode",
            "advocacy_agency",
            "what_changed",
            "new_incidents",
            "risk_level",
            "urgency",
            "lawful_basis",
            "recipients",
            "reoffending_event",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"reoffending_event": {"allow_null": True}}

    def get_recipients(self, update) -> list[int]:
        return [link.agency_id for link in update.recipient_links.all()]


class RiskUpdateCreateSerializer(serializers.Serializer):
    """The incident fields count only when ``record_incident`` is true."""

    what_changed = serializers.CharField(max_length=5000, allow_blank=True)
    new_incidents = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, default=""
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), max_length=50
    )
    record_incident = serializers.BooleanField(required=False, default=False)
    incident_on = serializers.DateField(required=False, allow_null=True, default=None)
    incident_victim = serializers.ChoiceField(
        choices=ReoffendingVictim.choices, required=False, allow_blank=True, default=""
    )
    incident_perpetrator = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1
    )
