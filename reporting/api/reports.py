"""Report runs: start one, follow its status and progress, download its files. Managers,
police supervisors and partnership admins; research extracts only their requester and the
partnership admins (reporting.selectors.reports)."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.access import can
from accounts.permissions import IsActiveMember
from accounts.roles import Cap
from cases.pagination import CappedPagination
from reporting.models import ReportKind, ReportRun
from reporting.selectors import reports as selectors
from reporting.serializers.reports import ReportRunRequestSerializer, ReportRunSerializer
from reporting.services import reports as services


class MayRunReports(BasePermission):
    message = "Only managers, police supervisors and partnership admins run reports."

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        return membership is not None and can(membership, Cap.VIEW_REPORTS)


class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsActiveMember, MayRunReports]
    serializer_class = ReportRunSerializer
    pagination_class = CappedPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportRun.objects.none()
        return selectors.runs_visible_to(self.request.membership).prefetch_related("files")

    def get_object(self):
        return selectors.get_run_or_404(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=ReportRunRequestSerializer, responses={201: ReportRunSerializer})
    def create(self, request):
        """Start a report run; the job builds it. Poll the run for status and progress."""
        body = ReportRunRequestSerializer(
            data=request.data, partnership=request.membership.agency.partnership
        )
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = services.report_run_start(
            actor=request.user,
            membership=request.membership,
            kind=data["kind"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            local_area=data.get("local_area"),
            agency=data.get("agency"),
            parameters={"anchor": data["anchor"]}
            if data["kind"] == ReportKind.EVALUATION_PACK
            else {},
            purpose=data.get("purpose", ""),
        )
        return Response(ReportRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ReportRunSerializer})
    @action(detail=True, methods=["post"])
    def again(self, request, pk=None):
        """Run the same report again from today's records."""
        run = selectors.get_run_or_404(request.membership, pk)
        again = services.report_run_again(
            actor=request.user, membership=request.membership, run=run
        )
        return Response(ReportRunSerializer(again).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_pk>\d+)")
    def file(self, request, pk=None, file_pk=None):
        """Download one of the run's files (audited)."""
        report_file = selectors.get_file_or_404(request.membership, pk, file_pk)
        services.report_file_download(
            actor=request.user, membership=request.membership, report_file=report_file
        )
        return FileResponse(
            report_file.file.open("rb"),
            as_attachment=True,
            filename=report_file.name,
            content_type=report_file.content_type,
        )


def register(router):
    router.register("reports/runs", ReportRunViewSet, basename="report-run")
