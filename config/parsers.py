"""The API's JSON parser: refuses control characters and bidi overrides anywhere in the
body (config.text) with a 400 keyed by the top-level field, before any view sees it."""

from rest_framework import exceptions, parsers

from config import text


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        found = text.problems_in(data)
        if found:
            raise exceptions.ValidationError(text.errors_for(found))
        return data
