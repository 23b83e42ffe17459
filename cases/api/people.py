"""API: People: match suggestions and merges."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import deny, record_event
from cases.models import Person
from cases.pagination import CappedCountPagination
from cases.selectors import people as people_selectors
from cases.selectors import person_record
from cases.selectors.person_record import PersonFilters
from cases.serializers.people import (
    MatchQuerySerializer,
    MatchResultSerializer,
    MergedPersonSerializer,
    MergeSerializer,
    PersonFilterSerializer,
    PersonRecordSerializer,
    PersonSummarySerializer,
)
from cases.services import people as people_services
from cases.views.people import record_match_search


class PeopleViewSet(viewsets.GenericViewSet):
    """People the caller may see (list, search, one record), likely-same-person
    suggestions (never merged on their own) and permissioned merges."""

    serializer_class = MatchResultSerializer
    pagination_class = CappedCountPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):  # pragma: no cover - schema only; reads go through selectors
        return Person.objects.none()

    def _require_viewer(self):
        if not can(self.request.membership, Cap.VIEW_CASES):
            raise PermissionDenied("Your role cannot see people.")

    @extend_schema(parameters=[PersonFilterSerializer], responses={200: PersonSummarySerializer})
    def list(self, request):
        """People in cases and referrals the caller can see (police: and on the crime
        screen), by family name. `q` matches names, other names or an identifier;
        `external_source` and `external_id` the id of the record in the system it came from."""
        self._require_viewer()
        query = PersonFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = PersonFilters(
            q=query.validated_data["q"].strip(),
            date_of_birth=query.validated_data["date_of_birth"],
            external_source=query.validated_data["external_source"].strip(),
            external_id=query.validated_data["external_id"].strip(),
        )
        page = self.paginate_queryset(person_record.person_list(request.membership, filters))
        record_event(
            action=Action.LIST if filters.is_empty() else Action.SEARCH,
            actor=request.user,
            detail={"api": "people", "q": filters.q, "shown": len(page)},
        )
        return self.get_paginated_response(PersonSummarySerializer(page, many=True).data)

    @extend_schema(responses={200: PersonRecordSerializer})
    def retrieve(self, request, pk=None):
        """One person the caller can see: other names, identifiers, their cases the caller
        can see (with role), and contact details (null when withheld)."""
        self._require_viewer()
        person = person_record.get_person_or_404(request.membership, pk)
        record = person_record.person_record(request.membership, person)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=person,
            detail={"api": True, "contact_shown": record.contact is not None},
        )
        return Response(PersonRecordSerializer(person, context={"record": record}).data)

    @extend_schema(
        parameters=[MatchQuerySerializer],
        responses={200: MatchResultSerializer},
    )
    @action(detail=False, methods=["get"], url_path="matches", url_name="matches")
    def matches(self, request):
        """People of the caller's partnership that are likely the same human, with reasons.

        Only people the caller may know about are named; `hidden_match` says (without any
        detail) that a strong match exists elsewhere."""
        if not can(request.membership, Cap.VIEW_CASES):
            raise PermissionDenied("Your role cannot search people.")
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = people_selectors.person_match(request.membership, query.to_query())
        record_match_search(request, result, "api")
        return Response(MatchResultSerializer(result).data)

    @extend_schema(
        parameters=[OpenApiParameter("X-Agency-Id", str, OpenApiParameter.HEADER, required=False)],
        request=MergeSerializer,
        responses={200: MergedPersonSerializer},
    )
    @action(detail=False, methods=["post"], url_path="merge", url_name="merge")
    def merge(self, request):
        """Merge `duplicate` into `keep` (police supervisor, partnership admin; audited)."""
        membership = request.membership
        if not can(membership, Cap.MERGE_PEOPLE):
            raise PermissionDenied("Only a police supervisor or the partnership admin merges.")
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        keep = people_selectors.visible_person_or_none(membership, data["keep"])
        duplicate = people_selectors.visible_person_or_none(membership, data["duplicate"])
        if keep is None or duplicate is None:
            missing = data["keep"] if keep is None else data["duplicate"]
            deny(membership, kind="cases.Person", pk=missing, reason="person not visible")
        kept = people_services.person_merge(
            actor=request.user,
            membership=membership,
            keep=keep,
            duplicate=duplicate,
            reason=data["reason"],
        )
        return Response(MergedPersonSerializer(kept).data)


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
    router.register("people", PeopleViewSet, basename="person")
