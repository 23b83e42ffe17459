from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can, can_edit_case_core, usable_memberships
from accounts.roles import CAPABILITIES, Cap
from audit.models import Action
from audit.services import record_event
from cases.models import Case, CaseParty
from cases.pagination import CappedCountPagination
from cases.selectors import core as selectors
from cases.serializers.core import (
    CaseOpenSerializer,
    CaseSerializer,
    ExternalIdQuerySerializer,
    MeSerializer,
    PartyCreateSerializer,
    PartySerializer,
    external_id_query,
)
from cases.services import core as services
from cases.services import people as people_services


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
        return selectors.case_list(
            membership,
            search=self.request.query_params.get("q", ""),
            **external_id_query(self.request),
        )

    def get_object(self):
        return selectors.get_case_or_404(self.request.membership, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=False), ExternalIdQuerySerializer]
    )
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
        party = people_services.party_add(
            actor=request.user, membership=membership, case=case, role=data.pop("role"), **data
        )
        view = selectors.PartyView(party, selectors.person_contact_for(membership, case, party))
        return Response(PartySerializer(view).data, status=status.HTTP_201_CREATED)


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
