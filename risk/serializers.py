"""REST shapes for instruments and assessments. Validation of answers, levels and
reasons is the services' job; their ValidationErrors become field-keyed 400s."""

from rest_framework import serializers

from risk.models import Assessment, HistoricLevel, Instrument, InstrumentVersion, RiskLevel


class InstrumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstrumentVersion
        fields = ["id", "version", "effective_from", "definition", "item_wording"]


class InstrumentSerializer(serializers.ModelSerializer):
    local = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = ["id", "code", "name", "description", "active", "local", "current_version"]

    def get_local(self, obj) -> bool:
        return obj.partnership_id is not None

    def get_current_version(self, obj) -> int | None:
        current = getattr(obj, "current", None)
        return current.version if current else None


class InstrumentDetailSerializer(InstrumentSerializer):
    current = InstrumentVersionSerializer(read_only=True)
    versions = serializers.SerializerMethodField()

    class Meta(InstrumentSerializer.Meta):
        fields = [*InstrumentSerializer.Meta.fields, "current", "versions"]

    def get_versions(self, obj) -> list[dict]:
        return [
            {"version": v.version, "effective_from": v.effective_from}
            for v in obj.versions.order_by("-version")
        ]


class AssessmentSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument_version.instrument.code")
    instrument_name = serializers.CharField(source="instrument_version.instrument.name")
    version = serializers.IntegerField(source="instrument_version.version")
    assessor = serializers.CharField(source="assessor.full_name")
    agency = serializers.CharField(source="agency.name")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "instrument",
            "instrument_name",
            "version",
            "subject",
            "assessor",
            "agency",
            "meeting",
            "assessed_on",
            "status",
            "answers",
            "result",
            "computed_level",
            "override_level",
            "override_reason",
            "level",
            "review_due_on",
            "historic",
            "recorded_level",
            "note",
            "external_source",
            "external_id",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields


class ExternalIdFields(serializers.Serializer):
    external_source = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The earlier system."
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The id there; unique per partnership and source.",
    )


class AssessmentCreateSerializer(ExternalIdFields):
    case = serializers.IntegerField()
    instrument = serializers.CharField(help_text="The instrument's code, e.g. dash.")
    subject = serializers.IntegerField(required=False, allow_null=True, help_text="A person id.")
    meeting = serializers.IntegerField(required=False, allow_null=True)
    answers = serializers.DictField(required=False, help_text="{item code: answer}")
    assessed_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="A date in the past that the assessment keeps when completed.",
    )


class AssessmentUpdateSerializer(serializers.Serializer):
    answers = serializers.DictField(required=False, help_text="Drafts only: {item code: answer}")
    meeting = serializers.IntegerField(required=False, allow_null=True)
    review_due_on = serializers.DateField(required=False, help_text="Complete ones only.")
    external_source = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True)


class AssessmentCompleteSerializer(serializers.Serializer):
    answers = serializers.DictField(
        required=False, help_text="Replaces the saved answers when given."
    )
    review_due_on = serializers.DateField(required=False, allow_null=True)
    assessed_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The assessment's date (default: the draft's own past date, else today); "
        "the review date is counted from it.",
    )
    meeting = serializers.IntegerField(required=False, allow_null=True)
    override_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True
    )
    override_reason = serializers.CharField(required=False, allow_blank=True)


class HistoricRatingSerializer(ExternalIdFields):
    """A rating recorded before this system: a level, no item answers."""

    case = serializers.IntegerField()
    instrument = serializers.CharField(help_text="The instrument's code, e.g. sash.")
    subject = serializers.IntegerField(required=False, allow_null=True, help_text="A person id.")
    assessed_on = serializers.DateField()
    recorded_level = serializers.ChoiceField(choices=HistoricLevel.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OverrideSerializer(serializers.Serializer):
    override_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ScaleScoreSerializer(serializers.Serializer):
    """One scale of a measure's or questionnaire's result (risk.scoring, method "scales")."""

    label = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    answered = serializers.IntegerField()
    items = serializers.IntegerField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    higher = serializers.CharField()


class InstrumentAnswersSerializer(serializers.ModelSerializer):
    """The shape of a measure or questionnaire (risk.models.InstrumentAnswers); a subclass
    names its model and adds its own fields (``ANSWERS_FIELDS`` plus what it is about)."""

    instrument_code = serializers.CharField(source="instrument.code", read_only=True)
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    version = serializers.IntegerField(source="instrument_version.version", read_only=True)
    scales = serializers.DictField(
        child=ScaleScoreSerializer(), source="result.scales", read_only=True
    )
    answers = serializers.DictField(child=serializers.CharField(), read_only=True)


ANSWERS_FIELDS = [
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


def answers_create_serializer(name, timings):
    """The body that records a measure or questionnaire with the given timing choices."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "instrument": serializers.IntegerField(help_text="The instrument's id."),
            "timing": serializers.ChoiceField(choices=timings),
            "taken_on": serializers.DateField(),
            "answers": serializers.DictField(
                child=serializers.CharField(allow_blank=True), help_text="{item code: answer}"
            ),
        },
    )
