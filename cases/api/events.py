"""API: criminal-justice events of a case (read: every reader of the case; write: police
and the clinic chair) and "tell the victim" tasks (the responsible agency's task workers:
cases.selectors.events)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from audit.models import Action
from audit.services import record_event
from cases.api.record import CASE_PK, ID, _CaseChildViewSet, _require_writer
from cases.models import CaseEvent, PartyRole, VictimNotification
from cases.selectors import events as selectors
from cases.selectors import record as record_selectors
from cases.serializers.events import (
    CaseEventSerializer,
    VictimNotificationRecordSerializer,
    VictimNotificationSerializer,
)
from cases.services import events as services

PENDING = OpenApiParameter(
    "pending", bool, OpenApiParameter.QUERY, description="true: only tasks not closed yet."
)


@extend_schema(parameters=[CASE_PK])
class CaseEventViewSet(_CaseChildViewSet):
    """Criminal-justice events of a case: arrested, interviewed under caution, charged,
    bailed, bail changed, released (no further action, from custody), out-of-court
    disposal. Creating one raises a "tell the victim" task for each victim on the case."""

    serializer_class = CaseEventSerializer
    queryset = CaseEvent.objects.none()
    section = "events"

    def list(self, request, case_pk=None):
        case = self._case()
        self._log_view(case)
        return Response(CaseEventSerializer(selectors.events_for(case), many=True).data)

    def create(self, request, case_pk=None):
        _require_writer(request.membership)
        case = self._case()
        perpetrators = record_selectors.people_on_case(case, role=PartyRole.PERPETRATOR)
        serializer = CaseEventSerializer(data=request.data, people=perpetrators)
        serializer.is_valid(raise_exception=True)
        event = services.case_event_record(
            actor=request.user,
            membership=request.membership,
            case=case,
            **serializer.validated_data,
        )
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


def _require_task_worker(membership):
    if not selectors.can_work_victim_notifications(membership):
        raise PermissionDenied("Your role does not tell victims about case events.")


class VictimNotificationViewSet(viewsets.GenericViewSet):
    """ "Tell the victim" tasks of the caller's agency, due first. ``record`` says the
    victim was told (closes it), asked not to be told (closes it as declined), or could
    not be reached (it stays open)."""

    serializer_class = VictimNotificationSerializer
    queryset = VictimNotification.objects.none()
    lookup_value_regex = r"\d+"

    def _task(self, pk):
        _require_task_worker(self.request.membership)
        return selectors.get_victim_notification_or_404(self.request.membership, pk)

    @extend_schema(parameters=[PENDING])
    def list(self, request):
        _require_task_worker(request.membership)
        tasks = selectors.victim_notifications_visible_to(request.membership)
        if request.query_params.get("pending") in ("true", "1"):
            tasks = selectors.pending_victim_notifications(request.membership)
        page = self.paginate_queryset(tasks)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "victim_notifications", "shown": len(page)},
        )
        return self.get_paginated_response(VictimNotificationSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        task = self._task(pk)
        record_event(action=Action.VIEW, actor=request.user, obj=task, case=task.case)
        return Response(VictimNotificationSerializer(task).data)

    @extend_schema(
        parameters=[ID],
        request=VictimNotificationRecordSerializer,
        responses={200: VictimNotificationSerializer},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        task = self._task(pk)
        serializer = VictimNotificationRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.victim_notification_record(
            actor=request.user,
            membership=request.membership,
            notification=task,
            **serializer.validated_data,
        )
        return Response(VictimNotificationSerializer(task).data)


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
    router.register(r"cases/(?P<case_pk>\d+)/events", CaseEventViewSet, basename="case-event")
    router.register(
        "victim-notifications", VictimNotificationViewSet, basename="victim-notification"
    )
