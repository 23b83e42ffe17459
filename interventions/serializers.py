"""REST shapes for programmes, enrolments and sessions. Validation of dates and codes is the
services' job; their ValidationErrors become field-keyed 400s. Only members of the agency
delivering an enrolment ever get these shapes (the API is the compartment's)."""

from rest_framework import serializers

from interventions.models import (
    Attendance,
    Component,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Pathway,
    Programme,
    Session,
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


class EnrolmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="party.person.full_name", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    practitioner_name = serializers.CharField(
        source="practitioner.full_name", read_only=True, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, read_only=True)
    attended_count = serializers.IntegerField(read_only=True)
    minutes_attended = serializers.IntegerField(read_only=True)
    started_on = serializers.DateField(read_only=True, allow_null=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "case",
            "case_reference",
            "party",
            "person_name",
            "programme",
            "programme_name",
            "provider_agency",
            "practitioner",
            "practitioner_name",
            "referred_on",
            "route",
            "pathway",
            "planned_sessions",
            "consent_signed_on",
            "shares_progress",
            "shares_compliance",
            "shares_risk_indicators",
            "status",
            "attended_count",
            "minutes_attended",
            "started_on",
            "ended_on",
            "withdrawn_on",
            "withdrawal_reason",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True}
            for name in ("practitioner", "consent_signed_on", "withdrawn_on")
        }


class EnrolmentCreateSerializer(serializers.Serializer):
    party = serializers.IntegerField(help_text="The case party id of the perpetrator or victim.")
    programme = serializers.IntegerField(help_text="A programme id.")
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    referred_on = serializers.DateField()
    planned_sessions = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=50,
        help_text="Within the programme's range; the programme's most when left out.",
    )
    practitioner = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A user id (a clinician)."
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
