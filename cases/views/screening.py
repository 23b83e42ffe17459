"""HTML views of the police daily crime screen. Police investigators and supervisors only."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors
from cases.forms.screening import (
    ActionForm,
    DecisionForm,
    ImportUploadForm,
    LinkCaseForm,
    SameCourseForm,
    WorklistFilterForm,
)
from cases.importers import crime_screen
from cases.models import ImportStatus, ScreeningActionKind
from cases.pagination import CappedPaginator
from cases.selectors import core as selectors
from cases.selectors import screening as screening_selectors
from cases.services import screening as screening_services
from cases.views import referrals as referral_views

PAGE_SIZE = 50


def _posted(request, files=False):
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


SUMMARY_PREVIEW = 300
REFUSAL_ROWS_SHOWN = 20  # the upload page lists this many row problems; the run page all


def screener_required(supervisor=False):
    """Signed in under a police investigator or supervisor membership; else 403."""

    def decorator(view):
        @member_required()
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = request.membership
            allowed = (
                screening_selectors.is_screening_supervisor(membership)
                if supervisor
                else screening_selectors.can_screen(membership)
            )
            if not allowed:
                raise PermissionDenied("Your role cannot use the crime screen.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@screener_required()
def worklist(request):
    membership = request.membership
    offences = screening_selectors.offence_codes(membership)
    form = WorklistFilterForm(request.GET or None, offences=offences)
    filters = form.filters() if form.is_bound else screening_selectors.WorklistFilters()
    entries = screening_selectors.worklist(membership, filters)
    page = CappedPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for entry in rows:
        entry.summary_marked = screening_selectors.highlight_indicators(
            entry.summary, limit=SUMMARY_PREVIEW
        )
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={
            "list": "crime screen",
            "filters": {k: v for k, v in request.GET.items() if k != "page" and v},
            "page": page.number,
            "shown": len(rows),
        },
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "today": timezone.localdate(),
        "is_supervisor": screening_selectors.is_screening_supervisor(membership),
    }
    return render(request, "screening/worklist.html", context)


@screener_required()
def import_new(request):
    membership = request.membership
    form = ImportUploadForm(*_posted(request, files=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        too_big = upload.size > crime_screen.MAX_UPLOAD_BYTES  # refused on its size, never read
        run = screening_services.import_start(
            actor=request.user,
            membership=membership,
            data=b"" if too_big else upload.read(),
            size=upload.size,
            original_name=upload.name,
            external_source=form.cleaned_data["external_source"],
        )
        if run.status != ImportStatus.FAILED:
            if run.status == ImportStatus.SUCCEEDED:
                messages.success(request, f"Import finished: {run.message}")
            return redirect("screening:import-detail", pk=run.pk)
        # Refused: said at the field, in the error summary, with the rows' problems below.
        form.add_error("file", run.message)
    else:
        run = None
    context = {
        "form": form,
        "refused": run,
        "row_errors": (run.errors or [])[:REFUSAL_ROWS_SHOWN] if run else [],
        "columns": crime_screen.COLUMNS,
        "max_mb": crime_screen.MAX_UPLOAD_BYTES // 1024 // 1024,
        "recent": screening_selectors.imports_visible_to(membership).select_related("uploaded_by")[
            :10
        ],
    }
    return render(request, "screening/import_new.html", context, status=400 if form.errors else 200)


@screener_required()
def import_list(request):
    runs = screening_selectors.imports_visible_to(request.membership).select_related("uploaded_by")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(action=Action.LIST, actor=request.user, detail={"list": "crime-screen imports"})
    return render(request, "screening/import_list.html", {"page": page})


@screener_required()
def import_detail(request, pk):
    run = screening_selectors.get_import_or_404(request.membership, pk)
    partial = request.headers.get("HX-Request") == "true"
    if not partial:
        record_event(action=Action.VIEW, actor=request.user, obj=run)
    errors = run.errors or []
    context = {
        "run": run,
        "errors": errors,
        "in_progress": run.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
    }
    template = "screening/_import_progress.html" if partial else "screening/import_detail.html"
    return render(request, template, context)


@require_POST
@screener_required()
def import_retry(request, pk):
    """ "Try again" on a run that failed for the service's reasons: queue its file again."""
    run = screening_selectors.get_import_or_404(request.membership, pk)
    try:
        screening_services.import_retry(actor=request.user, membership=request.membership, run=run)
    except ValidationError as error:
        for message in error.message_dict.get("run", error.messages):
            messages.error(request, message)
    else:
        messages.success(request, "The import has been queued again.")
    return redirect("screening:import-detail", pk=run.pk)


@screener_required()
def entry_detail(request, pk):
    membership = request.membership
    entry = screening_selectors.get_entry_or_404(membership, pk)
    record_event(action=Action.VIEW, actor=request.user, obj=entry)
    context = {
        "entry": entry,
        "summary_marked": screening_selectors.highlight_indicators(entry.summary),
        "indicators": screening_selectors.indicators_in(entry.summary),
        "actions": screening_selectors.actions_for(entry),
        "duplicates": screening_selectors.duplicates_of(entry),
        "is_supervisor": screening_selectors.is_screening_supervisor(membership),
        "case_visible": entry.case_id
        and entry.case_id in selectors.visible_case_ids(membership, [entry.case_id]),
        "decision_form": DecisionForm(initial={"decided_on": timezone.localdate()}),
        "referrals": screening_selectors.referrals_from(entry),
        "can_refer": can(membership, Cap.RECORD_REFERRAL),
    }
    return render(request, "screening/entry_detail.html", context)


