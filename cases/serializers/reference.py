from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    ReferenceCode,
)
from cases.serializers.record import _choice
from cases.services.reference import LOCAL_LISTS


class ReferenceCodeSerializer(serializers.ModelSerializer):
    national = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ReferenceCode
        fields = [
            "id",
            "code_list",
            "code",
            "label",
            "description",
            "effective_from",
            "effective_to",
            "version",
            "supersedes",
            "means_not_known",
            "national",
            "current",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_national(self, code):
        return code.partnership_id is None

    @extend_schema_field(serializers.BooleanField())
    def get_current(self, code):
        return code.is_current()


class ReferenceCodeCreateSerializer(serializers.Serializer):
    code_list = _choice(LOCAL_LISTS)
    code = serializers.CharField(max_length=30)
    label = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    effective_from = serializers.DateField(required=False)


class RelabelSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    effective_from = serializers.DateField(required=False)


class RetireSerializer(serializers.Serializer):
    effective_to = serializers.DateField(help_text="The first day the code is not offered.")
