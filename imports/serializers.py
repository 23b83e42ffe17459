from rest_framework import serializers

from imports.kinds import KINDS
from imports.services import MAX_BULK_ROWS


class BulkRequestSerializer(serializers.Serializer):
    source_system = serializers.CharField(max_length=40)
    rows = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=MAX_BULK_ROWS
    )


class BulkRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    id = serializers.IntegerField()


class BulkResponseSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = BulkRowResultSerializer(many=True)


class ImportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    source_system = serializers.CharField()
    stage = serializers.CharField()
    created_n = serializers.IntegerField()
    updated_n = serializers.IntegerField()
    unchanged_n = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    committed_at = serializers.DateTimeField(allow_null=True)
