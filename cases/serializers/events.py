"""Serializers for criminal-justice events and "tell the victim" tasks. Meaning (dates,
roles, leaks) is checked by cases.services.events, so the API answers as the forms do."""

from rest_framework import serializers

from cases.models import (
    CaseEvent,
    CaseEventKind,
    ContactChannel,
    Person,
    VictimNotification,
)
from cases.serializers.record import _blank_choice, _choice, _PeopleMixin
from cases.services.events import NOTE_LIMIT, Result


class CaseEventSerializer(_PeopleMixin, serializers.ModelSerializer):
    people_fields = ("perpetrator",)
    perpetrator = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    perpetrator_name = serializers.CharField(source="perpetrator.full_name", read_only=True)
    kind = _choice(CaseEventKind.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_LIMIT
    )
    recorded_by_name = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "perpetrator",
            "perpetrator_name",
            "kind",
            "occurred_at",
            "note",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]


class VictimNotificationSerializer(serializers.ModelSerializer):
    """A task as its responsible agency reads it (no contact details)."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    victim_name = serializers.CharField(source="victim.person.full_name", read_only=True)
    responsible_name = serializers.CharField(
        source="responsible.full_name", read_only=True, allow_null=True, default=None
    )
    pending = serializers.BooleanField(source="is_pending", read_only=True)

    class Meta:
        model = VictimNotification
        fields = [
            "id",
            "case",
            "case_reference",
            "victim",
            "victim_name",
            "trigger",
            "occurred_on",
            "due_on",
            "enhanced_rights",
            "responsible",
            "responsible_name",
            "responsible_agency",
            "pending",
            "outcome",
            "informed_at",
            "channel",
            "told_by",
            "note",
            "attempted_at",
            "attempt_reason",
            "created_at",
        ]
        read_only_fields = fields


class VictimNotificationRecordSerializer(serializers.Serializer):
    result = _choice(Result.values)
    at = serializers.DateTimeField()
    channel = _blank_choice(ContactChannel.choices, required=False, default="")
    told_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_LIMIT
    )
