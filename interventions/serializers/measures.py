"""REST shapes for psychometric measures (the clinical compartment: only the provider
agency's members ever get them)."""

from rest_framework import serializers

from interventions.models import Measure, MeasureTiming
from risk.serializers import ScaleScoreSerializer


class MeasureSerializer(serializers.ModelSerializer):
    instrument_code = serializers.CharField(source="instrument.code", read_only=True)
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    version = serializers.IntegerField(source="instrument_version.version", read_only=True)
    scales = serializers.DictField(
        child=ScaleScoreSerializer(), source="result.scales", read_only=True
    )
    answers = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "enrolment",
            "instrument",
            "instrument_code",
            "instrument_name",
            "version",
            "timing",
            "taken_on",
            "answers",
            "score",
            "scales",
            "recorded_at",
        ]
        read_only_fields = fields


class MeasureCreateSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(help_text="A measure the programme takes.")
    timing = serializers.ChoiceField(choices=MeasureTiming.choices)
    taken_on = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="{item code: answer value}"
    )