@screener_required()
def entry_actions(request, pk):
    membership = request.membership
    entry = screening_selectors.get_entry_or_404(membership, pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        offences=screening_selectors.offence_codes(membership),
        initial={"acted_on": timezone.localdate()},
        entry=entry,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions = screening_services.actions_record(
                actor=request.user, membership=membership, entry=entry, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            labels = ", ".join(a.get_kind_display().lower() for a in actions)
            messages.success(request, f"Recorded on {entry.crime_reference}: {labels}.")
            referral = next(
                (a for a in actions if a.kind == ScreeningActionKind.REFER_TO_TRIAGE), None
            )
            if referral is not None and can(membership, Cap.RECORD_REFERRAL):
                # Straight on to the referral, filled in from the crime.
                url = reverse("screening:entry-refer", args=[entry.pk])
                return redirect(f"{url}?action={referral.pk}")
            return redirect("screening:entry", pk=entry.pk)
    context = {
        "form": form,
        "entry": entry,
        "kinds": ScreeningActionKind.choices,
        "selected": form["kinds"].value() or [],
    }
    return render(request, "screening/entry_actions.html", context)


@screener_required()
def entry_refer(request, pk):
    """Start a referral to the triage clinic from this crime (``?action=``: from its
    "refer to triage clinic" screening action): the question pages open filled in."""
    membership = request.membership
    if not can(membership, Cap.RECORD_REFERRAL):
        raise PermissionDenied("Your role cannot record referrals.")
    entry = screening_selectors.get_entry_or_404(membership, pk)
    action = None
    if request.GET.get("action", "").isdigit():
        action = screening_selectors.open_referral_action(entry, int(request.GET["action"]))
    return referral_views.start_from_crime(
        request,
        entry,
        source=screening_selectors.police_referral_source(membership),
        action=action,
    )


@screener_required(supervisor=True)
def reclassification_decide(request, pk):
    membership = request.membership
    action = screening_selectors.get_action_or_404(membership, pk)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            screening_services.reclassification_decide(
                actor=request.user, membership=membership, action=action, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Reclassification of {action.entry.crime_reference} "
                f"{action.get_reclassification_outcome_display().lower()}.",
            )
            return redirect("screening:entry", pk=action.entry_id)
    context = {
        "form": form,
        "action": action,
        "entry": action.entry,
        "heading": "Decide the reclassification request",
        "caption": action.entry.crime_reference,
        "submit_label": "Save decision",
        "back_url": reverse("screening:entry", args=[action.entry_id]),
    }
    return render(request, "screening/decide.html", context)


@screener_required()
def entry_same_course(request, pk):
    membership = request.membership
    entry = screening_selectors.get_entry_or_404(membership, pk)
    initial = {"original": entry.same_course_as.crime_reference if entry.same_course_as else ""}
    form = SameCourseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["original"].strip()
        original = None
        if reference:
            original = screening_selectors.entry_by_reference(membership, reference)
            if original is None:
                form.add_error("original", "No crime in your partnership has that reference.")
        if not form.errors:
            try:
                screening_services.entry_mark_same_course(
                    actor=request.user, membership=membership, entry=entry, original=original
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{entry.crime_reference} is counted with {entry.same_course_as}."
                    if entry.same_course_as
                    else f"{entry.crime_reference} is counted on its own.",
                )
                return redirect("screening:entry", pk=entry.pk)
    context = {
        "form": form,
        "heading": "Same course of conduct as another crime",
        "caption": entry.crime_reference,
        "submit_label": "Save",
        "back_url": reverse("screening:entry", args=[entry.pk]),
        "intro": "Several reports of one course of conduct are counted once: link this crime "
        "to the first report.",
    }
    return render(request, "screening/form_page.html", context)


@screener_required()
def entry_link_case(request, pk):
    membership = request.membership
    entry = screening_selectors.get_entry_or_404(membership, pk)
    initial = {"case": entry.case.reference if entry.case_id else ""}
    form = LinkCaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["case"].strip()
        case = None
        if reference:
            case = (
                selectors.cases_visible_to(membership).filter(reference__iexact=reference).first()
            )
            if case is None:
                form.add_error("case", "No case you can see has that reference.")
        if not form.errors:
            screening_services.entry_link_case(
                actor=request.user, membership=membership, entry=entry, case=case
            )
            messages.success(
                request,
                f"{entry.crime_reference} linked to case {case.reference}."
                if case
                else f"{entry.crime_reference} is no longer linked to a case.",
            )
            return redirect("screening:entry", pk=entry.pk)
    context = {
        "form": form,
        "heading": "Link the crime to a case",
        "caption": entry.crime_reference,
        "submit_label": "Save",
        "back_url": reverse("screening:entry", args=[entry.pk]),
    }
    return render(request, "screening/form_page.html", context)


@screener_required(supervisor=True)
def supervisor(request):
    membership = request.membership
    record_event(action=Action.VIEW, actor=request.user, detail={"page": "screening figures"})
    context = {
        "days": screening_selectors.screened_per_day(membership),
        "months": screening_selectors.misclassification_by_month(membership),
        "kinds": ScreeningActionKind.choices,
        "pending": screening_selectors.pending_reclassifications(membership)[:50],
    }
    return render(request, "screening/supervisor.html", context)
