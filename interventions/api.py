"""API for programmes, enrolments and sessions: the clinical compartment.

Programmes are reference data any member may list. Enrolments and sessions: the role and
agency are checked first (403 for anyone outside a health agency that delivers
interventions, saying nothing about any record); enrolments are found through
interventions.selectors (404 and a denial row outside the member's agency); writes go
through interventions.services, whose ValidationErrors become field-keyed 400s
(config/api_errors.py). Every read of the compartment is audited."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can_work_interventions
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPagination
from interventions import selectors, services
from interventions.models import Enrolment, EnrolmentStatus, Programme, Session
from interventions.serializers import (
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    ProgrammeSerializer,
    SessionAttendanceSerializer,
    SessionCreateSerializer,
    SessionSerializer,
)

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ENROLMENT = OpenApiParameter("enrolment_pk", int, OpenApiParameter.PATH)
STATUS = OpenApiParameter("status", str, enum=EnrolmentStatus.values, description="Derived status.")


def _require_provider(membership):
    if not can_work_interventions(membership):
        raise PermissionDenied("Only clinicians of a health agency use this.")


class ProgrammeViewSet(viewsets.GenericViewSet):
    """The programmes of the caller's partnership: national ones and its own."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()
    pagination_class = None

    def list(self, request):
        programmes = selectors.programmes_visible_to(request.membership)
        return Response(ProgrammeSerializer(programmes, many=True).data)


class EnrolmentViewSet(viewsets.GenericViewSet):
    """Enrolments delivered by the caller's health agency."""

    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedCountPagination

    @extend_schema(parameters=[STATUS])
    def list(self, request):
        membership = request.membership
        _require_provider(membership)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in EnrolmentStatus.values:
            raise ValidationError(
                {"status": [f"Choose one of {', '.join(EnrolmentStatus.values)}."]}
            )
        enrolments = selectors.caseload(membership, status=wanted).prefetch_related("sessions")
        page = self.paginate_queryset(enrolments)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "interventions-enrolments", "count": len(page)},
        )
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        membership = request.membership
        _require_provider(membership)
        enrolment = selectors.get_enrolment_or_404(membership, pk)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=enrolment,
            case=enrolment.case,
            detail={"api": True},
        )
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer})
    def create(self, request):
        membership = request.membership
        _require_provider(membership)
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        errors = {}
        party = selectors.party_in_partnership(membership, data["party"])
        if party is None:
            errors["party"] = ["Choose a perpetrator or victim on a case shared with your agency."]
        programme = selectors.programme_for(membership, data["programme"])
        if programme is None:
            errors["programme"] = ["Choose a programme."]
        practitioner = None
        if data["practitioner"] is not None:
            practitioner = (
                selectors.clinicians_of_agency(membership).filter(pk=data["practitioner"]).first()
            )
            if practitioner is None:
                errors["practitioner"] = ["Choose a clinician in your agency."]
        if errors:
            raise ValidationError(errors)
        enrolment = services.enrolment_refer(
            actor=request.user,
            membership=membership,
            party=party,
            programme=programme,
            pathway=data["pathway"],
            referred_on=data["referred_on"],
            planned_sessions=data["planned_sessions"],
            practitioner=practitioner,
        )
        enrolment = selectors.get_enrolment_or_404(membership, enrolment.pk)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class SessionViewSet(viewsets.GenericViewSet):
    """The sessions of one enrolment delivered by the caller's agency, in date order."""

    serializer_class = SessionSerializer
    queryset = Session.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = None

    def _enrolment(self):
        membership = self.request.membership
        _require_provider(membership)
        return selectors.get_enrolment_or_404(membership, self.kwargs["enrolment_pk"])

    @extend_schema(parameters=[ENROLMENT])
    def list(self, request, enrolment_pk=None):
        enrolment = self._enrolment()
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=enrolment,
            case=enrolment.case,
            detail={"api": "sessions"},
        )
        sessions = selectors.enrolment_sessions(enrolment)
        return Response(SessionSerializer(sessions, many=True).data)

    @extend_schema(
        parameters=[ENROLMENT], request=SessionCreateSerializer, responses={201: SessionSerializer}
    )
    def create(self, request, enrolment_pk=None):
        enrolment = self._enrolment()
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_schedule(
            actor=request.user,
            membership=request.membership,
            enrolment=enrolment,
            **serializer.validated_data,
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ENROLMENT, ID],
        request=SessionAttendanceSerializer,
        responses={200: SessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, enrolment_pk=None, pk=None):
        membership = request.membership
        _require_provider(membership)
        session = selectors.get_session_or_404(membership, pk, enrolment_pk=enrolment_pk)
        serializer = SessionAttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.attendance_record(
            actor=request.user, membership=membership, session=session, **serializer.validated_data
        )
        return Response(SessionSerializer(session).data)


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register(
        "interventions/programmes", ProgrammeViewSet, basename="interventions-programme"
    )
    router.register(
        "interventions/enrolments", EnrolmentViewSet, basename="interventions-enrolment"
    )
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/sessions",
        SessionViewSet,
        basename="interventions-session",
    )
