"""Serializers for the crime-screen API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.importers.crime_screen import COLUMNS, MAX_UPLOAD_BYTES
from cases.models import (
    CodeList,
    CrimeScreenEntry,
    ImportRun,
    ReclassificationOutcome,
    ReferenceCode,
    ScreeningAction,
    ScreeningActionKind,
)
from cases.models.external import EXTERNAL_SOURCE_MAX
from cases.serializers.core import CodeField


class ScreeningActionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", read_only=True)
    requested_offence = serializers.CharField(
        source="requested_offence.code", read_only=True, allow_null=True, default=None
    )
    previous_offence = serializers.CharField(
        source="previous_offence.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Accepted reclassification: the code the crime had until then.",
    )
    decided_by = serializers.CharField(
        source="decided_by.full_name", read_only=True, allow_null=True, default=None
    )
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = ScreeningAction
        fields = [
            "id",
            "kind",
            "acted_at",
            "actor",
            "note",
            "reason",
            "requested_offence",
            "previous_offence",
            "reclassification_outcome",
            "decided_at",
            "decided_by",
        ]


class CrimeScreenEntrySerializer(serializers.ModelSerializer):
    offence_code = serializers.CharField(
        source="offence.code",
        read_only=True,
        help_text="The working code: the police system's, or an accepted reclassification.",
    )
    source_offence_code = serializers.CharField(
        source="police_system_offence.code",
        read_only=True,
        help_text="The code the police system last sent (updated by every import).",
    )
    reclassified = serializers.BooleanField(read_only=True)
    same_course_as = serializers.CharField(
        source="same_course_as.crime_reference", read_only=True, allow_null=True, default=None
    )
    screened = serializers.SerializerMethodField()
    # Gender values as plain strings (one enum name in the schema: the person's Gender).
    suspect_gender = serializers.CharField(read_only=True)
    victim_gender = serializers.CharField(read_only=True)
    disposal = serializers.CharField(
        source="disposal.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The Home Office outcome code the crime was disposed of with; null until "
        "the police system finalises it.",
    )
    disposal_label = serializers.CharField(
        source="disposal.label", read_only=True, allow_null=True, default=None
    )
    case = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    case_reference = serializers.CharField(
        source="case.reference", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = CrimeScreenEntry
        fields = [
            "id",
            "crime_reference",
            "recorded_on",
            "offence_code",
            "source_offence_code",
            "reclassified",
            "offence_description",
            "summary",
            "domestic_abuse",
            "officer_in_charge",
            "suspect_name",
            "suspect_date_of_birth",
            "suspect_gender",
            "victim_name",
            "victim_date_of_birth",
            "victim_gender",
            "location_area",
            "stalking_started_on",
            "stalking_ended_on",
            "disposal",
            "disposal_label",
            "disposal_on",
            "external_source",
            "external_id",
            "case",
            "case_reference",
            "screened",
            "screened_at",
            "same_course_as",
            "first_imported_at",
            "updated_at",
        ]

    def get_screened(self, entry) -> bool:
        return entry.screened_at is not None


class EntryDisposalSerializer(serializers.Serializer):
    """PATCH body of an entry: its disposal, both fields together (both null clears it)."""

    disposal = CodeField(
        CodeList.OUTCOME,
        on_field="disposal_on",
        allow_null=True,
        help_text='A Home Office outcome code (e.g. "16") in use on disposal_on.',
    )
    disposal_on = serializers.DateField(allow_null=True)


class CrimeScreenEntryDetailSerializer(CrimeScreenEntrySerializer):
    actions = ScreeningActionSerializer(many=True, read_only=True)

    class Meta(CrimeScreenEntrySerializer.Meta):
        fields = [*CrimeScreenEntrySerializer.Meta.fields, "actions"]


class ActionRecordSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ScreeningActionKind.choices), allow_empty=False
    )
    acted_on = serializers.DateField(required=False)
    requested_offence = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ReferenceCode.objects.none(),
        required=False,
        allow_null=True,
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def __init__(self, *args, offences=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offences is not None:
            self.fields["requested_offence"].queryset = offences


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ReclassificationOutcome.ACCEPTED, ReclassificationOutcome.REFUSED]
    )
    decided_on = serializers.DateField(required=False)


class ImportRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "source",
            "original_name",
            "external_source",
            "status",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "new_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ImportCreateSerializer(serializers.Serializer):
    """Either ``rows`` (a JSON list of objects keyed by the CSV columns) or ``file`` (CSV)."""

    rows = serializers.ListField(child=serializers.DictField(), required=False, allow_empty=False)
    file = serializers.FileField(required=False, allow_empty_file=True)
    external_source = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=EXTERNAL_SOURCE_MAX,
        help_text="The system the rows came from: the source of each row's external_id "
        "unless the row has its own external_source.",
    )

    def validate(self, data):
        if bool(data.get("rows")) == bool(data.get("file")):
            raise serializers.ValidationError(
                {
                    "rows": [
                        f"Send either rows (objects with keys {', '.join(COLUMNS)}) or a CSV file."
                    ]
                }
            )
        upload = data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                {"file": [f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB."]}
            )
        return data


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True})
class CaseIdOrReferenceField(serializers.Field):
    """A case's id (a JSON number) or its reference (text); null or blank: none."""

    default_error_messages = {"invalid": "Give the case's id (a number) or its reference."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, str):
            data = data.strip()
            if len(data) > 30:
                self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class EntryLinkCaseSerializer(serializers.Serializer):
    case = CaseIdOrReferenceField(
        allow_null=True,
        help_text="The id (a number) or reference (text) of a case you can see; null or "
        "blank unlinks.",
    )


def _person_default(person, name, date_of_birth, gender):
    from cases.forms.referrals import split_name

    if person is not None:
        return {"id": person.pk}
    given, family = split_name(name)
    if not family:
        return None
    details = {"given_names": given, "family_name": family, "gender": gender or ""}
    if date_of_birth:
        details["date_of_birth"] = date_of_birth.isoformat()
    return details


def referral_defaults(entry, *, source, received_on):
    """A referral's fields as the API takes them, filled in from a crime: what a caller
    does not send is taken from here."""
    from cases.forms.referrals import entry_reason

    return {
        "source": source.code if source else None,
        "received_on": received_on.isoformat(),
        "reason": entry_reason(entry),
        "perpetrator": _person_default(
            entry.suspect_person,
            entry.suspect_name,
            entry.suspect_date_of_birth,
            entry.suspect_gender,
        ),
        "victim": _person_default(
            entry.victim_person, entry.victim_name, entry.victim_date_of_birth, entry.victim_gender
        ),
    }
