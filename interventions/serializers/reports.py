"""Serializers of end-of-intervention reports (the provider's API: clinical notes included)."""

from rest_framework import serializers

from interventions.models import EndReport, OutcomeRating


class EndReportSerializer(serializers.ModelSerializer):
    outcomes = serializers.DictField(child=serializers.ChoiceField(OutcomeRating.choices))
    sent_to_agency_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = EndReport
        fields = [
            "enrolment",
            "outcomes",
            "summary",
            "clinical_notes",
            "drafted_at",
            "sent_at",
            "sent_to_agency_ids",
        ]
        read_only_fields = fields
        extra_kwargs = {"sent_at": {"allow_null": True}}


class EndReportWriteSerializer(serializers.Serializer):
    outcomes = serializers.DictField(
        child=serializers.ChoiceField(OutcomeRating.choices),
        help_text='{"overall": rating, <component covered>: rating}: every one rated.',
    )
    summary = serializers.CharField(max_length=5000)
    clinical_notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000
    )
