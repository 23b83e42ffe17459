"""API of programmes: any member lists them; the partnership admin adds and changes the
partnership's local programmes (national ones are read-only: 404 to a change)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from interventions.models import Programme
from interventions.selectors import programmes as programme_selectors
from interventions.serializers.programmes import ProgrammeSerializer, ProgrammeWriteSerializer
from interventions.services import programmes as programme_services

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _require_admin(membership):
    if not can(membership, Cap.MANAGE_PARTNERSHIP):
        raise PermissionDenied("Only the partnership admin changes programmes.")


class ProgrammeViewSet(viewsets.GenericViewSet):
    """The programmes of the caller's partnership: national ones and its own."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()
    pagination_class = None
    lookup_value_regex = r"\d+"

    def list(self, request):
        programmes = programme_selectors.programmes_visible_to(request.membership)
        return Response(
            ProgrammeSerializer(programmes.prefetch_related("eligibility_criteria"), many=True).data
        )

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        programme = programme_selectors.get_programme_or_404(request.membership, pk)
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(request=ProgrammeWriteSerializer, responses={201: ProgrammeSerializer})
    def create(self, request):
        """Add a local programme (the partnership admin)."""
        _require_admin(request.membership)
        serializer = ProgrammeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = programme_services.programme_add(
            actor=request.user, membership=request.membership, **serializer.validated_data
        )
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID], request=ProgrammeWriteSerializer, responses={200: ProgrammeSerializer}
    )
    def update(self, request, pk=None):
        """Change a local programme (the partnership admin); the code never changes."""
        _require_admin(request.membership)
        programme = programme_selectors.get_local_programme_or_404(request.membership, pk)
        serializer = ProgrammeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("code", None)
        programme = programme_services.programme_edit(
            actor=request.user, membership=request.membership, programme=programme, **values
        )
        return Response(ProgrammeSerializer(programme).data)


def register(router):
    """Registers programmes on the API router."""
    router.register(
        "interventions/programmes", ProgrammeViewSet, basename="interventions-programme"
    )
