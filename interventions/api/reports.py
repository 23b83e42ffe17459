"""API of an enrolment's end-of-intervention report (the delivering agency only): read the
draft, write it, send it, download the shareable PDF."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import Action
from audit.services import deny, record_event
from interventions.models import EndReport
from interventions.selectors import reports as report_selectors
from interventions.serializers.reports import EndReportSerializer, EndReportWriteSerializer
from interventions.services import reports as report_services
from interventions.views.reports import pdf_response

from .enrolments import ENROLMENT, OneObjectSchema, UnderEnrolment


class EndReportViewSet(UnderEnrolment, viewsets.GenericViewSet):
    schema = OneObjectSchema()
    serializer_class = EndReportSerializer
    queryset = EndReport.objects.none()
    pagination_class = None

    def _report_or_404(self, enrolment):
        report = report_selectors.report_of(enrolment)
        if report is None:
            deny(self.request.membership, kind=EndReport._meta.label, pk=enrolment.pk)
        return report

    @extend_schema(parameters=[ENROLMENT], responses={200: EndReportSerializer})
    def list(self, request, enrolment_pk=None):
        """The report (404 until one is written)."""
        enrolment = self._enrolment()
        report = self._report_or_404(enrolment)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=report,
            case=enrolment.case,
            detail={"api": True},
        )
        return Response(EndReportSerializer(report).data)

    @extend_schema(
        parameters=[ENROLMENT],
        request=EndReportWriteSerializer,
        responses={201: EndReportSerializer},
    )
    def create(self, request, enrolment_pk=None):
        """Write or rewrite the draft; errors on a rating are keyed ``outcomes.<code>``."""
        enrolment = self._enrolment()
        serializer = EndReportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_services.report_save(
            actor=request.user,
            membership=request.membership,
            enrolment=enrolment,
            **serializer.validated_data,
        )
        return Response(EndReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ENROLMENT], request=None, responses={200: EndReportSerializer})
    @action(detail=False, methods=["post"])
    def send(self, request, enrolment_pk=None):
        """Send the shareable part to the police and probation agencies on the case."""
        enrolment = self._enrolment()
        report = report_services.report_send(
            actor=request.user, membership=request.membership, enrolment=enrolment
        )
        return Response(EndReportSerializer(report).data)

    @extend_schema(
        parameters=[ENROLMENT], responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    @action(detail=False, methods=["get"])
    def pdf(self, request, enrolment_pk=None):
        """The shareable PDF (never the clinical notes)."""
        enrolment = self._enrolment()
        return pdf_response(request, self._report_or_404(enrolment), api=True)


def register(router):
    """Registers an enrolment's end report on the API router."""
    router.register(
        r"interventions/enrolments/(?P<enrolment_pk>\d+)/end-report",
        EndReportViewSet,
        basename="interventions-end-report",
    )
