"""API for the programme dashboard: figures per programme over a period (aggregates only;
403 for anyone who may not see them, 400 with field errors for a bad period)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from audit.models import Action
from audit.services import record_event
from interventions.forms.dashboard import PeriodForm
from interventions.models import Enrolment
from interventions.selectors import dashboard as selectors
from interventions.serializers.dashboard import ProgrammeFiguresSerializer

PERIOD = [
    OpenApiParameter("start", str, description="First date, YYYY-MM-DD (default 1 April)."),
    OpenApiParameter("end", str, description="Last date, YYYY-MM-DD (default today)."),
]


class DashboardViewSet(viewsets.GenericViewSet):
    """Per-programme figures (aggregates only: no names, no rows)."""

    serializer_class = ProgrammeFiguresSerializer
    pagination_class = None
    # Figures, not rows: the schema only needs the model for its path parameters.
    queryset = Enrolment.objects.none()

    @extend_schema(parameters=PERIOD, responses=ProgrammeFiguresSerializer(many=True))
    def list(self, request):
        membership = request.membership
        if not selectors.can_see_dashboard(membership):
            raise PermissionDenied("Only the providers, managers and the partnership admin.")
        form = PeriodForm.from_query(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = selectors.programme_figures(membership, start=start, end=end)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"api": "interventions-dashboard", "start": str(start), "end": str(end)},
        )
        return Response(ProgrammeFiguresSerializer(figures, many=True).data)


def register(router):
    router.register("interventions/dashboard", DashboardViewSet, basename="interventions-dashboard")
