"""Serializers of support episodes and contacts."""

from rest_framework import serializers

from advocacy.models import (
    Channel,
    Contact,
    ContactFrequency,
    Direction,
    EpisodeStatus,
    FirstContact,
    NeedArea,
    ReferralRoute,
    SupportEpisode,
    SupportNeed,
)


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportNeed
        fields = ["need", "identified_on", "outcome"]
        read_only_fields = fields


class EpisodeSerializer(serializers.ModelSerializer):
    victim_name = serializers.CharField(source="victim.person.full_name", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    advocate_name = serializers.CharField(
        source="advocate.full_name", read_only=True, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=EpisodeStatus.choices, read_only=True)
    first_contact_due_on = serializers.DateField(read_only=True)
    first_contact = serializers.ChoiceField(choices=FirstContact.choices, read_only=True)
    needs = NeedSerializer(many=True, read_only=True)

    class Meta:
        model = SupportEpisode
        fields = [
            "id",
            "case",
            "case_reference",
            "victim",
            "victim_name",
            "advocacy_agency",
            "advocate",
            "advocate_name",
            "referral_route",
            "referred_on",
            "status",
            "first_contact_due_on",
            "first_contact",
            "first_contact_attempted_at",
            "first_contact_made_at",
            "support_consent_on",
            "support_consent_method",
            "support_consent_withdrawn_on",
            "share_consent_on",
            "share_consent_with",
            "share_consent_purpose",
            "share_consent_method",
            "share_consent_withdrawn_on",
            "contact_frequency",
            "closed_on",
            "closure_reason",
            "needs",
            "created_at",
            "external_source",
            "external_id",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True}
            for name in (
                "advocate",
                "first_contact_attempted_at",
                "first_contact_made_at",
                "support_consent_on",
                "support_consent_withdrawn_on",
                "share_consent_on",
                "share_consent_withdrawn_on",
                "closed_on",
            )
        }


class EpisodeCreateSerializer(serializers.Serializer):
    victim = serializers.IntegerField(help_text="The case party id of the victim.")
    referral_route = serializers.ChoiceField(choices=ReferralRoute.choices)
    referred_on = serializers.DateField()
    advocate = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A user id (an advocate)."
    )
    contact_frequency = serializers.ChoiceField(
        choices=ContactFrequency.choices, required=False, allow_blank=True, default=""
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedArea.choices), required=False, default=list
    )


class ContactSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "episode",
            "at",
            "channel",
            "direction",
            "made",
            "duration_minutes",
            "safe_to_talk",
            "summary",
            "next_contact_due",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "duration_minutes": {"allow_null": True},
            "next_contact_due": {"allow_null": True},
        }


class ContactCreateSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    made = serializers.BooleanField()
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=600
    )
    safe_to_talk = serializers.BooleanField(required=False, default=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    next_contact_due = serializers.DateField(required=False, allow_null=True, default=None)
