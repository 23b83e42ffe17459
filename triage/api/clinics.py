"""API: clinics, meetings (agenda scoped to the reader), agenda items, attendance and
discussions (CAS versions).

Objects outside the caller's scope are 404 (selectors); a role without the capability is
403 before any lookup; services' ValidationErrors become field-keyed 400s
(config/api_errors.py)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from cases.models import CodeList, code_choices
from cases.selectors import core as case_selectors
from triage.models import AgendaItem, CaseDiscussion, Clinic, Meeting
from triage.selectors import clinics as selectors
from triage.serializers.clinics import (
    AddItemSerializer,
    AgendaItemSerializer,
    AttendanceSerializer,
    AttendanceWriteSerializer,
    ClinicSerializer,
    ClinicWriteSerializer,
    DiscussionSerializer,
    DiscussionWriteSerializer,
    MeetingDetailSerializer,
    MeetingReopenSerializer,
    MeetingSerializer,
    MeetingStartSerializer,
    MoveItemSerializer,
    RemoveItemSerializer,
    ReorderSerializer,
)
from triage.services import agenda as agenda_services
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
CASE_PK = OpenApiParameter("case_pk", int, OpenApiParameter.PATH, description="The case id.")


def _require(membership, capability, message):
    if not can(membership, capability):
        raise PermissionDenied(message)


def _partnership_users(membership):
    return selectors.partnership_users(membership.agency.partnership_id)


@extend_schema(parameters=[ID])
class ClinicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Clinics of the caller's partnership their agency attends (all of them for the chair
    and the partnership admin). Chairs and admins set them up."""

    serializer_class = ClinicSerializer
    queryset = Clinic.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.clinic_list(self.request.membership)

    def retrieve(self, request, pk=None):
        clinic = selectors.get_clinic_or_404(request.membership, pk)
        return Response(ClinicSerializer(clinic).data)

    def _write_serializer(self, request, **kwargs):
        membership = request.membership
        return ClinicWriteSerializer(
            data=request.data,
            agencies=case_selectors.partnership_agencies(membership),
            chairs=selectors.chairs_of_partnership(membership.agency.partnership_id),
            **kwargs,
        )

    @extend_schema(request=ClinicWriteSerializer, responses={201: ClinicSerializer})
    def create(self, request):
        _require(request.membership, Cap.MANAGE_CLINICS, "Your role cannot set up clinics.")
        serializer = self._write_serializer(request)
        serializer.is_valid(raise_exception=True)
        clinic = clinic_services.clinic_create(
            actor=request.user, membership=request.membership, **serializer.validated_data
        )
        return Response(ClinicSerializer(clinic).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClinicWriteSerializer, responses={200: ClinicSerializer})
    def partial_update(self, request, pk=None):
        _require(request.membership, Cap.MANAGE_CLINICS, "Your role cannot set up clinics.")
        clinic = selectors.get_clinic_or_404(request.membership, pk)
        serializer = self._write_serializer(request, partial=True)
        serializer.is_valid(raise_exception=True)
        clinic = clinic_services.clinic_update(
            actor=request.user,
            membership=request.membership,
            clinic=clinic,
            **serializer.validated_data,
        )
        return Response(ClinicSerializer(clinic).data)


