"""API of safety plans and target-hardening measures."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from advocacy.models import (
    SafetyPlan,
    TargetHardening,
)
from advocacy.selectors import safety as safety_selectors
from advocacy.serializers.safety import (
    MeasureCreateSerializer,
    MeasureSerializer,
    MeasureUpdateSerializer,
    SafetyPlanCreateSerializer,
    SafetyPlanSerializer,
)
from advocacy.services import safety as safety_services

from .episodes import EPISODE, ID, _EpisodeNested


class SafetyPlanViewSet(_EpisodeNested):
    """The versions of an episode's safety plan, newest first (the first is the current
    one). Creating one saves a new version; earlier ones are kept, marked superseded."""

    serializer_class = SafetyPlanSerializer
    queryset = SafetyPlan.objects.none()

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        self._record_read(episode, "safety-plans")
        versions = safety_selectors.safety_plan_versions(episode)
        return Response(SafetyPlanSerializer(versions, many=True).data)

    @extend_schema(
        parameters=[EPISODE],
        request=SafetyPlanCreateSerializer,
        responses={201: SafetyPlanSerializer},
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = SafetyPlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        safety_services.safety_plan_save(
            actor=request.user,
            membership=request.membership,
            episode=episode,
            review_on=data["review_on"],
            notes=data["notes"],
            order_ids=data["orders"],
            items=[dict(item) for item in data["items"]],
        )
        plan = safety_selectors.current_safety_plan(episode)
        return Response(SafetyPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(_EpisodeNested):
    """An episode's target-hardening measures; the state follows from the dates."""

    serializer_class = MeasureSerializer
    queryset = TargetHardening.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        self._record_read(episode, "target-hardening")
        return Response(
            MeasureSerializer(safety_selectors.episode_measures(episode), many=True).data
        )

    @extend_schema(
        parameters=[EPISODE], request=MeasureCreateSerializer, responses={201: MeasureSerializer}
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = MeasureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = safety_services.measure_record(
            actor=request.user,
            membership=request.membership,
            episode=episode,
            **serializer.validated_data,
        )
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[EPISODE, ID])
    def retrieve(self, request, episode_pk=None, pk=None):
        episode = self._episode()
        measure = safety_selectors.get_measure_or_404(request.membership, episode, pk)
        self._record_read(episode, "target-hardening")
        return Response(MeasureSerializer(measure).data)

    @extend_schema(
        parameters=[EPISODE, ID], request=MeasureUpdateSerializer, responses=MeasureSerializer
    )
    def partial_update(self, request, episode_pk=None, pk=None):
        episode = self._episode()
        measure = safety_selectors.get_measure_or_404(request.membership, episode, pk)
        serializer = MeasureUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        measure = safety_services.measure_update(
            actor=request.user,
            membership=request.membership,
            measure=measure,
            **serializer.validated_data,
        )
        return Response(MeasureSerializer(measure).data)


def register(router):
    """Registers safety plans and target-hardening measures on the API router."""
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/safety-plans",
        SafetyPlanViewSet,
        basename="advocacy-safety-plan",
    )
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/target-hardening",
        MeasureViewSet,
        basename="advocacy-measure",
    )
