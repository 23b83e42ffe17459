"""API of sessions."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import Action
from audit.services import record_event
from interventions.models import Session
from interventions.selectors import sessions as session_selectors
from interventions.serializers.sessions import (
    SessionAttendanceSerializer,
    SessionCancelSerializer,
    SessionCreateSerializer,
    SessionRescheduleSerializer,
    SessionSerializer,
)
from interventions.services import sessions as session_services

from .enrolments import ENROLMENT, ID, UnderEnrolment, _require_provider


class SessionViewSet(UnderEnrolment, viewsets.GenericViewSet):
    """The sessions of one enrolment delivered by the caller's agency, in date order."""

    serializer_class = SessionSerializer
    queryset = Session.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = None

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
        sessions = session_selectors.enrolment_sessions(enrolment)
        return Response(SessionSerializer(sessions, many=True).data)

    @extend_schema(
        parameters=[ENROLMENT], request=SessionCreateSerializer, responses={201: SessionSerializer}
    )
    def create(self, request, enrolment_pk=None):
        enrolment = self._enrolment()
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_services.session_schedule(
            actor=request.user,
            membership=request.membership,
            enrolment=enrolment,
            **serializer.validated_data,
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def _write(self, request, enrolment_pk, pk, serializer_class, service):
        membership = request.membership
        _require_provider(membership)
        session = session_selectors.get_session_or_404(membership, pk, enrolment_pk=enrolment_pk)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = service(
            actor=request.user, membership=membership, session=session, **serializer.validated_data
        )
        return Response(SessionSerializer(session).data)

    @extend_schema(
        parameters=[ENROLMENT, ID],
        request=SessionAttendanceSerializer,
        responses={200: SessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, enrolment_pk=None, pk=None):
        return self._write(
            request,
            enrolment_pk,
            pk,
            SessionAttendanceSerializer,
            session_services.attendance_record,
        )

    @extend_schema(
        parameters=[ENROLMENT, ID],
        request=SessionRescheduleSerializer,
        responses={200: SessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, enrolment_pk=None, pk=None):
        """Move a scheduled session: answers the new session; the old one is superseded."""
        return self._write(
            request,
            enrolment_pk,
            pk,
            SessionRescheduleSerializer,
            session_services.session_reschedule,
        )

    @extend_schema(
        parameters=[ENROLMENT, ID],
        request=SessionCancelSerializer,
        responses={200: SessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, enrolment_pk=None, pk=None):
        """Cancel a scheduled session with a coded reason."""
        return self._write(
            request, enrolment_pk, pk, SessionCancelSerializer, session_services.session_cancel
        )


def register(router):
    """Registers an enrolment's sessions on the API router."""
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/sessions",
        SessionViewSet,
        basename="interventions-session",
    )
