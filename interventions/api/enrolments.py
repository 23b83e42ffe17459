"""API of enrolments."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import can_work_interventions
from audit.models import Action
from audit.services import record_event
from cases.models.external import external_id_filter
from cases.pagination import CappedPagination
from interventions.models import Enrolment, EnrolmentStatus
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import programmes as programme_selectors
from interventions.serializers.enrolments import (
    ConsentSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    WithdrawSerializer,
)
from interventions.services import enrolments as enrolment_services

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


ENROLMENT = OpenApiParameter("enrolment_pk", int, OpenApiParameter.PATH)


STATUS = OpenApiParameter("status", str, enum=EnrolmentStatus.values, description="Derived status.")
EXTERNAL = [
    OpenApiParameter("external_source", str, description="The system the enrolment came from"),
    OpenApiParameter("external_id", str, description="The enrolment's id in that system"),
]


def _require_provider(membership):
    if not can_work_interventions(membership):
        raise PermissionDenied("Only clinicians of a health agency use this.")


class OneObjectSchema(AutoSchema):
    """For a viewset whose collection URL holds one object per enrolment (eligibility, end
    report): GET answers that object, not an array."""

    def _is_list_view(self, serializer=None):
        return False


class UnderEnrolment:
    """For viewsets nested under /enrolments/{enrolment_pk}/: the enrolment, if the
    caller's agency delivers it (403 outside a health agency, 404 and a denial row
    otherwise)."""

    def _enrolment(self):
        membership = self.request.membership
        _require_provider(membership)
        return enrolment_selectors.get_enrolment_or_404(membership, self.kwargs["enrolment_pk"])


class EnrolmentViewSet(viewsets.GenericViewSet):
    """Enrolments delivered by the caller's health agency."""

    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = CappedPagination

    @extend_schema(parameters=[STATUS, *EXTERNAL])
    def list(self, request):
        membership = request.membership
        _require_provider(membership)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in EnrolmentStatus.values:
            raise ValidationError(
                {"status": [f"Choose one of {', '.join(EnrolmentStatus.values)}."]}
            )
        enrolments = external_id_filter(
            enrolment_selectors.caseload(membership, status=wanted),
            source=request.query_params.get("external_source", ""),
            external_id=request.query_params.get("external_id", ""),
        ).prefetch_related("sessions")
        page = self.paginate_queryset(enrolments)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "interventions-enrolments", "count": len(page)},
        )
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)

    @extend_schema(parameters=[ID])
    def retrieve(self, request, pk=None):
        membership = request.membership
        _require_provider(membership)
        enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=enrolment,
            case=enrolment.case,
            detail={"api": True},
        )
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer})
    def create(self, request):
        membership = request.membership
        _require_provider(membership)
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        errors = {}
        party = enrolment_selectors.party_in_partnership(membership, data["party"])
        if party is None:
            errors["party"] = ["Choose a perpetrator or victim on a case shared with your agency."]
        programme = programme_selectors.programme_for(membership, data["programme"])
        if programme is None:
            errors["programme"] = ["Choose a programme."]
        practitioner = None
        if data["practitioner"] is not None:
            practitioner = (
                enrolment_selectors.clinicians_of_agency(membership)
                .filter(pk=data["practitioner"])
                .first()
            )
            if practitioner is None:
                errors["practitioner"] = ["Choose a clinician in your agency."]
        if errors:
            raise ValidationError(errors)
        enrolment = enrolment_services.enrolment_refer(
            actor=request.user,
            membership=membership,
            party=party,
            programme=programme,
            pathway=data["pathway"],
            referred_on=data["referred_on"],
            planned_sessions=data["planned_sessions"],
            practitioner=practitioner,
        )
        enrolment = enrolment_selectors.get_enrolment_or_404(membership, enrolment.pk)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    def _write(self, request, pk, serializer_class, service):
        membership = request.membership
        _require_provider(membership)
        enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(
            actor=request.user,
            membership=membership,
            enrolment=enrolment,
            **serializer.validated_data,
        )
        enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(parameters=[ID], request=ConsentSerializer, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record the consent and information-sharing contract (before the first session)."""
        return self._write(request, pk, ConsentSerializer, enrolment_services.consent_record)

    @extend_schema(
        parameters=[ID], request=WithdrawSerializer, responses={200: EnrolmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Record a drop-out: the date and a coded reason (grouped: see withdrawal_group)."""
        return self._write(request, pk, WithdrawSerializer, enrolment_services.enrolment_withdraw)


def register(router):
    """Registers enrolments on the API router."""
    router.register(
        "interventions/enrolments", EnrolmentViewSet, basename="interventions-enrolment"
    )
