"""API of support episodes and contacts."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can_work_advocacy
from advocacy.models import (
    Contact,
    EpisodeStatus,
    SupportEpisode,
)
from advocacy.selectors import episodes as episode_selectors
from advocacy.serializers.episodes import (
    ContactCreateSerializer,
    ContactSerializer,
    EpisodeCreateSerializer,
    EpisodeSerializer,
)
from advocacy.services import episodes as episode_services
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedPagination
from cases.serializers.core import ExternalIdQuerySerializer, external_id_query

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


EPISODE = OpenApiParameter("episode_pk", int, OpenApiParameter.PATH)


STATUS = OpenApiParameter("status", str, enum=EpisodeStatus.values, description="Derived status.")


def _require_advocacy(membership):
    if not can_work_advocacy(membership):
        raise PermissionDenied("Only members of a victim advocacy agency use this.")


def advocate_or_400(membership, user_id):
    """The advocate of the member's agency with this user id (None for none chosen); a
    field error for anyone else."""
    if user_id is None:
        return None
    advocate = episode_selectors.advocates_of_agency(membership).filter(pk=user_id).first()
    if advocate is None:
        raise ValidationError({"advocate": ["Choose an advocate in your agency."]})
    return advocate


class EpisodeViewSet(viewsets.GenericViewSet):
    """Support episodes held by the caller's advocacy agency."""

    serializer_class = EpisodeSerializer
    queryset = SupportEpisode.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedPagination

    @extend_schema(parameters=[STATUS, ExternalIdQuerySerializer])
    def list(self, request):
        membership = request.membership
        _require_advocacy(membership)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in EpisodeStatus.values:
            raise ValidationError({"status": [f"Choose one of {', '.join(EpisodeStatus.values)}."]})
        episodes = episode_selectors.caseload(
            membership, status=wanted, **external_id_query(request)
        ).prefetch_related("needs")
        page = self.paginate_queryset(episodes)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "advocacy-episodes", "count": len(page)},
        )
        return self.get_paginated_response(EpisodeSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        membership = request.membership
        _require_advocacy(membership)
        episode = episode_selectors.get_episode_or_404(membership, pk)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=episode,
            case=episode.case,
            detail={"api": True},
        )
        return Response(EpisodeSerializer(episode).data)

    @extend_schema(request=EpisodeCreateSerializer, responses={201: EpisodeSerializer})
    def create(self, request):
        membership = request.membership
        _require_advocacy(membership)
        serializer = EpisodeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        victim = episode_selectors.victim_in_partnership(membership, data["victim"])
        if victim is None:
            raise ValidationError(
                {"victim": ["Choose a victim on a case shared with your agency."]}
            )
        advocate = advocate_or_400(membership, data["advocate"])
        episode = episode_services.episode_start(
            actor=request.user,
            membership=membership,
            victim=victim,
            referral_route=data["referral_route"],
            referred_on=data["referred_on"],
            advocate=advocate,
            needs=data["needs"],
            contact_frequency=data["contact_frequency"],
        )
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)


class ContactViewSet(viewsets.GenericViewSet):
    """The contact log of one episode held by the caller's agency, newest first."""

    serializer_class = ContactSerializer
    queryset = Contact.objects.none()
    pagination_class = None

    def _episode(self):
        membership = self.request.membership
        _require_advocacy(membership)
        return episode_selectors.get_episode_or_404(membership, self.kwargs["episode_pk"])

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=episode,
            case=episode.case,
            detail={"api": "contacts"},
        )
        return Response(
            ContactSerializer(episode_selectors.episode_contacts(episode), many=True).data
        )

    @extend_schema(
        parameters=[EPISODE], request=ContactCreateSerializer, responses={201: ContactSerializer}
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = episode_services.contact_log(
            actor=request.user,
            membership=request.membership,
            episode=episode,
            **serializer.validated_data,
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class _EpisodeNested(viewsets.GenericViewSet):
    """Base for a collection of one episode held by the caller's agency."""

    pagination_class = None
    lookup_value_regex = r"\d+"

    def _episode(self):
        membership = self.request.membership
        _require_advocacy(membership)
        return episode_selectors.get_episode_or_404(membership, self.kwargs["episode_pk"])

    def _record_read(self, episode, what):
        record_event(
            action=Action.VIEW,
            actor=self.request.user,
            obj=episode,
            case=episode.case,
            detail={"api": what},
        )


def register(router):
    """Registers episodes and their contacts on the API router."""
    router.register("advocacy/episodes", EpisodeViewSet, basename="advocacy-episode")
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/contacts",
        ContactViewSet,
        basename="advocacy-contact",
    )
