"""Serializers for the clinics API: shapes only; the services hold the rules."""

from rest_framework import serializers

from accounts.models import Agency, User
from cases.models import Classification, Priority, Tier
from triage.models import (
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Cadence,
    CaseDiscussion,
    Clinic,
    Decision,
    DiscussionDepth,
    Meeting,
    MeetingKind,
    RiskJudgement,
)


class ClinicSerializer(serializers.ModelSerializer):
    agencies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "kind",
            "cadence",
            "first_meeting_on",
            "starts_at",
            "duration_minutes",
            "location",
            "agencies",
            "chair",
            "active",
        ]


class ClinicWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    first_meeting_on = serializers.DateField()
    starts_at = serializers.TimeField(help_text="Europe/London wall-clock time.")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.none())
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    active = serializers.BooleanField(required=False)

    def __init__(self, *args, agencies=None, chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agencies"].child_relation.queryset = agencies
            self.fields["chair"].queryset = chairs


class AgendaItemSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "case", "case_reference", "position", "reasons", "note", "added_by"]


class MeetingSerializer(serializers.ModelSerializer):
    clinic_name = serializers.CharField(source="clinic.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "clinic",
            "clinic_name",
            "held_on",
            "starts_at",
            "status",
            "chair",
            "agenda_built_at",
            "closed_at",
            "reopened_at",
            "reopen_reason",
            "minutes_version",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda"]

    def get_agenda(self, meeting) -> list[dict]:
        """Only the items for cases the reader can see."""
        return AgendaItemSerializer(self.context["agenda"], many=True).data


class AddItemSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The id of a case you can see.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MeetingStartSerializer(serializers.Serializer):
    confirm_early = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Needed to start a meeting more than a day before its start.",
    )


class MeetingReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "Enter why the meeting is being reopened.",
            "blank": "Enter why the meeting is being reopened.",
        },
    )


class RemoveItemSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MoveItemSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={"invalid_choice": "Choose up or down.", "required": "Choose up or down."},
    )


class ReorderSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "user", "name", "agency", "organisation", "status"]


class AttendanceRowSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(),
        required=False,
        allow_null=True,
        help_text="A member's agency, or a guest's when it is one of the partnership's.",
    )
    organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A guest from any other organisation: its name (then no agency).",
    )
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceWriteSerializer(serializers.Serializer):
    rows = AttendanceRowSerializer(many=True)

    def __init__(self, *args, agencies=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            row = self.fields["rows"].child
            row.fields["agency"].queryset = agencies
            row.fields["user"].queryset = users


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "description", "owner_agency", "owner", "due_on", "status"]


class DiscussionSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = CaseDiscussion
        fields = [
            "id",
            "case",
            "meeting",
            "agenda_item",
            "version",
            "depth",
            "summary",
            "classification",
            "typologies",
            "risk_judgement",
            "risk_rationale",
            "priority",
            "tier",
            "decision",
            "decision_note",
            "refer_to_advocacy",
            "next_review_on",
            "recorded_by",
            "recorded_at",
            "actions",
        ]


class ActionWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    owner_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    due_on = serializers.DateField()


class DiscussionWriteSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField()
    summary = serializers.CharField(max_length=10000)
    classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, allow_blank=True
    )
    typologies = serializers.ListField(child=serializers.IntegerField(), required=False)
    risk_judgement = serializers.ChoiceField(choices=RiskJudgement.choices)
    risk_rationale = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_blank=True)
    decision = serializers.ChoiceField(choices=Decision.choices)
    decision_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    refer_to_advocacy = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Put each victim on the case in the advocacy service's referral queue.",
    )
    next_review_on = serializers.DateField(required=False, allow_null=True)
    depth = serializers.ChoiceField(choices=DiscussionDepth.choices, required=False)
    actions = ActionWriteSerializer(many=True, required=False)
    share_anyway = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True after checking that the victim contact details a text was found to "
        "hold must go into the minutes.",
    )

    def __init__(self, *args, agencies=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            row = self.fields["actions"].child
            row.fields["owner_agency"].queryset = agencies
            row.fields["owner"].queryset = users
