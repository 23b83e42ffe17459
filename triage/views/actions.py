"""The actions tracker: my actions, my agency's, a case's, and the partnership-wide view
for the chair's oversight meeting; the pages that complete, cancel, reassign and re-date
an action. Every page works without JavaScript; "Mark as done" in a list is enhanced with
htmx (the row is swapped in place)."""

from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from cases.forms.core import NOT_SAVED, apply_service_errors, save_through_service
from cases.pagination import CappedPaginator
from cases.selectors.core import get_case_or_404
from triage.forms.actions import (
    ActionCreateForm,
    ActionFilterForm,
    CancelForm,
    DueDateForm,
    ReassignForm,
)
from triage.models import ActionStatus
from triage.selectors import actions as selectors
from triage.services import actions as services

PAGE_SIZE = 50


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _list(request, *, list_name, heading, filters, agencies=None, by_agency=False, extra=None):
    membership = request.membership
    form = ActionFilterForm(
        {"show": filters.show, "sort": filters.sort, "agency": filters.agency_id or ""},
        agencies=agencies,
    )
    actions = selectors.action_list(membership, filters, by_agency=by_agency)
    page = CappedPaginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page.object_list:
        action.can_work = selectors.may_work(membership, action)
    record_event(
        action=AuditAction.LIST,
        actor=request.user,
        case=(extra or {}).get("case"),
        detail={
            "list": list_name,
            "show": filters.show,
            "agency": filters.agency_id,
            "page": page.number,
            "shown": len(page.object_list),
        },
    )
    context = {
        "heading": heading,
        "list_name": list_name,
        "page": page,
        "filters": filters,
        "filter_form": form,
        "by_agency": by_agency,
        "next_url": request.get_full_path(),
        **(extra or {}),
    }
    return render(request, "triage/action_list.html", context)


def _tabs(current):
    tabs = [
        ("mine", "My actions", "triage:my-actions"),
        ("agency", "My agency's actions", "triage:actions-agency"),
    ]
    return [
        {"label": label, "url": reverse(name), "current": key == current}
        for key, label, name in tabs
    ]


@member_required(Cap.WORK_ACTIONS)
def my_actions(request):
    filters = replace(_filters_from(request), owner_id=request.user.pk, agency_id=None)
    return _list(
        request,
        list_name="mine",
        heading="My actions",
        filters=filters,
        extra={"tabs": _tabs("mine"), "show_oversight": can(request.membership, Cap.RUN_CLINIC)},
    )


@member_required(Cap.WORK_ACTIONS)
def agency_actions(request):
    membership = request.membership
    filters = replace(_filters_from(request), agency_id=membership.agency_id)
    return _list(
        request,
        list_name="agency",
        heading=f"Actions for {membership.agency.name}",
        filters=filters,
        extra={"tabs": _tabs("agency"), "show_oversight": can(membership, Cap.RUN_CLINIC)},
    )


@member_required(Cap.RUN_CLINIC)
def all_actions(request):
    """Every action of the partnership, grouped by owner agency, with counts per agency:
    what the monthly oversight meeting reviews."""
    membership = request.membership
    filters = _filters_from(request)
    return _list(
        request,
        list_name="partnership",
        heading="Actions across the partnership",
        filters=filters,
        agencies=selectors.partnership_agencies(membership),
        by_agency=True,
        extra={"counts": selectors.agency_counts(membership, filters)},
    )


@member_required(Cap.WORK_ACTIONS)
def case_actions(request, case_pk):
    membership = request.membership
    case = get_case_or_404(membership, case_pk)
    filters = replace(_filters_from(request, default_show="all"), case_id=case.pk)
    return _list(
        request,
        list_name="case",
        heading=f"Actions on case {case.reference}",
        filters=filters,
        extra={"case": case, "can_add": selectors.may_create(membership)},
    )


def _filters_from(request, default_show="open"):
    return selectors.ActionFilters.from_params(request.GET, default_show=default_show)


# ---------------------------------------------------------------- one action


def _back(request, action):
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("triage:actions-detail", args=[action.pk])


@member_required(Cap.WORK_ACTIONS)
def action_detail(request, pk):
    membership = request.membership
    action = selectors.get_action_or_404(membership, pk)
    record_event(action=AuditAction.VIEW, actor=request.user, obj=action)
    return render(
        request,
        "triage/action_detail.html",
        {
            "action": action,
            "can_work": selectors.may_work(membership, action),
            "is_open": action.status == ActionStatus.OPEN,
        },
    )


def worker_required(view):
    """WORK_ACTIONS, the action visible (else 404), and the member may work it (else 403)."""

    @member_required(Cap.WORK_ACTIONS)
    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        action = selectors.get_action_or_404(request.membership, pk)
        if not selectors.may_work(request.membership, action):
            raise PermissionDenied("Only the owning agency and the clinic chair change this.")
        return view(request, action, *args, **kwargs)

    return wrapped


