"""API for risk instruments and assessments.

Reads go through risk.selectors (404 outside the caller's scope); writes check the role
first (403, saying nothing about the record), then the scope, then the service, whose
ValidationErrors become field-keyed 400s (config/api_errors.py)."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPagination
from cases.selectors import core as case_selectors
from cases.selectors import people as people_selectors
from risk import selectors, services
from risk.models import Assessment, AssessmentStatus, Instrument
from risk.serializers import (
    AssessmentCompleteSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    HistoricRatingSerializer,
    InstrumentDetailSerializer,
    InstrumentSerializer,
    OverrideSerializer,
)
from triage.selectors import clinics as clinic_selectors

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
CASE = OpenApiParameter("case", int, description="Only this case's assessments.")
EXTERNAL = [
    OpenApiParameter("external_source", str, description="Only those from this system."),
    OpenApiParameter("external_id", str, description="Only the one with this external id."),
]


class InstrumentViewSet(viewsets.GenericViewSet):
    """National instruments and the caller's partnership's local tools, with the current
    version's definition (items, scales, scoring method and bands)."""

    serializer_class = InstrumentSerializer
    queryset = Instrument.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = None

    def list(self, request):
        return Response(
            InstrumentSerializer(selectors.instrument_list(request.membership), many=True).data
        )

    @extend_schema(parameters=[ID], responses=InstrumentDetailSerializer)
    def retrieve(self, request, pk=None):
        instrument = selectors.get_instrument_or_404(request.membership, pk)
        return Response(InstrumentDetailSerializer(instrument).data)


