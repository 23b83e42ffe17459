"""Serializers of eligibility."""

from rest_framework import serializers

from interventions.models import (
    CriterionAnswer,
    EligibilityAssessment,
    EligibilityCriterion,
    EligibilityOutcome,
    Pathway,
)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EligibilityCriterion
        fields = ["code", "label"]
        read_only_fields = fields


class EligibilityAssessmentSerializer(serializers.ModelSerializer):
    answers = serializers.DictField(child=serializers.ChoiceField(CriterionAnswer.choices))
    assessed_by = serializers.CharField(source="assessed_by.full_name", read_only=True)

    class Meta:
        model = EligibilityAssessment
        fields = ["answers", "outcome", "ineligible_reason", "assessed_on", "assessed_by"]
        read_only_fields = fields


class EligibilitySerializer(serializers.Serializer):
    """The programme's checklist and the enrolment's assessment (null until recorded)."""

    criteria = CriterionSerializer(many=True, read_only=True)
    assessment = EligibilityAssessmentSerializer(read_only=True, allow_null=True)
    pathway = serializers.CharField(read_only=True)


class EligibilityRecordSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ChoiceField(CriterionAnswer.choices),
        help_text="{criterion code: met | not_met | not_known}, every criterion answered.",
    )
    outcome = serializers.ChoiceField(EligibilityOutcome.choices)
    ineligible_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )
    assessed_on = serializers.DateField()
    pathway = serializers.ChoiceField(
        [("", "Not given"), *Pathway.choices], required=False, default=""
    )
