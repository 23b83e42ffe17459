"""API: Case record sections: classification, orders, outcomes, re-offending, reference data.

Every case is found through ``selectors.get_case_or_404`` (404 outside scope); writes check
the role first (403, saying nothing about the case) and go through the services, whose
ValidationErrors become field-keyed 400s (config/api_errors.py)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import can_edit_case_core
from audit.models import Action
from audit.services import record_event
from cases.models import (
    Case,
    CriminalJusticeOutcome,
    PartyRole,
    ProtectiveOrder,
    ReoffendingEvent,
)
from cases.selectors import core as selectors
from cases.selectors import record as record_selectors
from cases.serializers.record import (
    BreachSerializer,
    CloseSerializer,
    OrderDecisionSerializer,
    OrderSerializer,
    OutcomeSerializer,
    RecordSerializer,
    RecordWriteSerializer,
    ReoffendingSerializer,
    ReopenSerializer,
    TimelineEventSerializer,
)
from cases.services import record as record_services

CASE_PK = OpenApiParameter("case_pk", int, OpenApiParameter.PATH, description="The case id.")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _require_writer(membership):
    if not can_edit_case_core(membership):
        raise PermissionDenied("Only police and the clinic chair change the case record.")


def _record_response(case, status_code=status.HTTP_200_OK):
    case = record_selectors.case_with_codes(case)
    typologies = record_selectors.case_record(case)
    return Response(
        RecordSerializer(case, context={"typologies": typologies}).data, status=status_code
    )


@extend_schema(parameters=[ID])
class CaseRecordViewSet(viewsets.GenericViewSet):
    """The core record of one case (id = the case id): classification and reason, offence
    level, relationship, typologies (several), tier, priority, lead agency, officer in
    charge; closure and reopening; the timeline."""

    serializer_class = RecordSerializer
    queryset = Case.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = None

    def _case(self):
        return selectors.get_case_or_404(self.request.membership, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        case = self._case()
        record_event(action=Action.VIEW, actor=request.user, obj=case, detail={"api": "record"})
        return _record_response(case)

    @extend_schema(request=RecordWriteSerializer, responses={200: RecordSerializer})
    def partial_update(self, request, pk=None):
        membership = request.membership
        _require_writer(membership)
        case = self._case()
        serializer = RecordWriteSerializer(
            data=request.data,
            partial=True,
            agencies=selectors.partnership_agencies(membership),
            officers=selectors.police_officers(membership),
            context={"request": request, "case": case},
        )
        serializer.is_valid(raise_exception=True)
        record_services.record_update(
            actor=request.user, membership=membership, case=case, **serializer.validated_data
        )
        return _record_response(case)

    @extend_schema(request=CloseSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        _require_writer(request.membership)
        case = self._case()
        serializer = CloseSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        record_services.case_close(
            actor=request.user,
            membership=request.membership,
            case=case,
            **serializer.validated_data,
        )
        return _record_response(case)

    @extend_schema(request=ReopenSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        _require_writer(request.membership)
        case = self._case()
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record_services.case_reopen(
            actor=request.user,
            membership=request.membership,
            case=case,
            reason=serializer.validated_data["reason"],
        )
        return _record_response(case)

    @extend_schema(responses={200: TimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        case = self._case()
        record_event(action=Action.VIEW, actor=request.user, obj=case, detail={"api": "timeline"})
        events = record_selectors.timeline(request.membership, case)
        return Response(TimelineEventSerializer(events, many=True).data)


class _CaseChildViewSet(viewsets.GenericViewSet):
    """Lists and creates rows of one case (cases/{case_pk}/…)."""

    pagination_class = None
    lookup_value_regex = r"\d+"
    section = ""

    def _case(self):
        return selectors.get_case_or_404(self.request.membership, self.kwargs["case_pk"])

    def _log_view(self, case):
        record_event(
            action=Action.VIEW, actor=self.request.user, obj=case, detail={"api": self.section}
        )


@extend_schema(parameters=[CASE_PK])
class CaseOrderViewSet(_CaseChildViewSet):
    """Protective orders (SPO interim/full, restraining, non-molestation, DVPN/DVPO) of a
    case, each with its breaches as dated events."""

    serializer_class = OrderSerializer
    queryset = ProtectiveOrder.objects.none()
    section = "orders"

    def _order(self, case):
        return record_selectors.get_case_order_or_404(
            self.request.membership, case, self.kwargs["pk"]
        )

    def list(self, request, case_pk=None):
        case = self._case()
        self._log_view(case)
        return Response(OrderSerializer(record_selectors.orders_for(case), many=True).data)

    def create(self, request, case_pk=None):
        _require_writer(request.membership)
        case = self._case()
        serializer = OrderSerializer(
            data=request.data, people=record_selectors.people_on_case(case)
        )
        serializer.is_valid(raise_exception=True)
        order = record_services.order_create(
            actor=request.user,
            membership=request.membership,
            case=case,
            **serializer.validated_data,
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, case_pk=None, pk=None):
        case = self._case()
        self._log_view(case)
        return Response(OrderSerializer(self._order(case)).data)

    @extend_schema(
        parameters=[ID], request=OrderDecisionSerializer, responses={200: OrderSerializer}
    )
    def partial_update(self, request, case_pk=None, pk=None):
        _require_writer(request.membership)
        case = self._case()
        order = self._order(case)
        serializer = OrderDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = record_services.order_decide(
            actor=request.user,
            membership=request.membership,
            order=order,
            **serializer.validated_data,
        )
        return Response(OrderSerializer(self._order(case)).data)

    @extend_schema(
        parameters=[ID],
        request=BreachSerializer,
        responses={200: BreachSerializer(many=True), 201: BreachSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def breaches(self, request, case_pk=None, pk=None):
        if request.method == "POST":
            _require_writer(request.membership)
        case = self._case()
        order = self._order(case)
        if request.method == "GET":
            self._log_view(case)
            return Response(BreachSerializer(order.breaches.all(), many=True).data)
        serializer = BreachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        breach = record_services.breach_record(
            actor=request.user,
            membership=request.membership,
            order=order,
            **serializer.validated_data,
        )
        return Response(BreachSerializer(breach).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[CASE_PK])
class CaseOutcomeViewSet(_CaseChildViewSet):
    """Criminal-justice outcomes of a case: Home Office outcome code (by its code, e.g.
    "16"), date, charge, conviction, sentence."""

    serializer_class = OutcomeSerializer
    queryset = CriminalJusticeOutcome.objects.none()
    section = "outcomes"

    def list(self, request, case_pk=None):
        case = self._case()
        self._log_view(case)
        return Response(OutcomeSerializer(record_selectors.outcomes_for(case), many=True).data)

    def create(self, request, case_pk=None):
        _require_writer(request.membership)
        case = self._case()
        serializer = OutcomeSerializer(
            data=request.data,
            people=record_selectors.people_on_case(case),
            context={"request": request},
        )
        serializer.is_valid(raise_exception=True)
        outcome = record_services.outcome_record(
            actor=request.user,
            membership=request.membership,
            case=case,
            **serializer.validated_data,
        )
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[CASE_PK])
class CaseReoffendingViewSet(_CaseChildViewSet):
    """Re-offending events of a case. Police and the clinic chair record any source;
    probation officers and advocates record their own (probation / advocate)."""

    serializer_class = ReoffendingSerializer
    queryset = ReoffendingEvent.objects.none()
    section = "reoffending"

    def list(self, request, case_pk=None):
        case = self._case()
        self._log_view(case)
        events = record_selectors.reoffending_for(case)
        return Response(ReoffendingSerializer(events, many=True).data)

    def create(self, request, case_pk=None):
        if not record_services.reoffending_sources_for(request.membership):
            raise PermissionDenied("Your role cannot record re-offending.")
        case = self._case()
        perpetrators = record_selectors.people_on_case(case, role=PartyRole.PERPETRATOR)
        serializer = ReoffendingSerializer(data=request.data, people=perpetrators)
        serializer.is_valid(raise_exception=True)
        event = record_services.reoffending_record(
            actor=request.user,
            membership=request.membership,
            case=case,
            **serializer.validated_data,
        )
        return Response(ReoffendingSerializer(event).data, status=status.HTTP_201_CREATED)


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
    router.register("case-records", CaseRecordViewSet, basename="case-record")
    router.register(r"cases/(?P<case_pk>\d+)/orders", CaseOrderViewSet, basename="case-order")
    router.register(r"cases/(?P<case_pk>\d+)/outcomes", CaseOutcomeViewSet, basename="case-outcome")
    router.register(
        r"cases/(?P<case_pk>\d+)/reoffending", CaseReoffendingViewSet, basename="case-reoffending"
    )
