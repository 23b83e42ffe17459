"""REST shapes of victim questionnaires (only the holding advocacy agency gets them)."""

from advocacy.models import QuestionnaireResponse, QuestionnaireTiming
from risk.serializers import (
    ANSWERS_FIELDS,
    InstrumentAnswersSerializer,
    answers_create_serializer,
)


class QuestionnaireSerializer(InstrumentAnswersSerializer):
    class Meta:
        model = QuestionnaireResponse
        fields = ["id", "episode", *ANSWERS_FIELDS]
        read_only_fields = fields


QuestionnaireCreateSerializer = answers_create_serializer(
    "QuestionnaireCreateSerializer", QuestionnaireTiming.choices
)
