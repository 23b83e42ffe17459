"""The programme dashboard page: figures per programme over a period, for the provider
agency's members (their agency) and for managers and the partnership admin (the
partnership, aggregates only). Listing the figures is audited like any list."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.decorators import member_required
from audit.models import Action
from audit.services import record_event
from interventions.forms.dashboard import PeriodForm
from interventions.selectors import dashboard as selectors


@member_required()
def dashboard(request):
    membership = request.membership
    if not selectors.can_see_dashboard(membership):
        raise PermissionDenied("Only the providers, managers and the partnership admin.")
    form = PeriodForm.from_query(request.GET)
    programmes = []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        programmes = selectors.programme_figures(membership, start=start, end=end)
        record_event(
            action=Action.LIST,
            actor=request.user,
            detail={"page": "interventions-dashboard", "start": str(start), "end": str(end)},
        )
    return render(
        request,
        "interventions/dashboard.html",
        {"form": form, "programmes": programmes},
        status=400 if form.errors else 200,
    )
