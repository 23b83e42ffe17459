"""The published OpenAPI schema is true (issue 9, item 14).

``test_schema_is_valid`` always runs. The fuzzing test runs every API operation through
schemathesis with a bounded number of generated requests, signed in as a police
supervisor, and fails on any server error or any response that breaks the schema. It runs
when SCHEMATHESIS is set (the ``schema`` step of .ci/run; locally:
``SCHEMATHESIS=1 .venv/bin/python -m pytest tests/test_schema.py``); SCHEMATHESIS_EXAMPLES
sets the examples per operation (default 10).
"""

import json
import os

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.roles import Role

FUZZ = bool(os.environ.get("SCHEMATHESIS"))
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))


def _raw_schema():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def test_schema_is_valid():
    from drf_spectacular.validation import validate_schema

    validate_schema(_raw_schema())


class _App(WSGIHandler):
    """The project's WSGI app inside the test's transaction: no CSRF (the session stands
    in for a token) and no connection closing between requests (the test client's way)."""

    def get_response(self, request):
        request._dont_enforce_csrf_checks = True
        return super().get_response(request)

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


if FUZZ:
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_dict(_raw_schema())
    schema.app = _App()

    @pytest.fixture
    def session_cookie(world, client):
        client.force_login(world.members[Role.POLICE_SUPERVISOR].user)
        return f"sessionid={client.cookies['sessionid'].value}"

    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def test_every_operation_answers_within_its_schema(case, session_cookie):
        case.call_and_validate(
            headers={"Cookie": session_cookie},
            checks=[not_a_server_error, response_schema_conformance],
        )
