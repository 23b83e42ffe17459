"""API: Crime-screen imports, entries and screening actions. Police investigators and
supervisors only (others: 403); anything outside the partnership: 404."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.api.core import MemberScopedMixin
from cases.forms.screening import WorklistFilterForm
from cases.models import (
    CrimeScreenEntry,
    ImportRun,
    ImportStatus,
    ScreeningAction,
    external_id_filter,
)
from cases.pagination import CappedPagination
from cases.selectors import core as case_selectors
from cases.selectors import screening as selectors
from cases.serializers.referrals import ReferralSerializer
from cases.serializers.screening import (
    ActionRecordSerializer,
    CrimeScreenEntryDetailSerializer,
    CrimeScreenEntrySerializer,
    DecisionSerializer,
    EntryDisposalSerializer,
    EntryLinkCaseSerializer,
    ImportCreateSerializer,
    ImportRunSerializer,
    ScreeningActionSerializer,
    referral_defaults,
)
from cases.services import referrals as referral_services
from cases.services import screening as services

FILTER_PARAMETERS = [
    OpenApiParameter("offence", int, description="ReferenceCode id of the offence"),
    OpenApiParameter("da", str, enum=["yes", "no"]),
    OpenApiParameter("screened", str, enum=["yes", "no"]),
    OpenApiParameter("area", str),
    OpenApiParameter("officer", str),
    OpenApiParameter("recorded_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("recorded_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("external_source", str, description="The system the crime came from"),
    OpenApiParameter("external_id", str, description="The crime's id in that system"),
]


class ScreenerMixin(MemberScopedMixin):
    supervisor_only = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "swagger_fake_view", False):
            return
        if not selectors.can_screen(request.membership):
            raise PermissionDenied(
                "Only police investigators and supervisors use the crime screen."
            )


class CrimeScreenEntryViewSet(
    ScreenerMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The daily crime screen: unscreened first, newest recorded first. Police only."""

    schema_model = CrimeScreenEntry
    serializer_class = CrimeScreenEntrySerializer
    pagination_class = CappedPagination

    def scoped_queryset(self, membership):
        form = WorklistFilterForm(
            self.request.query_params, offences=selectors.offence_codes(membership)
        )
        if self.action == "list" and not form.is_valid():
            raise ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        filters = form.filters() if self.action == "list" else None
        entries = selectors.worklist(membership, filters).select_related(
            "source_offence", "same_course_as", "disposal", "case"
        )
        if self.action == "list":
            entries = external_id_filter(
                entries,
                source=self.request.query_params.get("external_source", ""),
                external_id=self.request.query_params.get("external_id", ""),
            )
        return entries

    def get_serializer_class(self):
        return (
            CrimeScreenEntryDetailSerializer
            if self.action == "retrieve"
            else super().get_serializer_class()
        )

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "screening-entries", "count": response.data.get("count")},
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        entry = selectors.get_entry_or_404(request.membership, kwargs["pk"])
        record_event(action=Action.VIEW, actor=request.user, obj=entry, detail={"api": True})
        entry = (
            selectors.entries_visible_to(request.membership)
            .select_related("offence", "source_offence", "same_course_as", "disposal", "case")
            .prefetch_related(
                Prefetch(
                    "actions",
                    ScreeningAction.objects.select_related(
                        "actor", "requested_offence", "previous_offence", "decided_by"
                    ),
                )
            )
            .get(pk=entry.pk)
        )
        return Response(CrimeScreenEntryDetailSerializer(entry).data)

    @extend_schema(request=EntryDisposalSerializer, responses={200: CrimeScreenEntrySerializer})
    def partial_update(self, request, *args, **kwargs):
        """Record the crime's disposal as the police system finalised it: ``disposal`` (a
        Home Office outcome code in use on the date) and ``disposal_on``, both together;
        both null clears it. Field errors answer 400 and nothing is changed."""
        membership = request.membership
        entry = selectors.get_entry_or_404(membership, kwargs["pk"])
        serializer = EntryDisposalSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.entry_set_disposal(
            actor=request.user, membership=membership, entry=entry, **serializer.validated_data
        )
        return Response(CrimeScreenEntrySerializer(entry).data)

    @extend_schema(
        request=ActionRecordSerializer, responses={201: ScreeningActionSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions")
    def record_actions(self, request, pk=None):
        membership = request.membership
        entry = selectors.get_entry_or_404(membership, pk)
        serializer = ActionRecordSerializer(
            data=request.data, offences=selectors.offence_codes(membership)
        )
        serializer.is_valid(raise_exception=True)
        # A service's ValidationError becomes the field-keyed 400 in config/api_errors.py.
        actions = services.actions_record(
            actor=request.user, membership=membership, entry=entry, **serializer.validated_data
        )
        return Response(
            ScreeningActionSerializer(actions, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=EntryLinkCaseSerializer, responses={200: CrimeScreenEntrySerializer})
    @action(detail=True, methods=["post"], url_path="link-case", url_name="link-case")
    def link_case(self, request, pk=None):
        """Add the crime to an existing case you can see (``case``: its id or reference), or
        unlink it (null or blank). A crime already linked to another case is refused (400):
        unlink it first; linking it again to the same case changes nothing."""
        membership = request.membership
        entry = selectors.get_entry_or_404(membership, pk)
        serializer = EntryLinkCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["case"]
        case = None
        if wanted not in (None, ""):
            visible = case_selectors.cases_visible_to(membership)
            case = (
                visible.filter(pk=wanted)
                if isinstance(wanted, int)
                else visible.filter(reference__iexact=wanted)
            ).first()
            if case is None:
                raise ValidationError({"case": ["No case you can see has that reference."]})
        services.entry_link_case(
            actor=request.user, membership=membership, entry=entry, case=case, replace=False
        )
        entry = selectors.get_entry_or_404(membership, entry.pk)
        return Response(CrimeScreenEntrySerializer(entry).data)

    @extend_schema(request=ReferralSerializer, responses={201: ReferralSerializer})
    @action(detail=True, methods=["post"], url_path="referral", url_name="referral")
    def referral(self, request, pk=None):
        """Record a referral from the crime. Every field is optional: what is not sent is
        taken from the crime (source police, received today, the reason from the offence,
        dates, summary and crime reference, the suspect as the perpetrator and the victim:
        a person already linked to the crime by ``id``, else new details). Send
        ``perpetrator``/``victim`` as ``{"id": …}`` to use an existing person (likely
        matches: GET /people/matches/). ``sharing_basis`` is yours to give. The crime is
        linked to the case when the referral is accepted."""
        membership = request.membership
        if not can(membership, Cap.RECORD_REFERRAL):
            raise PermissionDenied("Your role cannot record referrals.")
        entry = selectors.get_entry_or_404(membership, pk)
        entry = (
            selectors.entries_visible_to(membership)
            .select_related("offence", "suspect_person", "victim_person")
            .get(pk=entry.pk)
        )
        data = referral_defaults(
            entry,
            source=selectors.police_referral_source(membership),
            received_on=timezone.localdate(),
        )
        data.update(request.data)
        serializer = ReferralSerializer(
            data=data,
            context=self.get_serializer_context(),
            cases=case_selectors.cases_visible_to(membership),
        )
        serializer.is_valid(raise_exception=True)
        referral = referral_services.referral_record(
            actor=request.user,
            membership=membership,
            crime_screen_entry=entry,
            **serializer.validated_data,
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ScreeningActionViewSet(ScreenerMixin, viewsets.GenericViewSet):
    """Reclassification decisions: police supervisors only."""

    schema_model = ScreeningAction
    serializer_class = ScreeningActionSerializer

    def scoped_queryset(self, membership):
        return ScreeningAction.objects.none()

    @extend_schema(request=DecisionSerializer, responses={200: ScreeningActionSerializer})
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    def decide(self, request, pk=None):
        membership = request.membership
        if not selectors.is_screening_supervisor(membership):
            raise PermissionDenied("Only a police supervisor decides reclassification requests.")
        screening_action = selectors.get_action_or_404(membership, pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.reclassification_decide(
            actor=request.user,
            membership=membership,
            action=screening_action,
            **serializer.validated_data,
        )
        return Response(ScreeningActionSerializer(decided).data)


class ImportRunViewSet(
    ScreenerMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Crime-screen imports. POST a JSON body ``{"rows": [...]}`` or a multipart ``file``.

    Answers 201 with the run when it finished, 202 when it runs in the background (poll
    the run), 400 with ``errors`` keyed by field when the file or any row is refused:
    nothing is imported then, and the run (with every row error) is in ``errors.import``.
    """

    schema_model = ImportRun
    serializer_class = ImportRunSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return selectors.imports_visible_to(membership)

    def get_object(self):
        return selectors.get_import_or_404(self.request.membership, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        run = self.get_object()
        record_event(action=Action.VIEW, actor=request.user, obj=run, detail={"api": True})
        return Response(ImportRunSerializer(run).data)

    @extend_schema(request=ImportCreateSerializer, responses={201: ImportRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        run = services.import_start(
            actor=request.user,
            membership=request.membership,
            data=upload.read() if upload is not None else None,
            rows=serializer.validated_data.get("rows"),
            original_name=upload.name if upload is not None else "",
            source="api",
            external_source=serializer.validated_data.get("external_source", ""),
        )
        body = ImportRunSerializer(run).data
        if run.status == ImportStatus.FAILED:
            field = "file" if upload is not None else "rows"
            return Response(
                {
                    "status": 400,
                    "errors": {field: [run.message], "rows_errors": run.errors},
                    "import": body,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = status.HTTP_201_CREATED if run.status == ImportStatus.SUCCEEDED else 202
        return Response(body, status=code)

    @extend_schema(request=None, responses={202: ImportRunSerializer})
    @action(detail=True, methods=["post"], url_path="retry", url_name="retry")
    def retry(self, request, pk=None):
        """Try a run again that failed for the service's reasons (its kept file is imported
        from the start): 202 with the run, PENDING again; 400 ``errors.run`` when it cannot
        be (it succeeded, or the file itself was refused: upload it again)."""
        run = services.import_retry(
            actor=request.user, membership=request.membership, run=self.get_object()
        )
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
    router.register("screening-entries", CrimeScreenEntryViewSet, basename="screening-entry")
    router.register("screening-actions", ScreeningActionViewSet, basename="screening-action")
    router.register("screening-imports", ImportRunViewSet, basename="screening-import")
