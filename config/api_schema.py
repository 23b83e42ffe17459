"""The OpenAPI schema as the API really answers (issue 9, item 14; checked by schemathesis
in tests/test_schema.py)."""

import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

# "HH:MM" or "HH:MM:SS": JSON Schema's "time" format demands a time-zone offset, which a
# clinic's local start time has never had.
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and _read_only_blank_choice(field):
            # DRF drops allow_blank from read-only model fields, yet they are read back as "".
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _read_only_blank_choice(field):
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if not field.read_only or model is None or not re.fullmatch(r"\w+", field.source or ""):
        return False
    try:
        return model._meta.get_field(field.source).blank
    except Exception:  # a property or an annotation, not a model field
        return False


def local_times(result, generator, request, public):
    """Postprocessing hook: every "time" becomes a local time of day by pattern."""
    for schema in _walk(result):
        if schema.get("type") == "string" and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = TIME_PATTERN
    return result


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
