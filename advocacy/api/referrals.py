"""API of the referral queue."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.roles import Role
from advocacy.models import (
    AdvocacyReferral,
)
from advocacy.selectors import referrals as referral_selectors
from advocacy.serializers.episodes import EpisodeSerializer
from advocacy.serializers.referrals import (
    VICTIM_FIELDS,
    AdvocacyReferralSerializer,
    DirectReferralSerializer,
    ReferralAcceptSerializer,
    ReferralDeclineSerializer,
)
from advocacy.services import referrals as referral_services
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPagination

from .episodes import ID, _require_advocacy, advocate_or_400


class ReferralViewSet(viewsets.GenericViewSet):
    """The referrals waiting in the caller's advocacy agency's queue; accept or decline."""

    serializer_class = AdvocacyReferralSerializer
    queryset = AdvocacyReferral.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedCountPagination

    def list(self, request):
        membership = request.membership
        _require_advocacy(membership)
        page = self.paginate_queryset(referral_selectors.referral_queue(membership))
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "advocacy-referrals", "count": len(page)},
        )
        return self.get_paginated_response(AdvocacyReferralSerializer(page, many=True).data)

    def _referral(self, pk):
        membership = self.request.membership
        _require_advocacy(membership)
        return referral_selectors.get_referral_or_404(membership, pk)

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
        advocate = advocate_or_400(membership, wanted)
        episode = referral_services.referral_accept(
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
        referral_services.referral_decline(
            actor=request.user,
            membership=request.membership,
            referral=referral,
            **serializer.validated_data,
        )
        return Response(AdvocacyReferralSerializer(referral).data)


class DirectReferralViewSet(viewsets.GenericViewSet):
    """Support for a victim who came to the caller's agency directly (self-referral, the
    helpline, MARAC): opens a case only that agency can see, with the victim as its party,
    and the support episode on it."""

    serializer_class = DirectReferralSerializer
    queryset = AdvocacyReferral.objects.none()

    @extend_schema(request=DirectReferralSerializer, responses={201: EpisodeSerializer})
    def create(self, request):
        membership = request.membership
        _require_advocacy(membership)
        serializer = DirectReferralSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        advocate = advocate_or_400(membership, data["advocate"])
        try:
            episode = referral_services.self_referral_start(
                actor=request.user,
                membership=membership,
                victim=dict(data["victim"]),
                summary=data["summary"],
                referral_route=data["referral_route"],
                referred_on=data["referred_on"],
                advocate=advocate,
                needs=data["needs"],
                contact_frequency=data["contact_frequency"],
            )
        except DjangoValidationError as error:
            raise ValidationError(_nested_victim_errors(error.message_dict)) from error
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)


def _nested_victim_errors(errors):
    """The service's flat field errors keyed as the request body is: person fields under
    ``victim``."""
    victim = {field: errors.pop(field) for field in VICTIM_FIELDS if field in errors}
    return {**errors, **({"victim": victim} if victim else {})}


def register(router):
    """Registers the referral queue on the API router."""
    router.register("advocacy/referrals", ReferralViewSet, basename="advocacy-referral")
    router.register(
        "advocacy/direct-referrals", DirectReferralViewSet, basename="advocacy-direct-referral"
    )
