"""API for support episodes, their contacts, the referral queue, safety plan versions and
target-hardening measures: the advocacy compartment.

The role and agency are checked first (403 for anyone outside a victim advocacy agency,
saying nothing about any record); episodes are found through advocacy.selectors (404 and a
denial row outside the member's agency); writes go through advocacy.services, whose
ValidationErrors become field-keyed 400s (config/api_errors.py). Every read is audited."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can_work_advocacy
from accounts.roles import Role
from advocacy import selectors, services
from advocacy.models import (
    AdvocacyReferral,
    Contact,
    EpisodeStatus,
    SafetyPlan,
    SupportEpisode,
    TargetHardening,
)
from advocacy.serializers import (
    AdvocacyReferralSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    EpisodeCreateSerializer,
    EpisodeSerializer,
    MeasureCreateSerializer,
    MeasureSerializer,
    MeasureUpdateSerializer,
    ReferralAcceptSerializer,
    ReferralDeclineSerializer,
    SafetyPlanCreateSerializer,
    SafetyPlanSerializer,
)
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPagination

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
EPISODE = OpenApiParameter("episode_pk", int, OpenApiParameter.PATH)
STATUS = OpenApiParameter("status", str, enum=EpisodeStatus.values, description="Derived status.")


def _require_advocacy(membership):
    if not can_work_advocacy(membership):
        raise PermissionDenied("Only members of a victim advocacy agency use this.")


class EpisodeViewSet(viewsets.GenericViewSet):
    """Support episodes held by the caller's advocacy agency."""

    serializer_class = EpisodeSerializer
    queryset = SupportEpisode.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedCountPagination

    @extend_schema(parameters=[STATUS])
    def list(self, request):
        membership = request.membership
        _require_advocacy(membership)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in EpisodeStatus.values:
            raise ValidationError({"status": [f"Choose one of {', '.join(EpisodeStatus.values)}."]})
        episodes = selectors.caseload(membership, status=wanted).prefetch_related("needs")
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
        episode = selectors.get_episode_or_404(membership, pk)
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
        victim = selectors.victim_in_partnership(membership, data["victim"])
        if victim is None:
            raise ValidationError(
                {"victim": ["Choose a victim on a case shared with your agency."]}
            )
        advocate = None
        if data["advocate"] is not None:
            advocate = selectors.advocates_of_agency(membership).filter(pk=data["advocate"]).first()
            if advocate is None:
                raise ValidationError({"advocate": ["Choose an advocate in your agency."]})
        episode = services.episode_start(
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
        return selectors.get_episode_or_404(membership, self.kwargs["episode_pk"])

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
        return Response(ContactSerializer(selectors.episode_contacts(episode), many=True).data)

    @extend_schema(
        parameters=[EPISODE], request=ContactCreateSerializer, responses={201: ContactSerializer}
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.contact_log(
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
        return selectors.get_episode_or_404(membership, self.kwargs["episode_pk"])

    def _record_read(self, episode, what):
        record_event(
            action=Action.VIEW,
            actor=self.request.user,
            obj=episode,
            case=episode.case,
            detail={"api": what},
        )


class SafetyPlanViewSet(_EpisodeNested):
    """The versions of an episode's safety plan, newest first (the first is the current
    one). Creating one saves a new version; earlier ones are kept, marked superseded."""

    serializer_class = SafetyPlanSerializer
    queryset = SafetyPlan.objects.none()

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        self._record_read(episode, "safety-plans")
        versions = selectors.safety_plan_versions(episode)
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
        services.safety_plan_save(
            actor=request.user,
            membership=request.membership,
            episode=episode,
            review_on=data["review_on"],
            notes=data["notes"],
            order_ids=data["orders"],
            items=[dict(item) for item in data["items"]],
        )
        plan = selectors.current_safety_plan(episode)
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
        return Response(MeasureSerializer(selectors.episode_measures(episode), many=True).data)

    @extend_schema(
        parameters=[EPISODE], request=MeasureCreateSerializer, responses={201: MeasureSerializer}
    )
    def create(self, request, episode_pk=None):
        episode = self._episode()
        serializer = MeasureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_record(
            actor=request.user,
            membership=request.membership,
            episode=episode,
            **serializer.validated_data,
        )
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[EPISODE, ID])
    def retrieve(self, request, episode_pk=None, pk=None):
        episode = self._episode()
        measure = selectors.get_measure_or_404(request.membership, episode, pk)
        self._record_read(episode, "target-hardening")
        return Response(MeasureSerializer(measure).data)

    @extend_schema(
        parameters=[EPISODE, ID], request=MeasureUpdateSerializer, responses=MeasureSerializer
    )
    def partial_update(self, request, episode_pk=None, pk=None):
        episode = self._episode()
        measure = selectors.get_measure_or_404(request.membership, episode, pk)
        serializer = MeasureUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_update(
            actor=request.user,
            membership=request.membership,
            measure=measure,
            **serializer.validated_data,
        )
        return Response(MeasureSerializer(measure).data)


class ReferralViewSet(viewsets.GenericViewSet):
    """The referrals waiting in the caller's advocacy agency's queue; accept or decline."""

    serializer_class = AdvocacyReferralSerializer
    queryset = AdvocacyReferral.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedCountPagination

    def list(self, request):
        membership = request.membership
        _require_advocacy(membership)
        page = self.paginate_queryset(selectors.referral_queue(membership))
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "advocacy-referrals", "count": len(page)},
        )
        return self.get_paginated_response(AdvocacyReferralSerializer(page, many=True).data)

    def _referral(self, pk):
        membership = self.request.membership
        _require_advocacy(membership)
        return selectors.get_referral_or_404(membership, pk)

    @extend_schema(
        parameters=[ID], request=ReferralAcceptSerializer, responses={201: EpisodeSerializer}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: the support episode starts, allocated to ``advocate`` (default: you,
        if you are an advocate)."""
        membership = request.membership
        referral = self._referral(pk)
        serializer = ReferralAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["advocate"]
        if wanted is None and membership.role == Role.ADVOCATE:
            wanted = request.user.pk
        advocate = None
        if wanted is not None:
            advocate = selectors.advocates_of_agency(membership).filter(pk=wanted).first()
            if advocate is None:
                raise ValidationError({"advocate": ["Choose an advocate in your agency."]})
        episode = services.referral_accept(
            actor=request.user, membership=membership, referral=referral, advocate=advocate
        )
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID],
        request=ReferralDeclineSerializer,
        responses={200: AdvocacyReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline with a coded reason (and a written one for "other")."""
        referral = self._referral(pk)
        serializer = ReferralDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.referral_decline(
            actor=request.user,
            membership=request.membership,
            referral=referral,
            **serializer.validated_data,
        )
        return Response(AdvocacyReferralSerializer(referral).data)


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register("advocacy/episodes", EpisodeViewSet, basename="advocacy-episode")
    router.register("advocacy/referrals", ReferralViewSet, basename="advocacy-referral")
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/contacts",
        ContactViewSet,
        basename="advocacy-contact",
    )
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
