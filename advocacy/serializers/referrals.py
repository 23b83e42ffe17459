"""Serializers of the referral queue."""

from rest_framework import serializers

from advocacy.models import (
    DIRECT_ROUTES,
    AdvocacyReferral,
    ContactFrequency,
    DeclineReason,
    NeedArea,
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


class DirectReferralVictimSerializer(serializers.Serializer):
    """The victim's person record; contact details optional."""

    given_names = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


VICTIM_FIELDS = tuple(DirectReferralVictimSerializer().fields)


class DirectReferralSerializer(serializers.Serializer):
    """A victim who came to the agency directly: opens a case only the agency can see and
    the support episode on it."""

    victim = DirectReferralVictimSerializer()
    summary = serializers.CharField(max_length=2000)
    referral_route = serializers.ChoiceField(
        choices=[(route.value, route.label) for route in DIRECT_ROUTES]
    )
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
