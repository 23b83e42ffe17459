"""The report set-up pages: local areas, training events and staff FTE (what reports need
that is not a case record). Who may use which is in reporting.selectors.inputs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import NOT_SAVED, form_status, save_through_service
from reporting.forms.inputs import LocalAreaForm, StaffFteForm, TrainingEventForm
from reporting.selectors import inputs as selectors
from reporting.services import inputs as services

PAGE_SIZE = 25

admin_required = member_required(
    Cap.MANAGE_PARTNERSHIP, refusal="Only the partnership admin sets this up."
)
setup_member = member_required(
    allowed=selectors.can_use_setup, refusal="Your role does not set up reports."
)
trainer_required = member_required(
    allowed=selectors.can_record_training,
    refusal="Only the partnership admin and those who see reports record training.",
)


def _form_page(request, form, *, heading, back, submit_label, caption="", extra=None):
    context = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "back_url": back,
        "submit_label": submit_label,
        **(extra or {}),
    }
    return render(request, "reporting/inputs/form.html", context, status=form_status(request, form))


def _listed(request, what, **detail):
    record_event(action=Action.LIST, actor=request.user, detail={"setup": what, **detail})


@setup_member
def setup(request):
    membership = request.membership
    _listed(request, "index")
    context = {
        "manages": selectors.can_manage_inputs(membership),
        "trains": selectors.can_record_training(membership),
    }
    return render(request, "reporting/inputs/setup.html", context)


# Local areas


@admin_required
def local_area_list(request):
    areas = list(selectors.local_areas_for(request.membership))
    _listed(request, "local_areas", shown=len(areas))
    return render(request, "reporting/inputs/local_area_list.html", {"areas": areas})


def _area_extra(membership):
    return {"police_area_hints": selectors.police_area_hints(membership)}


@admin_required
def local_area_new(request):
    membership = request.membership
    form = LocalAreaForm(request.POST if request.method == "POST" else None, membership=membership)
    area = save_through_service(
        form,
        lambda **data: services.local_area_create(
            actor=request.user, membership=membership, **data
        ),
    )
    if area is not NOT_SAVED:
        messages.success(request, f"Local area {area.name} added.")
        return redirect("reporting:local-area-list")
    return _form_page(
        request,
        form,
        heading="Add a local area",
        back=reverse("reporting:local-area-list"),
        submit_label="Add local area",
        extra=_area_extra(membership),
    )


@admin_required
def local_area_edit(request, pk):
    membership = request.membership
    area = selectors.get_local_area_or_404(membership, pk)
    form = LocalAreaForm(
        request.POST if request.method == "POST" else None,
        membership=membership,
        initial=LocalAreaForm.initial_of(area),
    )
    saved = save_through_service(
        form,
        lambda **data: services.local_area_update(
            actor=request.user, membership=membership, area=area, **data
        ),
    )
    if saved is not NOT_SAVED:
        messages.success(request, f"Local area {saved.name} saved.")
        return redirect("reporting:local-area-list")
    return _form_page(
        request,
        form,
        heading=f"Change {area.name}",
        caption="Local area",
        back=reverse("reporting:local-area-list"),
        submit_label="Save changes",
        extra=_area_extra(membership),
    )


# Training events


@trainer_required
def training_list(request):
    membership = request.membership
    page = Paginator(selectors.training_events_for(membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    editable = {
        event.pk for event in page.object_list if selectors.may_edit_training(membership, event)
    }
    _listed(request, "training", page=page.number, shown=len(page.object_list))
    return render(
        request, "reporting/inputs/training_list.html", {"page": page, "editable": editable}
    )


@trainer_required
def training_new(request):
    membership = request.membership
    form = TrainingEventForm(
        request.POST if request.method == "POST" else None,
        membership=membership,
        initial={"delivered_by": membership.agency},
    )
    event = save_through_service(
        form,
        lambda **data: services.training_event_create(
            actor=request.user, membership=membership, **data
        ),
    )
    if event is not NOT_SAVED:
        messages.success(request, f"Training on {event.topic} recorded.")
        return redirect("reporting:training-list")
    return _form_page(
        request,
        form,
        heading="Record training delivered",
        back=reverse("reporting:training-list"),
        submit_label="Record training",
    )


@trainer_required
def training_edit(request, pk):
    membership = request.membership
    event = selectors.get_training_event_or_404(membership, pk)
    form = TrainingEventForm(
        request.POST if request.method == "POST" else None,
        membership=membership,
        event=event,
        initial=TrainingEventForm.initial_of(event),
    )
    saved = save_through_service(
        form,
        lambda **data: services.training_event_update(
            actor=request.user, membership=membership, event=event, **data
        ),
    )
    if saved is not NOT_SAVED:
        messages.success(request, f"Training on {saved.topic} saved.")
        return redirect("reporting:training-list")
    return _form_page(
        request,
        form,
        heading="Change training",
        caption=str(event),
        back=reverse("reporting:training-list"),
        submit_label="Save changes",
    )


@trainer_required
def training_delete(request, pk):
    membership = request.membership
    event = selectors.get_training_event_or_404(membership, pk)
    if request.method == "POST":
        services.training_event_delete(actor=request.user, membership=membership, event=event)
        messages.success(request, f"Training on {event.topic} deleted.")
        return redirect("reporting:training-list")
    context = {
        "heading": "Delete this training record?",
        "caption": str(event),
        "back_url": reverse("reporting:training-list"),
        "happens": [
            f"{event.attendee_count} people trained by {event.delivered_by.name} on "
            f"{event.delivered_on:%d/%m/%Y} stop counting in reports run from now on.",
            "Reports already run keep the figures they were built with.",
        ],
        "cannot_undo": "You cannot undo this; you would have to record the training again.",
        "submit_label": "Delete training",
    }
    return render(request, "includes/confirm_page.html", context)


# Staff FTE


@admin_required
def fte_list(request):
    groups = selectors.staff_fte_by_agency(request.membership)
    _listed(request, "staff_fte", shown=sum(len(rows) for _agency, rows in groups))
    return render(request, "reporting/inputs/fte_list.html", {"groups": groups})


@admin_required
def fte_new(request):
    membership = request.membership
    initial = {}
    agency_id = request.GET.get("agency")
    if agency_id and agency_id.isdigit():
        initial["agency"] = selectors.partnership_agencies(membership).filter(pk=agency_id).first()
    form = StaffFteForm(
        request.POST if request.method == "POST" else None, membership=membership, initial=initial
    )
    row = save_through_service(
        form,
        lambda **data: services.staff_fte_create(actor=request.user, membership=membership, **data),
    )
    if row is not NOT_SAVED:
        messages.success(request, f"{row.fte} FTE recorded for {row.agency.name}.")
        return redirect("reporting:fte-list")
    return _form_page(
        request,
        form,
        heading="Record staff FTE",
        back=reverse("reporting:fte-list"),
        submit_label="Record FTE",
    )


@admin_required
def fte_edit(request, pk):
    membership = request.membership
    row = selectors.get_staff_fte_or_404(membership, pk)
    form = StaffFteForm(
        request.POST if request.method == "POST" else None,
        membership=membership,
        initial=StaffFteForm.initial_of(row),
    )
    saved = save_through_service(
        form,
        lambda **data: services.staff_fte_update(
            actor=request.user, membership=membership, row=row, **data
        ),
    )
    if saved is not NOT_SAVED:
        messages.success(request, f"Staff FTE for {saved.agency.name} saved.")
        return redirect("reporting:fte-list")
    return _form_page(
        request,
        form,
        heading="Change staff FTE",
        caption=row.agency.name,
        back=reverse("reporting:fte-list"),
        submit_label="Save changes",
    )


@admin_required
def fte_delete(request, pk):
    membership = request.membership
    row = selectors.get_staff_fte_or_404(membership, pk)
    if request.method == "POST":
        services.staff_fte_delete(actor=request.user, membership=membership, row=row)
        messages.success(request, f"Staff FTE for {row.agency.name} deleted.")
        return redirect("reporting:fte-list")
    context = {
        "heading": "Delete this staff FTE?",
        "caption": row.agency.name,
        "back_url": reverse("reporting:fte-list"),
        "happens": [
            f"{row.fte} FTE from {row.period_start:%d/%m/%Y} to {row.period_end:%d/%m/%Y} "
            "stops counting in caseload per FTE.",
            "Reports already run keep the figures they were built with.",
        ],
        "cannot_undo": "You cannot undo this; you would have to record the FTE again.",
        "submit_label": "Delete FTE",
    }
    return render(request, "includes/confirm_page.html", context)
