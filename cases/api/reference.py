from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from cases.api.record import ID
from cases.models import (
    ReferenceCode,
)
from cases.selectors import reference as reference_selectors
from cases.serializers.reference import (
    ReferenceCodeCreateSerializer,
    ReferenceCodeSerializer,
    RelabelSerializer,
    RetireSerializer,
)
from cases.services import reference as reference_services


class ReferenceCodeViewSet(viewsets.GenericViewSet):
    """Reference codes for the caller's partnership: national and local, every version.
    `?code_list=typology` filters; `?current=true` gives only the codes offered today.
    Members read; the partnership admin adds, relabels and retires local codes. National
    codes change by migration only."""

    serializer_class = ReferenceCodeSerializer
    queryset = ReferenceCode.objects.none()
    lookup_value_regex = r"\d+"

    def _require_admin(self):
        if not can(self.request.membership, Cap.MANAGE_PARTNERSHIP):
            raise PermissionDenied("Only the partnership admin changes reference data.")

    @extend_schema(
        parameters=[
            OpenApiParameter("code_list", str, description="One list, e.g. closure_reason."),
            OpenApiParameter("current", bool, description="Only codes in use today."),
        ]
    )
    def list(self, request):
        membership = request.membership
        code_list = request.query_params.get("code_list", "")
        if request.query_params.get("current") in ("true", "1"):
            codes = (
                reference_selectors.current_codes(membership, code_list)
                if code_list
                else (reference_selectors.codes_for(membership).current())
            )
        else:
            codes = reference_selectors.codes_for(membership, code_list=code_list or None)
        page = self.paginate_queryset(codes)
        return self.get_paginated_response(ReferenceCodeSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        code = reference_selectors.get_code_or_404(request.membership, pk)
        return Response(ReferenceCodeSerializer(code).data)

    @extend_schema(request=ReferenceCodeCreateSerializer, responses={201: ReferenceCodeSerializer})
    def create(self, request):
        self._require_admin()
        serializer = ReferenceCodeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = reference_services.local_code_add(
            actor=request.user, membership=request.membership, **serializer.validated_data
        )
        return Response(ReferenceCodeSerializer(code).data, status=status.HTTP_201_CREATED)

    def _local(self, pk):
        self._require_admin()
        return reference_selectors.get_local_code_or_404(self.request.membership, pk)

    @extend_schema(
        parameters=[ID], request=RelabelSerializer, responses={201: ReferenceCodeSerializer}
    )
    @action(detail=True, methods=["post"])
    def relabel(self, request, pk=None):
        code = self._local(pk)
        serializer = RelabelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = reference_services.local_code_relabel(
            actor=request.user,
            membership=request.membership,
            code=code,
            **serializer.validated_data,
        )
        return Response(ReferenceCodeSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID], request=RetireSerializer, responses={200: ReferenceCodeSerializer}
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        code = self._local(pk)
        serializer = RetireSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = reference_services.local_code_retire(
            actor=request.user,
            membership=request.membership,
            code=code,
            **serializer.validated_data,
        )
        return Response(ReferenceCodeSerializer(code).data)


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
    router.register("reference-codes", ReferenceCodeViewSet, basename="reference-code")
