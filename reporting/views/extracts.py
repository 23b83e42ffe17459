"""The research extract's pages: ask for one (members who run reports), the requests (the
requester sees theirs, a partnership admin every one of the partnership's), and the admin's
decision. The run page and the downloads are the report runs' (reporting:run-detail)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors, form_status
from reporting.forms.extracts import ExtractDecisionForm, ExtractRequestForm
from reporting.models import ApprovalStatus, ReportKind
from reporting.selectors import extracts as selectors
from reporting.selectors.inputs import active_local_areas
from reporting.services import extracts as services
from reporting.services.reports import report_run_start

PAGE_SIZE = 25

reports_required = member_required(
    Cap.VIEW_REPORTS, refusal="Only managers and partnership admins ask for research extracts."
)
admin_required = member_required(
    Cap.MANAGE_PARTNERSHIP, refusal="Only a partnership admin decides research extracts."
)


def _is_admin(membership):
    return can(membership, Cap.MANAGE_PARTNERSHIP)


@reports_required
def extract_list(request):
    membership = request.membership
    is_admin = _is_admin(membership)
    runs = selectors.extract_requests_for(membership)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(action=Action.LIST, actor=request.user, detail={"list": "research extracts"})
    partnership_id = membership.agency.partnership_id
    return render(
        request,
        "reporting/extracts/list.html",
        {
            "page": page,
            "is_admin": is_admin,
            "user_id": request.user.pk,
            "no_other_admin": not selectors.approver_ids(
                partnership_id, excluding_user_id=request.user.pk
            ),
            "statuses": ApprovalStatus,
        },
    )


def _request_extract(*, actor, membership, start, end, local_area, purpose):
    """report_run_start: validation, the run waiting for approval, its audit row and the
    admins' notification, in one transaction."""
    return report_run_start(
        actor=actor,
        membership=membership,
        kind=ReportKind.RESEARCH_EXTRACT,
        period_start=start,
        period_end=end,
        local_area=local_area,
        purpose=purpose,
    )


@reports_required
def extract_new(request):
    membership = request.membership
    local_areas = active_local_areas(membership)
    form = ExtractRequestForm(
        request.POST if request.method == "POST" else None, local_areas=local_areas
    )
    if request.method == "POST" and form.is_valid():
        try:
            _request_extract(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request, "Your request has been sent to the partnership admin for approval."
            )
            return redirect("reporting:extract-list")
    return render(
        request,
        "reporting/extracts/new.html",
        {"form": form, "has_areas": local_areas.exists()},
        status=form_status(request, form),
    )


@admin_required
def extract_decide(request, pk):
    membership = request.membership
    run = selectors.extract_for_decision(membership, pk)
    blocked = services.decision_errors(actor=request.user, run=run)
    form = ExtractDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_extract_decide(
                    actor=request.user,
                    membership=membership,
                    run=run,
                    approve=form.approve,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Extract approved: it is being built."
                    if form.approve
                    else "Extract refused. The person who asked has been told.",
                )
                return redirect("reporting:extract-list")
    else:
        record_event(action=Action.VIEW, actor=request.user, obj=run)
    return render(
        request,
        "reporting/extracts/decide.html",
        {
            "run": run,
            "form": form,
            "blocked": blocked.get("decision", ""),
            "period": selectors.period_label(run),
        },
        status=form_status(request, form),
    )
