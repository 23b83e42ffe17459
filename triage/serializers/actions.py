"""Serializers for the actions and minutes API. They only parse and shape; the rules
(who, which agency, dates) are in triage.services.actions, so the API and the pages
answer the same way."""

from rest_framework import serializers

from accounts.models import Agency, User
from config.jobs import JobStatus


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    discussion = serializers.IntegerField(source="discussion_id", read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True)
    owner_agency = serializers.IntegerField(source="owner_agency_id", read_only=True)
    owner_agency_name = serializers.CharField(source="owner_agency.name", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)
    owner_name = serializers.SerializerMethodField()
    due_on = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True, help_text='"open", "done" or "cancelled".')
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_by = serializers.IntegerField(
        source="completed_by_id",
        read_only=True,
        allow_null=True,
        help_text="Who marked it done or cancelled it.",
    )
    completed_by_name = serializers.SerializerMethodField()
    cancel_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_owner_name(self, action) -> str:
        return str(action.owner) if action.owner_id else ""

    def get_completed_by_name(self, action) -> str:
        return str(action.completed_by) if action.completed_by_id else ""


class ActionItemCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A case you can see.")
    description = serializers.CharField(max_length=2000, allow_blank=True)
    owner_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), allow_null=True, required=False
    )
    due_on = serializers.DateField()

    def __init__(self, *args, agencies=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["owner_agency"].queryset = agencies
        if users is not None:
            self.fields["owner"].queryset = users


class ActionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ActionReassignSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        allow_null=True,
        help_text="A member of the owner agency, or null to leave it with the agency.",
    )
    owner_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(),
        required=False,
        help_text="Clinic chair only: move the action to another agency the case is shared with.",
    )

    def __init__(self, *args, agencies=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["owner_agency"].queryset = agencies
        if users is not None:
            self.fields["owner"].queryset = users


class ActionDueDateSerializer(serializers.Serializer):
    due_on = serializers.DateField()


class MinutesCaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class MinutesJobSerializer(serializers.Serializer):
    """The background job that makes a closed meeting's minutes files."""

    status = serializers.ChoiceField(choices=JobStatus.choices)
    message = serializers.CharField()
    retryable = serializers.BooleanField()
    attempts = serializers.IntegerField()
    queued_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class MinutesVersionSerializer(serializers.Serializer):
    """The reader's version of a closed meeting's minutes."""

    meeting = serializers.IntegerField()
    audience_key = serializers.CharField()
    cases = MinutesCaseRefSerializer(many=True)
    contact_withheld = serializers.BooleanField()
    prepared_for = serializers.CharField(
        help_text="Who the file is for, as printed on it: the agencies whose readers get it, "
        'or "Partnership-wide: includes cases not shared with every agency".'
    )
    version = serializers.IntegerField()
    superseded = serializers.BooleanField(
        help_text="True for a file of an earlier version (the chair reopened the meeting)."
    )
    generated = serializers.BooleanField(help_text="False until the file is first produced.")
    generated_at = serializers.DateTimeField(allow_null=True)
    page_count = serializers.IntegerField(allow_null=True)
    download_url = serializers.CharField()
