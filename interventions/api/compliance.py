"""API of compliance flags: the flags sent for an enrolment, and flagging a session for the
police officer in charge and the probation officers (the delivering agency only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from interventions.models import ComplianceFlag
from interventions.selectors import sessions as session_selectors
from interventions.serializers.compliance import (
    ComplianceFlagCreateSerializer,
    ComplianceFlagSerializer,
)
from interventions.services import compliance as compliance_services

from .enrolments import ENROLMENT, UnderEnrolment


class ComplianceFlagViewSet(UnderEnrolment, viewsets.GenericViewSet):
    serializer_class = ComplianceFlagSerializer
    queryset = ComplianceFlag.objects.none()
    pagination_class = None

    @extend_schema(parameters=[ENROLMENT])
    def list(self, request, enrolment_pk=None):
        enrolment = self._enrolment()
        flags = ComplianceFlag.objects.filter(enrolment=enrolment).order_by("-raised_at", "-pk")
        return Response(ComplianceFlagSerializer(flags, many=True).data)

    @extend_schema(
        parameters=[ENROLMENT],
        request=ComplianceFlagCreateSerializer,
        responses={201: ComplianceFlagSerializer},
    )
    def create(self, request, enrolment_pk=None):
        """Flag a recorded session: an urgent notification to the police officer in charge
        and the probation officers on the case, a disclosure row per agency."""
        enrolment = self._enrolment()
        serializer = ComplianceFlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = (
            session_selectors.sessions_visible_to(request.membership)
            .filter(enrolment=enrolment, pk=data["session"])
            .select_related("enrolment__case")
            .first()
        )
        if session is None:
            raise ValidationError({"session": ["Choose a session of this enrolment."]})
        flag = compliance_services.flag_raise(
            actor=request.user,
            membership=request.membership,
            session=session,
            kind=data["kind"],
            indicators=data["indicators"],
        )
        return Response(ComplianceFlagSerializer(flag).data, status=status.HTTP_201_CREATED)


def register(router):
    """Registers an enrolment's compliance flags on the API router."""
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/compliance-flags",
        ComplianceFlagViewSet,
        basename="interventions-compliance-flag",
    )