@extend_schema(parameters=[ID])
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings of the clinics the caller's agency attends. A meeting's agenda lists only
    the items for cases shared with the caller's agency."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            selectors.meetings_visible_to(self.request.membership)
            .select_related("clinic")
            .order_by("-starts_at")
        )

    def _meeting(self):
        return selectors.get_meeting_or_404(self.request.membership, self.kwargs["pk"])

    def _detail(self, meeting, status_code=status.HTTP_200_OK):
        agenda = list(selectors.agenda_for(self.request.membership, meeting))
        record_event(
            action=AuditAction.VIEW,
            actor=self.request.user,
            obj=meeting,
            detail={"api": "meeting", "agenda_case_ids": [item.case_id for item in agenda]},
        )
        data = MeetingDetailSerializer(meeting, context={"agenda": agenda}).data
        return Response(data, status=status_code)

    @extend_schema(responses={200: MeetingDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(self._meeting())

    def _chair_action(self, do):
        _require(self.request.membership, Cap.RUN_CLINIC, "Only a clinic chair can do this.")
        meeting = self._meeting()
        do(meeting)
        meeting.refresh_from_db()
        return self._detail(meeting)

    @extend_schema(request=MeetingStartSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start the meeting. More than a day before its start, send confirm_early: true
        (otherwise a 400 on confirm_early says so)."""
        _require(self.request.membership, Cap.RUN_CLINIC, "Only a clinic chair can do this.")
        meeting = self._meeting()  # 404 outside scope before any body check
        body = MeetingStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clinic_services.meeting_start_run(
            actor=request.user,
            membership=request.membership,
            meeting=meeting,
            confirm_early=body.validated_data["confirm_early"],
        )
        meeting.refresh_from_db()
        return self._detail(meeting)

    @extend_schema(request=MeetingReopenSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed meeting (the chair, within 7 days of closing) with a reason; its
        minutes files are kept, marked superseded, and closing again makes a new version."""
        _require(self.request.membership, Cap.RUN_CLINIC, "Only a clinic chair can do this.")
        meeting = self._meeting()  # 404 outside scope before any body check
        body = MeetingReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clinic_services.meeting_reopen(
            actor=request.user,
            membership=request.membership,
            meeting=meeting,
            reason=body.validated_data["reason"],
        )
        meeting.refresh_from_db()
        return self._detail(meeting)

    @extend_schema(request=None, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._chair_action(
            lambda meeting: clinic_services.meeting_close(
                actor=request.user, membership=request.membership, meeting=meeting
            )
        )

    @extend_schema(request=None, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def rebuild(self, request, pk=None):
        return self._chair_action(
            lambda meeting: agenda_services.build_agenda(
                meeting, actor=request.user, membership=request.membership
            )
        )

    @extend_schema(request=AddItemSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        """Put a case the caller can see on the agenda."""
        membership = request.membership
        _require(membership, Cap.ADD_AGENDA_ITEM, "Your role cannot add agenda items.")
        meeting = self._meeting()
        serializer = AddItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = (
            case_selectors.cases_visible_to(membership)
            .filter(pk=serializer.validated_data["case"])
            .first()
        )
        if case is None:
            raise ValidationError({"case": ["Choose a case you can see."]})
        item = agenda_services.agenda_add_case(
            actor=request.user,
            membership=membership,
            meeting=meeting,
            case=case,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReorderSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        serializer = ReorderSerializer(data=request.data)
        _require(request.membership, Cap.RUN_CLINIC, "Only a clinic chair can do this.")
        meeting = self._meeting()
        serializer.is_valid(raise_exception=True)
        agenda_services.agenda_reorder(
            actor=request.user,
            membership=request.membership,
            meeting=meeting,
            item_ids=serializer.validated_data["items"],
        )
        return self._detail(meeting)

    @extend_schema(methods=["get"], request=None, responses={200: AttendanceSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=AttendanceWriteSerializer,
        responses={200: AttendanceSerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request, pk=None):
        membership = request.membership
        if request.method == "POST":
            _require(membership, Cap.RUN_CLINIC, "Only a clinic chair records attendance.")
        meeting = self._meeting()
        if request.method == "POST":
            serializer = AttendanceWriteSerializer(
                data=request.data,
                agencies=case_selectors.partnership_agencies(membership),
                users=_partnership_users(membership),
            )
            serializer.is_valid(raise_exception=True)
            clinic_services.attendance_record(
                actor=request.user,
                membership=membership,
                meeting=meeting,
                rows=serializer.validated_data["rows"],
            )
        rows = selectors.attendance_for(meeting)
        return Response(AttendanceSerializer(rows, many=True).data)


@extend_schema(parameters=[ID])
class AgendaItemViewSet(viewsets.GenericViewSet):
    """The chair's changes to one agenda item."""

    serializer_class = AgendaItemSerializer
    queryset = AgendaItem.objects.none()
    lookup_value_regex = r"\d+"

    def _item(self):
        _require(self.request.membership, Cap.RUN_CLINIC, "Only a clinic chair can do this.")
        return selectors.get_agenda_item_or_404(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=RemoveItemSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        item = self._item()
        serializer = RemoveItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agenda_services.agenda_remove_item(
            actor=request.user,
            membership=request.membership,
            item=item,
            reason=serializer.validated_data["reason"],
        )
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(request=MoveItemSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        item = self._item()
        serializer = MoveItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = agenda_services.agenda_move_item(
            actor=request.user,
            membership=request.membership,
            item=item,
            direction=serializer.validated_data["direction"],
        )
        return Response(AgendaItemSerializer(item).data)


class DiscussionViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Record an agenda item's discussion: a new CAS version for its case, with actions."""

    serializer_class = DiscussionSerializer
    queryset = CaseDiscussion.objects.none()

    @extend_schema(request=DiscussionWriteSerializer, responses={201: DiscussionSerializer})
    def create(self, request):
        membership = request.membership
        _require(membership, Cap.RUN_CLINIC, "Only a clinic chair records discussions.")
        serializer = DiscussionWriteSerializer(
            data=request.data,
            agencies=case_selectors.partnership_agencies(membership),
            users=_partnership_users(membership),
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        item = selectors.get_agenda_item_or_404(membership, values.pop("agenda_item"))
        wanted = values.pop("typologies", [])
        codes = list(
            code_choices(CodeList.TYPOLOGY, membership.agency.partnership_id).filter(pk__in=wanted)
        )
        if len(codes) != len(set(wanted)):
            raise ValidationError({"typologies": ["Choose typologies from the list."]})
        discussion = discussion_services.discussion_record(
            actor=request.user, membership=membership, item=item, typologies=codes, **values
        )
        return Response(DiscussionSerializer(discussion).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[CASE_PK])
class CaseDiscussionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every CAS version of a case the caller can see, newest first."""

    serializer_class = DiscussionSerializer
    queryset = CaseDiscussion.objects.none()
    pagination_class = None

    def list(self, request, case_pk=None):
        case = case_selectors.get_case_or_404(request.membership, case_pk)
        record_event(
            action=AuditAction.VIEW,
            actor=request.user,
            obj=case,
            detail={"api": "clinic_discussions"},
        )
        discussions = selectors.discussions_for_case(request.membership, case)
        return Response(DiscussionSerializer(discussions, many=True).data)


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register("clinics", ClinicViewSet, basename="clinic")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("discussions", DiscussionViewSet, basename="discussion")
    router.register(
        r"cases/(?P<case_pk>\d+)/discussions", CaseDiscussionViewSet, basename="case-discussion"
    )
