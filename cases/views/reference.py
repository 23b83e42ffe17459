"""The partnership admin's reference-data pages: national and local codes, add, relabel,
retire. National codes are read-only here (they change by migration)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors
from cases.forms.reference import CodeAddForm, RelabelForm, RetireForm
from cases.models import CodeList
from cases.selectors import reference as reference_selectors
from cases.services import reference as reference_services

admin_required = member_required(Cap.MANAGE_PARTNERSHIP)


def _back():
    return reverse("cases:reference-data")


def _render(request, context, form):
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "back_url": _back(), **context}
    return render(request, "cases/record/reference_form.html", context, status=status)


@admin_required
def code_lists(request):
    membership = request.membership
    record_event(action=Action.LIST, actor=request.user, detail={"reference_data": True})
    context = {
        "lists": reference_selectors.code_lists_for(membership),
        "today": timezone.localdate(),
        "local_lists": [CodeList(c).label.lower() for c in reference_services.LOCAL_LISTS],
    }
    return render(request, "cases/record/reference_data.html", context)


@admin_required
def code_add(request):
    form = CodeAddForm(
        request.POST if request.method == "POST" else None,
        initial={"effective_from": timezone.localdate(), "code_list": request.GET.get("list")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            code = reference_services.local_code_add(
                actor=request.user, membership=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Local code {code.code} added.")
            return redirect(_back())
    return _render(request, {"heading": "Add a local code", "submit_label": "Add code"}, form)


@admin_required
def code_relabel(request, pk):
    code = reference_selectors.get_local_code_or_404(request.membership, pk)
    form = RelabelForm(
        request.POST if request.method == "POST" else None,
        initial={"label": code.label, "effective_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reference_services.local_code_relabel(
                actor=request.user, membership=request.membership, code=code, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Code {code.code} relabelled: a new version was made.")
            return redirect(_back())
    context = {
        "heading": f"Relabel {code.code}",
        "caption": code.get_code_list_display(),
        "intro": (
            f"Now: \u201c{code.label}\u201d (version {code.version}). Relabelling makes a new "
            "version and ends this one the day before the new label starts, so records "
            "made with this label keep it."
        ),
        "submit_label": "Relabel",
    }
    return _render(request, context, form)


@admin_required
def code_retire(request, pk):
    code = reference_selectors.get_local_code_or_404(request.membership, pk)
    form = RetireForm(
        request.POST if request.method == "POST" else None,
        initial={"effective_to": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reference_services.local_code_retire(
                actor=request.user, membership=request.membership, code=code, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Code {code.code} retired: it is no longer offered.")
            return redirect(_back())
    context = {
        "heading": f"Retire {code.code}",
        "caption": code.get_code_list_display(),
        "intro": f"\u201c{code.label}\u201d stops being offered. Records that use it keep it.",
        "submit_label": "Retire code",
    }
    return _render(request, context, form)
