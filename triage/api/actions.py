"""API: clinic actions and meeting minutes.

Actions are found through triage.selectors.actions (404 outside scope); the member needs
WORK_ACTIONS (403 otherwise, before any lookup); writes go through
triage.services.actions, whose ValidationErrors become field-keyed 400s. Minutes: the
reader's version of a closed meeting and its audited download.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from cases.pagination import CappedPagination
from cases.selectors.core import get_case_or_404
from triage.models import Action
from triage.selectors import actions as selectors
from triage.selectors import clinics as clinic_selectors
from triage.selectors import minutes as minutes_selectors
from triage.serializers.actions import (
    ActionCancelSerializer,
    ActionDueDateSerializer,
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionReassignSerializer,
    MinutesJobSerializer,
    MinutesVersionSerializer,
)
from triage.services import actions as services
from triage.services import minutes as minutes_services
from triage.services.minutes import download_name as minutes_download_name

FILTERS = [
    OpenApiParameter(
        "status", str, description='"open", "overdue", "done", "cancelled" or "all" (default)'
    ),
    OpenApiParameter("overdue", bool, description="Only open actions past their due date."),
    OpenApiParameter("agency", int, description="Owner agency id."),
    OpenApiParameter("case", int, description="Case id."),
    OpenApiParameter("owner", str, description='"me": only actions owned by the caller.'),
    OpenApiParameter("sort", str, description='"due" (default) or "-due".'),
]
MEETING_PK = OpenApiParameter("meeting_pk", int, OpenApiParameter.PATH)


def _partnership_choices(membership):
    """The agencies and (usable) members of the caller's partnership an action may be
    given to; the services apply the finer rules (shared case, works actions)."""
    agencies = selectors.partnership_agencies(membership)
    users = clinic_selectors.partnership_users(membership.agency.partnership_id)
    return agencies, users


class ActionViewSet(viewsets.GenericViewSet):
    """Actions from clinics (and added to cases between clinics): open, overdue (derived:
    open and past the due date), done or cancelled, with who closed them and when. A member
    sees the actions of the cases visible to them; completes, cancels, reassigns and
    re-dates their own agency's; the clinic chair all of them."""

    serializer_class = ActionItemSerializer
    queryset = Action.objects.none()
    pagination_class = CappedPagination
    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can(request.membership, Cap.WORK_ACTIONS):
            raise PermissionDenied("Your role does not work actions.")

    def _filters(self):
        params = self.request.query_params
        filters = selectors.ActionFilters.from_params(params, default_show="all")
        owner_id = self.request.user.pk if params.get("owner") == "me" else None
        return selectors.ActionFilters(
            show=filters.show,
            sort=filters.sort,
            agency_id=filters.agency_id,
            case_id=selectors._int(params.get("case")),
            owner_id=owner_id,
        )

    def _action(self):
        return selectors.get_action_or_404(self.request.membership, self.kwargs["pk"])

    def _response(self, action, code=status.HTTP_200_OK):
        action = selectors.get_action_or_404(self.request.membership, action.pk)
        return Response(ActionItemSerializer(action).data, status=code)

    @extend_schema(parameters=FILTERS)
    def list(self, request):
        filters = self._filters()
        page = self.paginate_queryset(selectors.action_list(request.membership, filters))
        record_event(
            action=AuditAction.LIST,
            actor=request.user,
            detail={"api": "actions", "show": filters.show, "shown": len(page)},
        )
        return self.get_paginated_response(ActionItemSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        action_obj = self._action()
        record_event(action=AuditAction.VIEW, actor=request.user, obj=action_obj)
        return Response(ActionItemSerializer(action_obj).data)

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request):
        membership = request.membership
        if not selectors.may_create(membership):
            raise PermissionDenied("Only the clinic chair and police add actions.")
        agencies, users = _partnership_choices(membership)
        serializer = ActionItemCreateSerializer(data=request.data, agencies=agencies, users=users)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            case = get_case_or_404(membership, data.pop("case"))
        except Http404:
            raise ValidationError({"case": ["Choose a case you can see."]}) from None
        created = services.action_create(
            actor=request.user, membership=membership, case=case, **data
        )
        return self._response(created, status.HTTP_201_CREATED)

    def _worked(self):
        action_obj = self._action()
        if not selectors.may_work(self.request.membership, action_obj):
            raise PermissionDenied("Only the owning agency and the clinic chair change this.")
        return action_obj

    @extend_schema(request=None, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        done = services.action_complete(
            actor=request.user, membership=request.membership, action=self._worked()
        )
        return self._response(done)

    @extend_schema(request=ActionCancelSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        action_obj = self._worked()
        serializer = ActionCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cancelled = services.action_cancel(
            actor=request.user,
            membership=request.membership,
            action=action_obj,
            reason=serializer.validated_data["reason"],
        )
        return self._response(cancelled)

    @extend_schema(request=ActionReassignSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        action_obj = self._worked()
        agencies, users = _partnership_choices(request.membership)
        serializer = ActionReassignSerializer(data=request.data, agencies=agencies, users=users)
        serializer.is_valid(raise_exception=True)
        moved = services.action_reassign(
            actor=request.user,
            membership=request.membership,
            action=action_obj,
            owner=serializer.validated_data["owner"],
            owner_agency=serializer.validated_data.get("owner_agency"),
        )
        return self._response(moved)

    @extend_schema(request=ActionDueDateSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="due-date", url_name="due-date")
    def due_date(self, request, pk=None):
        action_obj = self._worked()
        serializer = ActionDueDateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.action_change_due_date(
            actor=request.user,
            membership=request.membership,
            action=action_obj,
            due_on=serializer.validated_data["due_on"],
        )
        return self._response(changed)


@extend_schema(parameters=[MEETING_PK])
class MeetingMinutesViewSet(viewsets.GenericViewSet):
    """The minutes of a closed meeting as the caller may read them: only the discussed
    cases shared with their agency, never victim contact details. Downloads are audited."""

    serializer_class = MinutesVersionSerializer
    queryset = Action.objects.none()
    pagination_class = None

    def _meeting(self):
        return minutes_selectors.get_meeting_or_404(
            self.request.membership, self.kwargs["meeting_pk"]
        )

    @extend_schema(responses={200: MinutesVersionSerializer(many=True)})
    def list(self, request, meeting_pk=None):
        """The caller's version (empty until the meeting is closed)."""
        meeting = self._meeting()
        if not minutes_selectors.is_closed(meeting):
            return Response([])
        audience = minutes_selectors.audience_for(request.membership, meeting)
        files = minutes_selectors.minutes_files_for_reader(request.membership, meeting, audience)
        minutes = minutes_selectors.minutes_file_for(meeting, audience)
        cases = minutes_selectors.case_references(audience.case_ids)
        record_event(
            action=AuditAction.LIST,
            actor=request.user,
            obj=meeting,
            detail={"api": "minutes", "case_ids": list(audience.case_ids)},
        )
        version = {
            "meeting": meeting.pk,
            "audience_key": audience.key,
            "cases": cases,
            "contact_withheld": True,
            "prepared_for": (
                minutes.prepared_for
                if minutes
                else minutes_selectors.readers_of(meeting, audience).label
            ),
            "version": meeting.minutes_version,
            "superseded": False,
            "generated": minutes is not None,
            "generated_at": minutes.generated_at if minutes else None,
            "page_count": minutes.page_count if minutes else None,
            "download_url": reverse(
                "api:meeting-minutes-download", kwargs={"meeting_pk": meeting.pk}
            ),
        }
        versions = [version]
        for other in files:
            if minutes is not None and other.pk == minutes.pk:
                continue
            versions.append(
                {
                    "meeting": meeting.pk,
                    "audience_key": other.audience_key,
                    "cases": minutes_selectors.case_references(other.case_ids),
                    "contact_withheld": other.contact_withheld,
                    "prepared_for": other.prepared_for,
                    "version": other.version,
                    "superseded": other.superseded,
                    "generated": True,
                    "generated_at": other.generated_at,
                    "page_count": other.page_count,
                    "download_url": reverse(
                        "api:meeting-minutes-file",
                        kwargs={"meeting_pk": meeting.pk, "file_pk": other.pk},
                    ),
                }
            )
        return Response(MinutesVersionSerializer(versions, many=True).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF."),
        }
    )
    @action(detail=False, methods=["get"])
    def download(self, request, meeting_pk=None):
        """The caller's version as a PDF (made now if it does not exist yet)."""
        membership = request.membership
        meeting = self._meeting()
        if not minutes_selectors.is_closed(meeting):
            raise Http404("The meeting has no minutes yet.")
        minutes = minutes_services.minutes_for_reader(membership=membership, meeting=meeting)
        return self._send(meeting, minutes)

    @extend_schema(request=None, responses={202: MinutesJobSerializer})
    @action(detail=False, methods=["post"])
    def retry(self, request, meeting_pk=None):
        """The chair tries a failed minutes job again: 202 with the job, queued again; 400
        ``errors.minutes`` when it has not failed."""
        if not can(request.membership, Cap.RUN_CLINIC):
            raise PermissionDenied("Only a clinic chair runs meetings.")
        job = minutes_services.minutes_retry(
            actor=request.user, membership=request.membership, meeting=self._meeting()
        )
        return Response(MinutesJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def _send(self, meeting, minutes):
        record_event(
            action=AuditAction.DOWNLOAD,
            actor=self.request.user,
            obj=minutes,
            detail={
                "meeting": meeting.pk,
                "case_ids": minutes.case_ids,
                "api": True,
                "version": minutes.version,
                "superseded": minutes.superseded,
                "prepared_for": minutes.prepared_for,
            },
        )
        return FileResponse(
            minutes.pdf.open("rb"),
            as_attachment=True,
            filename=minutes_download_name(meeting, minutes),
            content_type="application/pdf",
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF."),
        }
    )
    @action(detail=False, methods=["get"], url_path=r"files/(?P<file_pk>\d+)", url_name="file")
    def file(self, request, meeting_pk=None, file_pk=None):
        """One file from the caller's list (an earlier, superseded version too)."""
        meeting = self._meeting()
        minutes = minutes_selectors.get_minutes_file_or_404(
            request.membership, meeting, int(file_pk)
        )
        return self._send(meeting, minutes)


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register("actions", ActionViewSet, basename="action")
    router.register(
        r"meetings/(?P<meeting_pk>\d+)/minutes", MeetingMinutesViewSet, basename="meeting-minutes"
    )
