"""API for psychometric measures of an enrolment: list and record (the clinical
compartment: 403 outside a health agency delivering interventions, 404 and a denial row
for another agency's enrolment; reads audited)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from audit.models import Action
from audit.services import record_event
from interventions.api.enrolments import ENROLMENT, _require_provider
from interventions.models import Measure
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import measures as selectors
from interventions.serializers.measures import (
    PsychometricMeasureCreateSerializer,
    PsychometricMeasureSerializer,
)
from interventions.services import measures as services
from risk.api import ItemKeyedErrors


class MeasureViewSet(viewsets.GenericViewSet):
    """The measures of one enrolment delivered by the caller's agency."""

    serializer_class = PsychometricMeasureSerializer
    queryset = Measure.objects.none()
    pagination_class = None

    def _enrolment(self):
        membership = self.request.membership
        _require_provider(membership)
        return enrolment_selectors.get_enrolment_or_404(membership, self.kwargs["enrolment_pk"])

    @extend_schema(parameters=[ENROLMENT])
    def list(self, request, enrolment_pk=None):
        enrolment = self._enrolment()
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=enrolment,
            case=enrolment.case,
            detail={"api": "measures"},
        )
        measures = selectors.enrolment_measures(enrolment)
        return Response(PsychometricMeasureSerializer(measures, many=True).data)

    @extend_schema(
        parameters=[ENROLMENT],
        request=PsychometricMeasureCreateSerializer,
        responses={201: PsychometricMeasureSerializer},
    )
    def create(self, request, enrolment_pk=None):
        membership = request.membership
        enrolment = self._enrolment()
        serializer = PsychometricMeasureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instruments = selectors.programme_measures(membership, enrolment.programme)
        instrument = {i.pk: i for i in instruments}.get(data["instrument"])
        if instrument is None:
            raise ValidationError({"instrument": ["Choose a measure this programme takes."]})
        with ItemKeyedErrors():
            measure = services.measure_record(
                actor=request.user,
                membership=membership,
                enrolment=enrolment,
                instrument=instrument,
                timing=data["timing"],
                taken_on=data["taken_on"],
                answers=data["answers"],
            )
        return Response(PsychometricMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


def register(router):
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/measures",
        MeasureViewSet,
        basename="interventions-measure",
    )
