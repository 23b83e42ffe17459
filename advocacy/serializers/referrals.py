"""Serializers of the referral queue."""

from rest_framework import serializers

from advocacy.models import (
    AdvocacyReferral,
    DeclineReason,
    ReferralStatus,
)


class AdvocacyReferralSerializer(serializers.ModelSerializer):
    """A referral in the agency's queue: who is referred, from where, by whom."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    victim_name = serializers.CharField(source="victim.person.full_name", read_only=True)
    referred_by_name = serializers.CharField(source="referred_by.full_name", read_only=True)
    referring_agency_name = serializers.CharField(source="referring_agency.name", read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)

    class Meta:
        model = AdvocacyReferral
        fields = [
            "id",
            "case",
            "case_reference",
            "victim",
            "victim_name",
            "advocacy_agency",
            "route",
            "referred_on",
            "referred_by",
            "referred_by_name",
            "referring_agency",
            "referring_agency_name",
            "status",
            "episode",
            "accepted_at",
            "declined_at",
            "decline_reason",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True} for name in ("episode", "accepted_at", "declined_at")
        }


class ReferralAcceptSerializer(serializers.Serializer):
    advocate = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A user id (an advocate of your agency); default you, if you are one.",
    )


class ReferralDeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required for other.",
    )
