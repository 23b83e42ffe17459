from rest_framework import serializers

from accounts.models import Agency
from reporting.models import LocalArea, ReportFile, ReportKind, ReportRun

ANCHORS = ["referral", "monitoring_start", "intervention_end"]


class ReportFileSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ["id", "name", "content_type", "size", "download"]
        read_only_fields = fields

    def get_download(self, report_file) -> str:
        return f"/api/v1/reports/runs/{report_file.run_id}/files/{report_file.pk}/"


class ReportRunSerializer(serializers.ModelSerializer):
    files = ReportFileSerializer(many=True, read_only=True)

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "period_start",
            "period_end",
            "local_area",
            "agency",
            "parameters",
            "status",
            "message",
            "progress",
            "row_count",
            "approval",
            "automatic",
            "previous",
            "requested_at",
            "finished_at",
            "figures",
            "files",
        ]
        read_only_fields = fields


class ReportRunRequestSerializer(serializers.Serializer):
    """Ask for a report. Research extracts are asked for with a purpose and wait for a
    partnership admin's approval."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    local_area = serializers.PrimaryKeyRelatedField(
        queryset=LocalArea.objects.none(), required=False, allow_null=True
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), required=False, allow_null=True
    )
    anchor = serializers.ChoiceField(choices=ANCHORS, required=False, default="referral")
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partnership is not None:
            self.fields["local_area"].queryset = LocalArea.objects.filter(partnership=partnership)
            self.fields["agency"].queryset = Agency.objects.filter(partnership=partnership)
