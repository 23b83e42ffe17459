"""API: bulk batches per record kind (partnership admins): up to 1,000 rows, all or
nothing, idempotent by external id. Its own throttle scope, so a migration of thousands
of records is a few dozen calls, not thousands against the per-user limit."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.permissions import IsActiveMember
from imports import selectors, services
from imports.kinds import KINDS
from imports.models import ImportBatch
from imports.serializers import (
    BulkRequestSerializer,
    BulkResponseSerializer,
    ImportBatchSerializer,
)

KIND = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=list(KINDS), description="The record kind."
)


class PartnershipAdmin(BasePermission):
    message = "Only a partnership admin brings records in."

    def has_permission(self, request, view):
        return selectors.may_import(getattr(request, "membership", None))


class BulkViewSet(viewsets.ViewSet):
    permission_classes = [IsActiveMember, PartnershipAdmin]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "imports-bulk"

    @extend_schema(
        parameters=[KIND],
        request=BulkRequestSerializer,
        responses={200: BulkResponseSerializer},
        description="All rows or none. Row errors answer 400 with "
        '{"rows": [{"index", "external_id", "errors": {field: [messages]}}]}; '
        "a malformed body answers 400 keyed by field.",
    )
    def create(self, request, kind=None):
        if kind not in KINDS:
            raise NotFound("No such record kind.")
        body = BulkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            batch, results = services.bulk_apply(
                actor=request.user,
                membership=request.membership,
                kind=kind,
                source_system=body.validated_data["source_system"],
                rows=body.validated_data["rows"],
            )
        except services.BulkRejected as rejected:
            return Response({"rows": rejected.rows}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "batch": batch.pk,
                "created": batch.created_n,
                "updated": batch.updated_n,
                "unchanged": batch.unchanged_n,
                "results": results,
            }
        )


class ImportBatchViewSet(viewsets.GenericViewSet):
    """The partnership's import batches (uploads and bulk calls)."""

    permission_classes = [IsActiveMember, PartnershipAdmin]
    serializer_class = ImportBatchSerializer
    queryset = ImportBatch.objects.none()
    lookup_value_regex = r"\d+"

    def list(self, request):
        batches = selectors.batches_visible_to(request.membership)
        page = self.paginate_queryset(batches)
        return self.get_paginated_response(ImportBatchSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        batch = selectors.get_batch_or_404(request.membership, pk)
        return Response(ImportBatchSerializer(batch).data)
