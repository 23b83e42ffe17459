"""REST shapes for psychometric measures (the clinical compartment: only the provider
agency's members ever get them)."""

from interventions.models import Measure, MeasureTiming
from risk.serializers import (
    ANSWERS_FIELDS,
    InstrumentAnswersSerializer,
    answers_create_serializer,
)


class PsychometricMeasureSerializer(InstrumentAnswersSerializer):
    class Meta:
        model = Measure
        fields = ["id", "enrolment", *ANSWERS_FIELDS]
        read_only_fields = fields


PsychometricMeasureCreateSerializer = answers_create_serializer(
    "PsychometricMeasureCreateSerializer", MeasureTiming.choices
)
