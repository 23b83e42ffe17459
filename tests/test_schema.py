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
from collections import Counter

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from accounts.roles import Role

STATUSES = Counter()
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


def test_schema_admits_what_responses_hold():
    """The ways responses broke the schema before: blank choices, nulls, local times."""
    import re

    from config.api_schema import TIME_PATTERN

    schemas = _raw_schema()["components"]["schemas"]
    discussion = schemas["Discussion"]["properties"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in discussion["tier"]["oneOf"]
    assert schemas["Order"]["properties"]["protected"].get("nullable") is True
    assert schemas["ReferenceCode"]["properties"]["supersedes"].get("nullable") is True
    starts_at = schemas["Clinic"]["properties"]["starts_at"]
    assert "format" not in starts_at and starts_at["pattern"] == TIME_PATTERN
    assert re.match(TIME_PATTERN, "10:00:00") and re.match(TIME_PATTERN, "09:30")
    assert not re.match(TIME_PATTERN, "24:00")


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

    # Who calls each part of the API: the role that does that work, so generated requests
    # get past the capability checks and reach the services.
    CALLERS = {
        "screening-": Role.INVESTIGATOR,
        "risk": Role.CLINICIAN,
        "reference-codes": Role.PARTNERSHIP_ADMIN,
        "people": Role.CLINIC_CHAIR,
        "advocacy": Role.ADVOCATE,
        "interventions": Role.CLINICIAN,
        # The officer in charge of the world's own case: owns its victim notifications.
        "victim-notifications": Role.INVESTIGATOR,
    }

    def _caller(path):
        resource = path.split("/")[3]
        for prefix, role in CALLERS.items():
            if resource.startswith(prefix):
                return role
        return Role.CLINIC_CHAIR

    @pytest.fixture
    def fuzz_world(world):
        """The shared world plus one of everything the API serves, so that generated ids
        often name real objects (see _real_ids) and responses carry real data, nulls and
        blanks included."""
        from tests.factories import make_referral
        from tests.factories_record import make_breach, make_order, make_outcome
        from tests.factories_risk import make_assessment
        from tests.factories_screening import CrimeScreenEntryFactory
        from tests.factories_triage import (
            ActionFactory,
            AgendaItemFactory,
            CaseDiscussionFactory,
            ClinicFactory,
            MeetingFactory,
        )

        chair = world.members[Role.CLINIC_CHAIR]
        clinic = ClinicFactory(partnership=world.partnership, chair=chair.user)
        meeting = MeetingFactory(clinic=clinic)
        for case in (world.own_case, world.health_case, world.advocacy_case):
            AgendaItemFactory(meeting=meeting, case=case)
            CaseDiscussionFactory(case=case, meeting=meeting, recorded_by=chair.user)
            ActionFactory(case=case, owner_agency=world.agencies["police"], created_by=chair.user)
        make_referral(world.members[Role.INVESTIGATOR], case=world.own_case)
        make_referral(world.members[Role.INVESTIGATOR])
        CrimeScreenEntryFactory(partnership=world.partnership)
        make_assessment(world.own_case, world.members[Role.CLINICIAN])
        order = make_order(world.own_case, subject=world.perpetrator.person)
        make_breach(order)
        make_outcome(world.own_case, person=world.perpetrator.person)
        from cases.services.events import case_event_record

        investigator = world.members[Role.INVESTIGATOR]
        case_event_record(
            actor=investigator.user,
            membership=investigator,
            case=world.own_case,
            perpetrator=world.perpetrator.person,
            kind="arrested",
            occurred_at=timezone.now(),
        )
        from tests.factories_advocacy import start_episode

        advocate = world.members[Role.ADVOCATE]
        episode = start_episode(advocate, world.advocacy_case)
        from advocacy.services.episodes import contact_log

        contact_log(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            at=timezone.now(),
            channel="phone",
            direction="outgoing",
            made=True,
            summary="First call: safe to talk.",
        )
        from advocacy.models import RiskUpdate, RiskUpdateRecipient

        update = RiskUpdate.objects.create(
            partnership=world.partnership,
            case=world.advocacy_case,
            episode=episode,
            what_changed="Calls have resumed.",
            risk_level="high",
            urgency="urgent",
            lawful_basis="safeguarding",
            submitted_by=advocate.user,
        )
        RiskUpdateRecipient.objects.create(risk_update=update, agency=world.agencies["health"])
        from tests.factories_interventions import Attendance, enrolment_with_sessions

        clinician = world.members[Role.CLINICIAN]
        enrolment = enrolment_with_sessions(
            clinician, world.health_case, [Attendance.ATTENDED_ENGAGED, Attendance.LATE]
        )
        from tests.factories_advocacy import answer_questionnaire
        from tests.factories_interventions import take_measure

        take_measure(clinician, enrolment, timing="pre", taken_on=enrolment.referred_on)
        answer_questionnaire(advocate, episode, timing="start")
        # An ended enrolment with a compliance flag and a sent end report.
        from interventions.services import compliance as compliance_services
        from interventions.services import reports as report_services

        police = world.members[Role.INVESTIGATOR]
        police_case = world.own_case  # the officer in charge is set
        from cases.services.core import case_share

        case_share(
            actor=police.user,
            membership=police,
            case=police_case,
            agency=world.agencies["health"],
            reason="Intervention",
        )
        ended = enrolment_with_sessions(
            clinician, police_case, [Attendance.ATTENDED_NOT_ENGAGED] * 4, planned_sessions=4
        )
        me = {"actor": clinician.user, "membership": clinician}
        compliance_services.flag_raise(**me, session=ended.sessions.first(), kind="poor_engagement")
        report_services.report_save(
            **me, enrolment=ended, outcomes={"overall": "partly"}, summary="Completed."
        )
        report_services.report_send(**me, enrolment=ended)
        return world

    @pytest.fixture
    def api_tokens(fuzz_world):
        """Real personal tokens (the API's first authentication class), one per caller, so
        generated requests get past authentication."""
        from accounts.services import token_issue

        tokens = {}
        for role in {*CALLERS.values(), Role.CLINIC_CHAIR}:
            user = fuzz_world.members[role].user
            tokens[role] = token_issue(actor=user, user=user, name="schemathesis", days=1)[1]
        return tokens

    def _real_ids(case):
        """Half the generated integer ids become ids of real rows (the rest stay as made),
        chosen from the case's own values so the run stays deterministic."""
        from django.apps import apps

        params = case.path_parameters or {}
        for name, value in params.items():
            if not isinstance(value, int) or value % 2:
                continue
            model = _model_for(case.path, name)
            if model is None:
                continue
            ids = list(apps.get_model(model).objects.order_by("pk").values_list("pk", flat=True))
            if ids:
                params[name] = ids[value // 2 % len(ids)]
        if isinstance(case.body, dict):
            for name, value in case.body.items():
                model = BODY_IDS.get(name)
                if model and isinstance(value, int) and not value % 2:
                    ids = list(
                        apps.get_model(model).objects.order_by("pk").values_list("pk", flat=True)
                    )
                    case.body[name] = ids[value // 2 % len(ids)] if ids else value

    MODELS = {
        "actions": "triage.Action",
        "advocacy/episodes": "advocacy.SupportEpisode",
        "advocacy/referrals": "advocacy.AdvocacyReferral",
        "interventions/enrolments": "interventions.Enrolment",
        "interventions/programmes": "interventions.Programme",
        "agenda-items": "triage.AgendaItem",
        "case-records": "cases.Case",
        "cases": "cases.Case",
        "clinics": "triage.Clinic",
        "meetings": "triage.Meeting",
        "notifications": "reporting.Notification",
        "people": "cases.Person",
        "reference-codes": "cases.ReferenceCode",
        "referrals": "cases.Referral",
        "risk/assessments": "risk.Assessment",
        "risk/instruments": "risk.Instrument",
        "screening-actions": "cases.ScreeningAction",
        "screening-entries": "cases.CrimeScreenEntry",
        "screening-imports": "cases.ImportRun",
        "victim-notifications": "cases.VictimNotification",
    }
    BODY_IDS = {
        "case": "cases.Case",
        "case_id": "cases.Case",
        "meeting": "triage.Meeting",
        "agenda_item": "triage.AgendaItem",
        "owner_agency": "accounts.Agency",
        "lead_agency": "accounts.Agency",
        "agency": "accounts.Agency",
        "owner": "accounts.User",
        "person": "cases.Person",
        "person_id": "cases.Person",
        "subject": "cases.Person",
        "perpetrator": "cases.Person",
        "protected": "cases.Person",
        "keep": "cases.Person",
        "duplicate": "cases.Person",
        "instrument_version": "risk.InstrumentVersion",
        "instrument": "risk.Instrument",
        "clinic": "triage.Clinic",
        "victim": "cases.CaseParty",
        "party": "cases.CaseParty",
        "programme": "interventions.Programme",
        "session": "interventions.Session",
        "practitioner": "accounts.User",
        "advocate": "accounts.User",
        "incident_perpetrator": "cases.CaseParty",
    }
    NESTED = {
        "case_pk": "cases.Case",
        "meeting_pk": "triage.Meeting",
        "file_pk": "triage.MinutesFile",
        "episode_pk": "advocacy.SupportEpisode",
        "enrolment_pk": "interventions.Enrolment",
    }

    def _model_for(path, name):
        if name in NESTED:
            return NESTED[name]
        if "/sessions/{id}" in path:
            return "interventions.Session"
        if "/target-hardening/{id}" in path:
            return "advocacy.TargetHardening"
        if "/orders/{id}" in path:
            return "cases.ProtectiveOrder"
        resource = path.removeprefix("/api/v1/").split("/{")[0]
        return MODELS.get(resource)

    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def test_every_operation_answers_within_its_schema(case, api_tokens):
        from django.core.cache import caches

        # The throttle would answer 429 to most of a fuzzing run; each request starts afresh.
        for cache in caches.all():
            cache.clear()
        _real_ids(case)
        token = api_tokens[_caller(case.path)]
        response = case.call(headers={"Authorization": f"Token {token}"})
        STATUSES[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def status_totals():
    """Responses by status code, printed after the run by tests/conftest.py."""
    if not FUZZ or not STATUSES:
        return ""
    by_status = ", ".join(f"{code}: {count}" for code, count in sorted(STATUSES.items()))
    return f"schemathesis: {STATUSES.total()} requests; by status {by_status}"
