"""API of the referral queue."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.roles import Role
from advocacy.models import (
    AdvocacyReferral,
)
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import referrals as referral_selectors
from advocacy.serializers.episodes import EpisodeSerializer
from advocacy.serializers.referrals import (
    AdvocacyReferralSerializer,
    ReferralAcceptSerializer,
    ReferralDeclineSerializer,
)
from advocacy.services import referrals as referral_services
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPagination

from .episodes import ID, _require_advocacy


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
        advocate = None
        if wanted is not None:
            advocate = episode_selectors.advocates_of_agency(membership).filter(pk=wanted).first()
            if advocate is None:
                raise ValidationError({"advocate": ["Choose an advocate in your agency."]})
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


def register(router):
    """Registers the referral queue on the API router."""
    router.register("advocacy/referrals", ReferralViewSet, basename="advocacy-referral")
