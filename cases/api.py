from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can, can_edit_case_core, usable_memberships
from accounts.roles import CAPABILITIES, Cap
from audit.models import Action
from audit.services import record_event
from cases import selectors, services
from cases.models import Case, CaseParty, Referral, ReferralStatus
from cases.pagination import CappedCountPagination
from cases.people_views import record_match_search
from cases.selectors import referrals as referral_selectors
from cases.serializers import (
    CaseOpenSerializer,
    CaseSerializer,
    MeSerializer,
    PartyCreateSerializer,
    PartySerializer,
    ReferralDecideSerializer,
    ReferralDetailSerializer,
    ReferralScreenSerializer,
    ReferralSerializer,
)
from cases.serializers_people import MatchResultSerializer
from cases.services import referrals as referral_services


class MemberScopedMixin:
    """Every queryset starts from a selector scoped to the acting membership.

    The schema generator has no membership, so it gets an empty queryset of the model.
    """

    schema_model = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.schema_model.objects.none()
        return self.scoped_queryset(self.request.membership)


class CaseViewSet(
    MemberScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases the caller's agency may see. Outside scope answers 404. `?q=` searches."""

    serializer_class = CaseSerializer
    schema_model = Case
    pagination_class = CappedCountPagination

    def scoped_queryset(self, membership):
        return selectors.case_list(membership, search=self.request.query_params.get("q", ""))

    def get_object(self):
        return selectors.get_case_or_404(self.request.membership, self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "cases", "count": response.data.get("count")},
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        record_event(action=Action.VIEW, actor=request.user, obj=case, detail={"api": True})
        data = CaseSerializer(case).data
        data["parties"] = PartySerializer(
            selectors.parties_for(request.membership, case), many=True
        ).data
        data["shared_with"] = [link.agency.name for link in selectors.shared_agencies(case)]
        return Response(data)

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        membership = request.membership
        if not can(membership, Cap.CREATE_CASE):
            raise PermissionDenied("Your role cannot open cases.")
        serializer = CaseOpenSerializer(
            data=request.data, agencies=selectors.partnership_agencies(membership)
        )
        serializer.is_valid(raise_exception=True)
        case = services.case_open(
            actor=request.user, membership=membership, **serializer.validated_data
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CasePartyViewSet(
    MemberScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Parties of one case. Victims' contact details are null where the reader may not see them."""

    serializer_class = PartySerializer
    schema_model = CaseParty
    pagination_class = None

    def _case(self):
        return selectors.get_case_or_404(self.request.membership, self.kwargs["case_pk"])

    def scoped_queryset(self, membership):
        return selectors.parties_for(membership, self._case())

    def list(self, request, *args, **kwargs):
        case = self._case()
        record_event(action=Action.VIEW, actor=request.user, obj=case, detail={"api": "parties"})
        parties = selectors.parties_for(request.membership, case)
        return Response(PartySerializer(parties, many=True).data)

    @extend_schema(request=PartyCreateSerializer, responses={201: PartySerializer})
    def create(self, request, *args, **kwargs):
        membership = request.membership
        if not can_edit_case_core(membership):
            raise PermissionDenied("Only police and the clinic chair add parties.")
        case = self._case()
        serializer = PartyCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        party = services.party_add(
            actor=request.user, membership=membership, case=case, role=data.pop("role"), **data
        )
        view = selectors.PartyView(party, selectors.person_contact_for(membership, case, party))
        return Response(PartySerializer(view).data, status=status.HTTP_201_CREATED)


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
            membership, status=self.request.query_params.get("status", "")
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


@extend_schema(responses={200: MeSerializer})
@api_view(["GET"])
def me(request):
    """The caller, the membership they act under, their other memberships and capabilities."""
    membership = request.membership
    return Response(
        MeSerializer(
            {
                "email": request.user.email,
                "full_name": request.user.full_name,
                "acting_as": membership,
                "memberships": usable_memberships(request.user),
                "capabilities": sorted(CAPABILITIES.get(membership.role, ())),
            }
        ).data
    )