@require_POST
@worker_required
def action_complete(request, action):
    try:
        action = services.action_complete(
            actor=request.user, membership=request.membership, action=action
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        if _is_htmx(request):
            return _row(request, action, message=message)
        messages.info(request, message)
        return redirect(_back(request, action))
    if _is_htmx(request):
        return _row(request, action, message="Marked as done.")
    messages.success(request, f"Action marked as done: {action}")
    return redirect(_back(request, action))


def _row(request, action, *, message=""):
    action = selectors.get_action_or_404(request.membership, action.pk)
    action.can_work = selectors.may_work(request.membership, action)
    return render(
        request,
        "triage/_action_row.html",
        {
            "action": action,
            "row_message": message,
            "next_url": request.POST.get("next", ""),
            "show_case": request.POST.get("show_case") != "0",
        },
    )


def _form_page(
    request, action, form, *, heading, submit_label, intro="", happens=(), cannot_undo=""
):
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "triage/action_form.html",
        {
            "action": action,
            "form": form,
            "heading": heading,
            "submit_label": submit_label,
            "intro": intro,
            "happens": happens,
            "cannot_undo": cannot_undo,
            "back_url": reverse("triage:actions-detail", args=[action.pk]),
            "next_url": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=status,
    )


def _closed(request, action):
    messages.info(request, f"This action is already {action.get_status_display().lower()}.")
    return redirect("triage:actions-detail", action.pk)


@worker_required
def action_cancel(request, action):
    if action.status != ActionStatus.OPEN:
        return _closed(request, action)
    form = CancelForm(request.POST if request.method == "POST" else None)
    cancelled = save_through_service(
        form,
        lambda reason: services.action_cancel(
            actor=request.user, membership=request.membership, action=action, reason=reason
        ),
    )
    if cancelled is not NOT_SAVED:
        messages.success(request, "Action cancelled.")
        return redirect(_back(request, action))
    return _form_page(
        request,
        action,
        form,
        heading="Cancel the action?",
        submit_label="Cancel the action",
        happens=[
            f"The action is closed as cancelled, with your reason. {action.owner_agency.name} "
            "no longer has it to do and it stops counting as overdue.",
            "It stays on the case and in the clinic minutes, marked cancelled.",
        ],
        cannot_undo="A cancelled action cannot be reopened: add a new action if it is "
        "needed again.",
    )


@worker_required
def action_reassign(request, action):
    membership = request.membership
    if action.status != ActionStatus.OPEN:
        return _closed(request, action)
    chair = can(membership, Cap.RUN_CLINIC)
    agencies = selectors.owner_agencies_for(action.case) if chair else None
    if chair:
        owners = selectors.possible_owners_queryset_for(agencies)
    else:
        owners = selectors.possible_owners(action.owner_agency)
    form = ReassignForm(
        request.POST if request.method == "POST" else None,
        owners=owners,
        agencies=agencies,
        initial={"owner": action.owner_id, "owner_agency": action.owner_agency_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_reassign(
                actor=request.user,
                membership=membership,
                action=action,
                owner=form.cleaned_data["owner"],
                owner_agency=form.cleaned_data.get("owner_agency"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Action reassigned.")
            return redirect(_back(request, action))
    intro = "" if chair else f"Choose another member of {action.owner_agency.name}."
    return _form_page(
        request, action, form, heading="Reassign the action", submit_label="Reassign", intro=intro
    )


@worker_required
def action_due_date(request, action):
    if action.status != ActionStatus.OPEN:
        return _closed(request, action)
    form = DueDateForm(
        request.POST if request.method == "POST" else None, initial={"due_on": action.due_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_change_due_date(
                actor=request.user,
                membership=request.membership,
                action=action,
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Due date changed.")
            return redirect(_back(request, action))
    return _form_page(
        request, action, form, heading="Change the due date", submit_label="Save due date"
    )


def _create_required(view):
    @member_required(Cap.WORK_ACTIONS)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_create(request.membership):
            raise PermissionDenied("Only the clinic chair and police add actions.")
        return view(request, *args, **kwargs)

    return wrapped


@_create_required
def case_action_new(request, case_pk):
    membership = request.membership
    case = get_case_or_404(membership, case_pk)
    agencies = selectors.owner_agencies_for(case)
    form = ActionCreateForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        owners=selectors.possible_owners_queryset_for(agencies),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(
                actor=request.user, membership=membership, case=case, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Action added.")
            return redirect("triage:actions-case", case.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "triage/action_form.html",
        {
            "form": form,
            "case": case,
            "heading": "Add an action",
            "submit_label": "Add action",
            "back_url": reverse("triage:actions-case", args=[case.pk]),
        },
        status=status,
    )
