"""Report runs: ask for a report, follow its progress, read its figures, download its files,
run it again, and drill from a figure to the records that make it up."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPaginator
from reporting.forms.reports import RunForm
from reporting.models import ReportKind
from reporting.selectors import reports as selectors
from reporting.selectors.returns import METRICS_BY_KEY
from reporting.services import reports as services

REFUSAL = "Only managers, police supervisors and partnership admins run reports."
PAGE_SIZE = 25
ROWS_PAGE_SIZE = 100

reports_required = member_required(Cap.VIEW_REPORTS, refusal=REFUSAL)


@reports_required
def report_home(request):
    form = RunForm(request.POST or None, membership=request.membership)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.report_run_start(
                    actor=request.user, membership=request.membership, **form.run_arguments()
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, f"{run.get_kind_display()} started.")
                return redirect("reporting:run-detail", pk=run.pk)
        status = 400
    runs = selectors.runs_visible_to(request.membership)
    page = CappedCountPaginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"report_runs": True, "page": page.number, "shown": len(page.object_list)},
    )
    return render(
        request, "reporting/report_home.html", {"form": form, "page": page}, status=status
    )


@reports_required
def run_detail(request, pk):
    run = selectors.get_run_or_404(request.membership, pk)
    context = {"run": run, "files": selectors.run_files(run)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "reporting/_run_status.html", context)
    record_event(action=Action.VIEW, actor=request.user, obj=run)
    if run.kind == ReportKind.QUARTERLY_RETURN:
        context["figures"] = selectors.figure_table(run)
    elif run.kind == ReportKind.EVALUATION_PACK:
        context["changed_tables"] = selectors.pack_changes(run)
    return render(request, "reporting/run_detail.html", context)


@require_POST
@reports_required
def run_again(request, pk):
    run = selectors.get_run_or_404(request.membership, pk)
    try:
        again = services.report_run_again(
            actor=request.user, membership=request.membership, run=run
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reporting:run-detail", pk=run.pk)
    messages.success(request, "Running the report again from today's records.")
    return redirect("reporting:run-detail", pk=again.pk)


@require_POST
@reports_required
def run_retry(request, pk):
    run = selectors.get_run_or_404(request.membership, pk)
    try:
        services.report_run_retry(actor=request.user, membership=request.membership, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:run-detail", pk=run.pk)


@reports_required
def file_download(request, pk, file_pk):
    report_file = selectors.get_file_or_404(request.membership, pk, file_pk)
    services.report_file_download(
        actor=request.user, membership=request.membership, report_file=report_file
    )
    return FileResponse(
        report_file.file.open("rb"),
        as_attachment=True,
        filename=report_file.name,
        content_type=report_file.content_type,
    )


@reports_required
def figure_detail(request, pk, metric):
    """The records behind one figure, as far as the reader may see their cases."""
    run = selectors.get_run_or_404(request.membership, pk)
    group = request.GET.get("group", "")
    figure = selectors.get_figure_or_404(run, metric, group)
    rows, hidden = selectors.figure_rows(request.membership, figure)
    page = Paginator(rows, ROWS_PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        obj=run,
        detail={"figure": metric, "group": group, "shown": len(rows), "hidden": hidden},
    )
    return render(
        request,
        "reporting/figure_detail.html",
        {
            "run": run,
            "figure": figure,
            "metric": METRICS_BY_KEY[metric],
            "group_label": selectors.figure_label(run, figure),
            "page": page,
            "shown": len(rows),
            "hidden": hidden,
        },
    )
