"""API of programmes."""

from rest_framework import viewsets
from rest_framework.response import Response

from interventions.models import Programme
from interventions.selectors import programmes as programme_selectors
from interventions.serializers.programmes import ProgrammeSerializer


class ProgrammeViewSet(viewsets.GenericViewSet):
    """The programmes of the caller's partnership: national ones and its own."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()
    pagination_class = None

    def list(self, request):
        programmes = programme_selectors.programmes_visible_to(request.membership)
        return Response(ProgrammeSerializer(programmes, many=True).data)


def register(router):
    """Registers programmes on the API router."""
    router.register(
        "interventions/programmes", ProgrammeViewSet, basename="interventions-programme"
    )
