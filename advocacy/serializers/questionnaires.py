"""REST shapes of victim questionnaires (only the holding advocacy agency gets them)."""

from rest_framework import serializers

from advocacy.models import QuestionnaireResponse, QuestionnaireTiming
from risk.serializers import ScaleScoreSerializer


class QuestionnaireSerializer(serializers.ModelSerializer):
    instrument_code = serializers.CharField(source="instrument.code", read_only=True)
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    version = serializers.IntegerField(source="instrument_version.version", read_only=True)
    scales = serializers.DictField(
        child=ScaleScoreSerializer(), source="result.scales", read_only=True
    )
    answers = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = QuestionnaireResponse
        fields = [
            "id",
            "episode",
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


class QuestionnaireCreateSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(help_text="A victim questionnaire of the partnership.")
    timing = serializers.ChoiceField(choices=QuestionnaireTiming.choices)
    taken_on = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="{item code: answer value}"
    )
