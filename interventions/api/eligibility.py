"""API of an enrolment's eligibility checklist: read the programme's criteria and the
assessment; record it (the compartment's API: the delivering agency only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from audit.models import Action
from audit.services import record_event
from interventions.models import EligibilityAssessment
from interventions.selectors import eligibility as eligibility_selectors
from interventions.serializers.eligibility import (
    EligibilityRecordSerializer,
    EligibilitySerializer,
)
from interventions.services import eligibility as eligibility_services

from .enrolments import ENROLMENT, OneObjectSchema, UnderEnrolment


class EligibilityViewSet(UnderEnrolment, viewsets.GenericViewSet):
    schema = OneObjectSchema()
    serializer_class = EligibilitySerializer
    queryset = EligibilityAssessment.objects.none()
    pagination_class = None

    def _body(self, enrolment):
        return EligibilitySerializer(
            {
                "criteria": eligibility_selectors.criteria_of(enrolment.programme),
                "assessment": eligibility_selectors.eligibility_of(enrolment),
                "pathway": enrolment.pathway,
            }
        ).data

    @extend_schema(parameters=[ENROLMENT], responses={200: EligibilitySerializer})
    def list(self, request, enrolment_pk=None):
        """The programme's checklist and the enrolment's assessment."""
        enrolment = self._enrolment()
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=enrolment,
            case=enrolment.case,
            detail={"api": "eligibility"},
        )
        return Response(self._body(enrolment))

    @extend_schema(
        parameters=[ENROLMENT],
        request=EligibilityRecordSerializer,
        responses={201: EligibilitySerializer},
    )
    def create(self, request, enrolment_pk=None):
        """Record (or record again) the checklist and outcome; errors on an answer are keyed
        ``answers.<criterion code>``."""
        enrolment = self._enrolment()
        serializer = EligibilityRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        eligibility_services.eligibility_record(
            actor=request.user,
            membership=request.membership,
            enrolment=enrolment,
            **serializer.validated_data,
        )
        enrolment.refresh_from_db(fields=["pathway"])
        return Response(self._body(enrolment), status=status.HTTP_201_CREATED)


def register(router):
    """Registers an enrolment's eligibility on the API router."""
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/eligibility",
        EligibilityViewSet,
        basename="interventions-eligibility",
    )
