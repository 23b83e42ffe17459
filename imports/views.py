"""HTML of the migration workspace (partnership admins): upload, map, check, commit, roll
back. Views call the imports selectors and services only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors, form_status
from config.jobs import JobStatus
from imports import selectors, services
from imports.forms import MappingForm, UploadForm
from imports.kinds import KINDS
from imports.models import BatchStage

PAGE_SIZE = 50
ERRORS_SHOWN = 200

admin_required = member_required(
    Cap.MANAGE_PARTNERSHIP, refusal="Only a partnership admin brings records in."
)


@admin_required
def batch_list(request):
    batches = selectors.batches_visible_to(request.membership).select_related("uploaded_by")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(action=Action.LIST, actor=request.user, detail={"list": "imports"})
    return render(
        request,
        "imports/batch_list.html",
        {"page": page, "kinds": KINDS, "mappings": selectors.mappings_for(request.membership)},
    )


@admin_required
def batch_new(request):
    membership = request.membership
    mappings = list(selectors.mappings_for(membership))
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        kinds=selectors.kind_choices(),
        mappings=mappings,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((m for m in mappings if str(m.pk) == data["mapping"]), None)
        upload = data["file"]
        try:
            batch = services.batch_upload(
                actor=request.user,
                membership=membership,
                kind=data["kind"],
                source_system=data["source_system"],
                data=upload.read(),
                name=upload.name,
                mapping=chosen,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("imports:detail", pk=batch.pk)
    return render(
        request, "imports/batch_new.html", {"form": form}, status=form_status(request, form)
    )


def _mapping_form(request, batch):
    distinct = selectors.distinct_values(batch)
    data = request.POST if request.method == "POST" else None
    return MappingForm(data, batch=batch, distinct=distinct)


@admin_required
def batch_detail(request, pk):
    polling = request.headers.get("HX-Request") == "true"
    batch = selectors.get_batch_or_404(request.membership, pk, with_rows=not polling)
    committing = batch.committing
    if polling:
        return render(
            request,
            "imports/_progress.html",
            {
                "batch": batch,
                "committing": committing,
                "percent": selectors.progress_percent(batch),
            },
        )
    record_event(action=Action.VIEW, actor=request.user, obj=batch)
    form = _mapping_form(request, batch)
    status = 200
    if request.method == "POST" and batch.stage in (BatchStage.UPLOADED, BatchStage.CHECKED):
        if form.is_valid():
            columns, values = form.mapping()
            try:
                services.batch_map(
                    actor=request.user,
                    membership=request.membership,
                    batch=batch,
                    columns=columns,
                    values=values,
                    save_as=form.cleaned_data["save_as"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    target = field.replace("column_", "column__", 1)
                    form.add_error(target if target in form.fields else None, problems)
            else:
                if "check" in request.POST:
                    services.batch_check(
                        actor=request.user, membership=request.membership, batch=batch
                    )
                messages.success(request, "Mapping saved.")
                return redirect("imports:detail", pk=batch.pk)
        status = 400
    context = {
        "batch": batch,
        "kind_label": KINDS[batch.kind].label,
        "error_rows": len({error["row"] for error in batch.errors}),
        "form": form,
        "preview": selectors.preview(batch),
        "errors": batch.errors[:ERRORS_SHOWN],
        "committing": committing,
        "percent": selectors.progress_percent(batch),
        "editable": batch.stage in (BatchStage.UPLOADED, BatchStage.CHECKED) and not committing,
        "rollback_problems": services.rollback_problems(batch)
        if batch.stage == BatchStage.COMMITTED
        else [],
        "failed": batch.status == JobStatus.FAILED,
        "records": selectors.batch_records(batch) if batch.stage == BatchStage.COMMITTED else [],
    }
    return render(request, "imports/batch_detail.html", context, status=status)


def _act(request, pk, action, done):
    batch = selectors.get_batch_or_404(request.membership, pk)
    try:
        action(actor=request.user, membership=request.membership, batch=batch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("imports:detail", pk=batch.pk)


@require_POST
@admin_required
def batch_check(request, pk):
    return _act(request, pk, services.batch_check, "The file has been checked.")


@require_POST
@admin_required
def batch_commit(request, pk):
    return _act(request, pk, services.batch_commit, "The import is being committed.")


@require_POST
@admin_required
def batch_rollback(request, pk):
    return _act(request, pk, services.batch_rollback, "The import has been rolled back.")
