"""API of risk updates: the holding agency's list and submission per episode, and the
updates disclosed to the caller's agency on a case."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from advocacy.models import RiskUpdate
from advocacy.selectors import disclosures as disclosure_selectors
from advocacy.serializers.disclosures import RiskUpdateCreateSerializer, RiskUpdateSerializer
from advocacy.services import disclosures as disclosure_services
from audit.models import Action
from audit.services import record_event
from cases.selectors import core as case_selectors

from .episodes import EPISODE, _EpisodeNested

CASE_PK = OpenApiParameter("case_pk", int, OpenApiParameter.PATH, description="The case id.")


class RiskUpdateViewSet(_EpisodeNested):
    """The episode's risk updates, newest first; creating one discloses it to the chosen
    agencies on the case (one ``disclose`` audit row each)."""

    serializer_class = RiskUpdateSerializer
    queryset = RiskUpdate.objects.none()

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        self._record_read(episode, "risk-updates")
        updates = disclosure_selectors.episode_risk_updates(episode)
        return Response(RiskUpdateSerializer(updates, many=True).data)

    @extend_schema(
        parameters=[EPISODE],
        request=RiskUpdateCreateSerializer,
        responses={201: RiskUpdateSerializer},
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = RiskUpdateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["recipient_ids"] = data.pop("recipients")
        update = disclosure_services.risk_update_submit(
            actor=request.user, membership=request.membership, episode=episode, **data
        )
        return Response(RiskUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[CASE_PK])
class CaseRiskUpdateViewSet(viewsets.GenericViewSet):
    """The risk updates of a case disclosed to the caller's agency (a reader of the case
    whose agency received none gets an empty list)."""

    serializer_class = RiskUpdateSerializer
    queryset = RiskUpdate.objects.none()
    pagination_class = None

    def list(self, request, case_pk=None):
        membership = request.membership
        case = case_selectors.get_case_or_404(membership, case_pk)
        updates = disclosure_selectors.risk_updates_on_case(membership, case)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=case,
            detail={"api": "risk-updates", "risk_updates": [u.pk for u in updates]},
        )
        return Response(RiskUpdateSerializer(updates, many=True).data)


def register(router):
    """Registers risk updates on the API router."""
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/risk-updates",
        RiskUpdateViewSet,
        basename="advocacy-risk-update",
    )
    router.register(
        r"advocacy/cases/(?P<case_pk>\d+)/risk-updates",
        CaseRiskUpdateViewSet,
        basename="advocacy-case-risk-update",
    )
