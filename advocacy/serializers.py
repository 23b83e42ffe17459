"""REST shapes for support episodes, contacts, the referral queue, safety plans and target
hardening. Validation of dates and codes is the services' job; their ValidationErrors
become field-keyed 400s."""

from rest_framework import serializers

from advocacy.models import (
    AdvocacyReferral,
    Channel,
    Contact,
    ContactFrequency,
    DeclineReason,
    Direction,
    EpisodeStatus,
    FirstContact,
    MeasureKind,
    MeasureState,
    NeedArea,
    PlanItemOwner,
    ReferralRoute,
    ReferralStatus,
    SafetyPlan,
    SafetyPlanItem,
    SupportEpisode,
    SupportNeed,
    TargetHardening,
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


# Safety plans and target hardening ------------------------------------------------------


class SafetyPlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafetyPlanItem
        fields = ["position", "text", "owner", "due_on", "done"]
        read_only_fields = fields
        extra_kwargs = {"due_on": {"allow_null": True}}


class SafetyPlanSerializer(serializers.ModelSerializer):
    items = SafetyPlanItemSerializer(many=True, read_only=True)
    orders = serializers.SerializerMethodField()
    is_current = serializers.BooleanField(read_only=True)
    created_by = serializers.CharField(source="created_by.full_name", read_only=True)

    class Meta:
        model = SafetyPlan
        fields = [
            "id",
            "episode",
            "version",
            "is_current",
            "review_on",
            "notes",
            "orders",
            "items",
            "created_by",
            "created_at",
            "superseded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"superseded_at": {"allow_null": True}}

    def get_orders(self, plan) -> list[int]:
        return [link.order_id for link in plan.order_links.all()]


class SafetyPlanItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)
    owner = serializers.ChoiceField(choices=PlanItemOwner.choices)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    done = serializers.BooleanField(required=False, default=False)


class SafetyPlanCreateSerializer(serializers.Serializer):
    review_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    orders = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of protective orders on the episode's case.",
    )
    items = SafetyPlanItemInputSerializer(many=True, allow_empty=True)


class MeasureSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=MeasureState.choices, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.full_name", read_only=True)

    class Meta:
        model = TargetHardening
        fields = [
            "id",
            "episode",
            "kind",
            "state",
            "requested_on",
            "provided_on",
            "declined_on",
            "provider",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "provided_on": {"allow_null": True},
            "declined_on": {"allow_null": True},
        }


class MeasureCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    requested_on = serializers.DateField()
    provided_on = serializers.DateField(required=False, allow_null=True, default=None)
    declined_on = serializers.DateField(required=False, allow_null=True, default=None)
    provider = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class MeasureUpdateSerializer(serializers.Serializer):
    """Only the fields given change (PATCH)."""

    kind = serializers.ChoiceField(choices=MeasureKind.choices, required=False)
    requested_on = serializers.DateField(required=False)
    provided_on = serializers.DateField(required=False, allow_null=True)
    declined_on = serializers.DateField(required=False, allow_null=True)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200)


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
