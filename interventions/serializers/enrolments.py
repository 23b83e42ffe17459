"""Serializers of enrolments."""

from rest_framework import serializers

from interventions.models import (
    Enrolment,
    EnrolmentStatus,
    Pathway,
    WithdrawalGroup,
    WithdrawalReason,
)


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
    withdrawal_group = serializers.ChoiceField(
        choices=[("", "Not withdrawn"), *WithdrawalGroup.choices],
        read_only=True,
        help_text="Derived from the reason: drop_out or other.",
    )

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
            "withdrawal_group",
            "created_at",
            "external_source",
            "external_id",
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


class ConsentSerializer(serializers.Serializer):
    consent_signed_on = serializers.DateField()
    shares_progress = serializers.BooleanField(default=False)
    shares_compliance = serializers.BooleanField(default=False)
    shares_risk_indicators = serializers.BooleanField(default=False)


class WithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=WithdrawalReason.choices)
