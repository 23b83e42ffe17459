from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.api.core import MemberScopedMixin
from cases.models import Referral, ReferralStatus
from cases.selectors import core as selectors
from cases.selectors import referrals as referral_selectors
from cases.serializers.core import ExternalIdQuerySerializer, external_id_query
from cases.serializers.people import MatchResultSerializer
from cases.serializers.referrals import (
    ReferralDecideSerializer,
    ReferralDetailSerializer,
    ReferralScreenSerializer,
    ReferralSerializer,
    ReferralWithdrawSerializer,
)
from cases.services import referrals as referral_services
from cases.views.people import record_match_search


class ReferralViewSet(
    MemberScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals made by the caller's agency or about cases it can see (police: all).

    `?status=received|screened|accepted|not_stalking|not_applicable|declined` filters.
    Police roles and the clinic chair screen (`POST …/screen/`) and decide
    (`POST …/decide/`); accepting opens or joins a case and shares it with the referrer."""

    serializer_class = ReferralSerializer
    schema_model = Referral

    def scoped_queryset(self, membership):
        return referral_selectors.referral_list(
            membership,
            status=self.request.query_params.get("status", ""),
            **external_id_query(self.request),
        )

    def get_object(self):
        return referral_selectors.get_referral_or_404(self.request.membership, self.kwargs["pk"])

    def get_serializer(self, *args, **kwargs):
        if not getattr(self, "swagger_fake_view", False):
            kwargs["cases"] = selectors.cases_visible_to(self.request.membership)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ReferralStatus.values, required=False),
            ExternalIdQuerySerializer,
        ]
    )
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        record_event(action=Action.LIST, actor=request.user, detail={"api": "referrals"})
        return response

    @extend_schema(responses={200: ReferralDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One referral. For those who screen and decide (while it is undecided),
        `possible_duplicates` lists people already recorded who may be the referral's
        perpetrator or victim: never merged automatically (merge: POST /people/merge/)."""
        membership = request.membership
        referral = self.get_object()
        record_event(action=Action.VIEW, actor=request.user, obj=referral, case=referral.case)
        data = self.get_serializer(referral).data
        duplicates = []
        if referral_selectors.can_decide(membership) and not referral.decision:
            for found in referral_selectors.referral_people_matches(membership, referral):
                record_match_search(request, found.result, f"api referral {referral.pk}")
                duplicates.append(
                    {
                        "role": found.role.lower(),
                        "person_id": found.person.pk,
                        **MatchResultSerializer(found.result).data,
                    }
                )
        data["possible_duplicates"] = duplicates
        return Response(data)

    def create(self, request, *args, **kwargs):
        if not can(request.membership, Cap.RECORD_REFERRAL):
            raise PermissionDenied("Your role cannot record referrals.")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = referral_services.referral_record(
            actor=self.request.user,
            membership=self.request.membership,
            **serializer.validated_data,
        )

    def _decider_referral(self):
        if not referral_selectors.can_decide(self.request.membership):
            raise PermissionDenied("Only police and the clinic chair screen and decide referrals.")
        return self.get_object()

    @extend_schema(request=ReferralScreenSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        """Record that the referral has been screened (once)."""
        referral = self._decider_referral()
        serializer = ReferralScreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = referral_services.referral_screen(
            actor=request.user,
            membership=request.membership,
            referral=referral,
            note=serializer.validated_data["note"],
            screened_on=serializer.validated_data["screened_on"],
        )
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=ReferralDecideSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The one decision: accepted (new case, or `case` to join), not stalking, not
        applicable or declined (a reason is required for those)."""
        referral = self._decider_referral()
        membership = request.membership
        serializer = ReferralDecideSerializer(
            data=request.data,
            cases=selectors.cases_visible_to(membership),
            agencies=selectors.partnership_agencies(membership),
        )
        serializer.is_valid(raise_exception=True)
        referral = referral_services.referral_decide(
            actor=request.user,
            membership=membership,
            referral=referral,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=ReferralWithdrawSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The referring agency withdraws an undecided referral, with a reason (cannot be
        undone). Another agency's referral is 404 here."""
        membership = request.membership
        if not can(membership, Cap.RECORD_REFERRAL):
            raise PermissionDenied("Your role cannot withdraw referrals.")
        referral = referral_selectors.get_withdrawable_referral_or_404(membership, pk)
        serializer = ReferralWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = referral_services.referral_withdraw(
            actor=request.user,
            membership=membership,
            referral=referral,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(referral).data)