class ItemKeyedErrors:
    """Answer errors keyed by item code inside ``answers`` in the 400 body (also used by
    the measures and questionnaires endpoints of interventions and advocacy)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, services.AnswerErrors):
            body = {k: v for k, v in error.message_dict.items() if k != "answers"}
            body["answers"] = {code: [msg] for code, msg in error.item_errors.items()}
            raise ValidationError(body) from error
        return False


def _require_assessor(membership):
    if not can(membership, Cap.ASSESS_RISK):
        raise PermissionDenied("Your role does not assess risk.")


def _meeting(membership, meeting_id):
    if meeting_id is None:
        return None
    meeting = clinic_selectors.meeting_in_partnership(membership, meeting_id)
    if meeting is None:
        raise ValidationError({"meeting": ["Choose a meeting of your partnership."]})
    return meeting


class AssessmentViewSet(viewsets.GenericViewSet):
    """Risk assessments on the cases the caller can see. Drafts are changed and completed
    only by the assessor's agency; an override needs a reason."""

    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedCountPagination

    def _writable(self, pk):
        membership = self.request.membership
        _require_assessor(membership)
        assessment = selectors.get_assessment_or_404(membership, pk)
        if not services.can_write_assessment(membership, assessment):
            raise PermissionDenied("Only the assessor's agency can change this assessment.")
        return assessment

    def _subject(self, case, subject_id):
        if subject_id is None:
            return None
        subject = people_selectors.person_in_partnership(case, subject_id)
        if subject is None:
            raise ValidationError({"subject": ["Choose a person on this case."]})
        return subject

    @extend_schema(parameters=[CASE, *EXTERNAL])
    def list(self, request):
        membership = request.membership
        case_id = request.query_params.get("case")
        case = None
        if case_id is not None:
            if not case_id.isdigit():
                raise ValidationError({"case": ["Give a case id."]})
            case = case_selectors.get_case_or_404(membership, int(case_id))
        assessments = selectors.assessment_list(
            membership,
            case_id=case.pk if case else None,
            external_source=request.query_params.get("external_source", ""),
            external_id=request.query_params.get("external_id", ""),
        )
        page = self.paginate_queryset(assessments)
        record_event(
            action=Action.LIST,
            actor=request.user,
            case=case,
            detail={"api": "risk-assessments", "count": len(page)},
        )
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        assessment = selectors.get_assessment_or_404(request.membership, pk)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=assessment,
            case=assessment.case,
            detail={"api": True},
        )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        membership = request.membership
        _require_assessor(membership)
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_selectors.get_case_or_404(membership, data["case"])
        instrument = selectors.active_instrument_by_code(membership, data["instrument"])
        subject = self._subject(case, data.get("subject"))
        if instrument is None:
            raise ValidationError({"instrument": ["No instrument with this code."]})
        with ItemKeyedErrors():
            assessment = services.assessment_start(
                actor=request.user,
                membership=membership,
                case=case,
                instrument=instrument,
                subject=subject,
                meeting=_meeting(membership, data.get("meeting")),
                answers=data.get("answers") or {},
                assessed_on=data.get("assessed_on"),
                external_source=data["external_source"],
                external_id=data["external_id"],
            )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HistoricRatingSerializer, responses={201: AssessmentSerializer})
    @action(detail=False, methods=["post"])
    def historic(self, request):
        """A rating recorded before this system: a level as services wrote it (low,
        moderate, moderate/high, high, not completed), no item answers, no review date."""
        membership = request.membership
        _require_assessor(membership)
        serializer = HistoricRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_selectors.get_case_or_404(membership, data["case"])
        subject = self._subject(case, data.get("subject"))
        # Inactive tools too: a rating made with a tool the partnership no longer uses.
        instrument = selectors.instrument_by_code(membership, data["instrument"])
        if instrument is None:
            raise ValidationError({"instrument": ["No instrument with this code."]})
        assessment = services.historic_rating_record(
            actor=request.user,
            membership=membership,
            case=case,
            subject=subject,
            instrument=instrument,
            assessed_on=data["assessed_on"],
            recorded_level=data["recorded_level"],
            external_source=data["external_source"],
            external_id=data["external_id"],
            note=data["note"],
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=AssessmentUpdateSerializer)
    def partial_update(self, request, pk=None):
        """A draft's answers and meeting, or a complete assessment's review date; the
        external id of either."""
        # Found outside the transaction: a refusal's denial row must outlive the 404.
        assessment = self._writable(pk)
        serializer = AssessmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._update(request, assessment, dict(serializer.validated_data))

    @transaction.atomic
    def _update(self, request, assessment, data):
        """All of the PATCH or none of it (external id and the rest)."""
        membership = request.membership
        external = {k: data.pop(k) for k in ("external_source", "external_id") if k in data}
        if external:
            services.assessment_set_external_id(
                actor=request.user,
                membership=membership,
                assessment=assessment,
                external_source=external.get("external_source", assessment.external_source),
                external_id=external.get("external_id", assessment.external_id),
            )
            if not data:
                return Response(AssessmentSerializer(assessment).data)
        if assessment.status == AssessmentStatus.COMPLETE:
            if set(data) - {"review_due_on"} or "review_due_on" not in data:
                raise ValidationError(
                    {"answers": ["This assessment is complete: only review_due_on can change."]}
                )
            services.assessment_set_review_date(
                actor=request.user,
                membership=membership,
                assessment=assessment,
                review_due_on=data["review_due_on"],
            )
        else:
            if "review_due_on" in data:
                raise ValidationError(
                    {"review_due_on": ["A draft's review date is set when it is completed."]}
                )
            with ItemKeyedErrors():
                services.assessment_save_answers(
                    actor=request.user,
                    membership=membership,
                    assessment=assessment,
                    answers=data.get("answers", assessment.answers),
                    meeting=_meeting(membership, data.get("meeting")),
                    set_meeting="meeting" in data,
                )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(parameters=[ID], request=AssessmentCompleteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assessment = self._writable(pk)
        serializer = AssessmentCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with ItemKeyedErrors():
            services.assessment_complete(
                actor=request.user,
                membership=request.membership,
                assessment=assessment,
                answers=data.get("answers"),
                review_due_on=data.get("review_due_on"),
                meeting=_meeting(request.membership, data.get("meeting")),
                set_meeting="meeting" in data,
                override_level=data.get("override_level", ""),
                override_reason=data.get("override_reason", ""),
                assessed_on=data.get("assessed_on"),
            )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(parameters=[ID], request=OverrideSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        assessment = self._writable(pk)
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assessment_override(
            actor=request.user,
            membership=request.membership,
            assessment=assessment,
            **serializer.validated_data,
        )
        return Response(AssessmentSerializer(assessment).data)


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register("risk/instruments", InstrumentViewSet, basename="risk-instrument")
    router.register("risk/assessments", AssessmentViewSet, basename="risk-assessment")
