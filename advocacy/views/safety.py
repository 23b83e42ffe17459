"""Pages of the safety plan and target-hardening measures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from advocacy.forms.safety import MeasureForm, SafetyPlanForm
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import safety as safety_selectors
from advocacy.services import safety as safety_services
from cases.forms.core import form_status

from .episodes import _episode_context, _record_read, advocacy_member


@advocacy_member
def safety_plan(request, pk):
    """Every version of the plan, newest first: the current one and those it superseded."""
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "safety-plan-versions")
    versions = safety_selectors.safety_plan_versions(episode)
    context = _episode_context(episode)
    context.update(
        versions=[(plan, safety_selectors.items_by_owner(plan)) for plan in versions],
        heading="Safety plan versions",
    )
    return render(request, "advocacy/safety_plan_versions.html", context)


@advocacy_member
def safety_plan_new(request, pk):
    """A new version of the plan, pre-filled from the current one. "Add another item"
    redraws the form with one more row and saves nothing."""
    membership = request.membership
    episode = episode_selectors.get_episode_or_404(membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; the safety plan can no longer change.")
        return redirect("advocacy:episode-detail", episode.pk)
    plan = safety_selectors.current_safety_plan(episode)
    _record_read(request, episode, "safety-plan-new")
    form = SafetyPlanForm(
        request.POST if request.method == "POST" else None,
        episode=episode,
        orders=safety_selectors.case_orders(episode),
        plan=plan,
    )
    if request.method == "POST" and not form.wants_another_item and form.is_valid():
        try:
            saved = safety_services.safety_plan_save(
                actor=request.user, membership=membership, episode=episode, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, f"Safety plan version {saved.version} saved.")
            return redirect(reverse("advocacy:episode-detail", args=[episode.pk]) + "#safety-plan")
    context = _episode_context(episode)
    context.update(form=form, plan=plan, heading="Make a new version of the safety plan")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "advocacy/safety_plan_form.html", context, status=status)


@advocacy_member
def measure_new(request, pk):
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; no more measures are recorded.")
        return redirect(reverse("advocacy:episode-detail", args=[episode.pk]) + "#target-hardening")
    form = MeasureForm(request.POST if request.method == "POST" else None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            safety_services.measure_record(
                actor=request.user, membership=request.membership, episode=episode, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Target-hardening measure recorded.")
            return redirect(
                reverse("advocacy:episode-detail", args=[episode.pk]) + "#target-hardening"
            )
    context = _episode_context(episode)
    context.update(
        form=form, heading="Record a target-hardening measure", submit_label="Save measure"
    )
    return render(request, "advocacy/form_page.html", context, status=form_status(request, form))


@advocacy_member
def measure_edit(request, episode_pk, pk):
    membership = request.membership
    episode = episode_selectors.get_episode_or_404(membership, episode_pk)
    measure = safety_selectors.get_measure_or_404(membership, episode, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; its measures can no longer change.")
        return redirect(reverse("advocacy:episode-detail", args=[episode.pk]) + "#target-hardening")
    _record_read(request, episode, "target-hardening")
    form = MeasureForm(
        request.POST if request.method == "POST" else None,
        episode=episode,
        initial=MeasureForm.initial_for(measure),
    )
    if request.method == "POST" and form.is_valid():
        try:
            safety_services.measure_update(
                actor=request.user, membership=membership, measure=measure, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Target-hardening measure saved.")
            return redirect(
                reverse("advocacy:episode-detail", args=[episode.pk]) + "#target-hardening"
            )
    context = _episode_context(episode)
    context.update(
        form=form,
        heading=f"Change the {measure.get_kind_display().lower()} measure",
        submit_label="Save measure",
    )
    return render(request, "advocacy/form_page.html", context, status=form_status(request, form))
