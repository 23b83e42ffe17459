"""Advocacy pages: the caseload, the referrals waiting (accept or decline), starting
support, the episode page, logging a contact, editing and closing an episode, the safety
plan (versions) and target hardening.

Every page is for the advocacy compartment: the role and agency are checked first
(``advocacy_member``: 403, saying nothing about any record), then the record is found
through advocacy.selectors (404 and one denial row outside the member's agency). Every read
of an episode is audited; every write goes through advocacy.services."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import can_work_advocacy
from accounts.decorators import member_required
from accounts.roles import Cap, Role
from advocacy import selectors, services
from advocacy.forms import (
    AcceptForm,
    CloseForm,
    ContactForm,
    DeclineForm,
    EpisodeForm,
    MeasureForm,
    SafetyPlanForm,
    StartForm,
)
from advocacy.models import ClosureReason, EpisodeStatus, FirstContact, ReferralStatus
from audit.models import Action
from audit.services import record_event
from cases.pagination import CappedCountPaginator
from cases.selectors import core as case_selectors

PAGE_SIZE = 50


def advocacy_member(view):
    """Signed in under a membership that holds advocacy casework (403 otherwise)."""

    @member_required(Cap.WORK_ADVOCACY)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_work_advocacy(request.membership):
            raise PermissionDenied("Only members of a victim advocacy agency use these pages.")
        return view(request, *args, **kwargs)

    return wrapped


def _status(request, form):
    return 400 if request.method == "POST" and form.errors else 200


@advocacy_member
def caseload(request):
    membership = request.membership
    default_mine = membership.role == Role.ADVOCATE
    mine = request.GET.get("mine", "1" if default_mine else "0") == "1"
    status = request.GET.get("status", "")
    if status not in EpisodeStatus.values:
        status = ""
    episodes = selectors.caseload(membership, status=status, mine=mine)
    counts = selectors.caseload_counts(membership, mine=mine)
    page = CappedCountPaginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"page": "advocacy-caseload", "status": status, "mine": mine},
    )
    return render(
        request,
        "advocacy/caseload.html",
        {
            "page": page,
            "mine": mine,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in EpisodeStatus.choices],
            "FirstContact": FirstContact,
        },
    )


@advocacy_member
def episode_start(request, case_pk):
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    victims = selectors.victims_on_case(case)
    advocates = selectors.advocates_of_agency(membership)
    initial = {"advocate": request.user.pk if membership.role == Role.ADVOCATE else None}
    wanted = request.GET.get("victim", "")
    if wanted.isdigit() and any(v.pk == int(wanted) for v in victims):
        initial["victim"] = int(wanted)
    form = StartForm(
        request.POST if request.method == "POST" else None,
        victims=victims,
        advocates=advocates,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode = services.episode_start(
                actor=request.user,
                membership=membership,
                victim=next(v for v in victims if v.pk == data["victim"]),
                referral_route=data["referral_route"],
                referred_on=data["referred_on"],
                advocate=data["advocate"],
                needs=data["needs"],
                contact_frequency=data["contact_frequency"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Support started.")
            return redirect("advocacy:episode-detail", episode.pk)
    return render(
        request,
        "advocacy/form_page.html",
        {
            "form": form,
            "heading": "Start support",
            "caption": f"Case {case.reference}",
            "back_url": reverse("cases:detail", args=[case.pk]),
            "submit_label": "Start support",
            "intro": "" if victims else "This case has no victim recorded yet.",
        },
        status=_status(request, form),
    )


def _episode_context(episode):
    return {
        "episode": episode,
        "caption": f"{episode.victim.person.full_name} – case {episode.case.reference}",
        "back_url": reverse("advocacy:episode-detail", args=[episode.pk]),
    }


def _record_read(request, episode, section):
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=episode,
        case=episode.case,
        detail={"section": section},
    )


@advocacy_member
def episode_detail(request, pk):
    episode = selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "episode")
    context = _episode_context(episode)
    context.update(
        needs=selectors.episode_needs(episode),
        contacts=selectors.episode_contacts(episode),
        allocations=selectors.episode_allocations(episode),
        contact_form=ContactForm(episode=episode) if not episode.closed_on else None,
        FirstContact=FirstContact,
        **_safety_context(episode),
    )
    return render(request, "advocacy/episode_detail.html", context)


def _safety_context(episode):
    """The episode page's safety plan section and target-hardening table."""
    plan = selectors.current_safety_plan(episode)
    is_open = not episode.closed_on
    return {
        "plan": plan,
        "plan_groups": selectors.items_by_owner(plan) if plan else [],
        "plan_versions": selectors.safety_plan_version_count(episode),
        "plan_form": (
            SafetyPlanForm(episode=episode, orders=selectors.case_orders(episode), plan=plan)
            if is_open
            else None
        ),
        "measures": selectors.episode_measures(episode),
        "measure_form": MeasureForm(episode=episode) if is_open else None,
    }


@advocacy_member
def contact_new(request, pk):
    episode = selectors.get_episode_or_404(request.membership, pk)
    form = ContactForm(request.POST if request.method == "POST" else None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log(
                actor=request.user, membership=request.membership, episode=episode, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Contact logged.")
            return redirect("advocacy:episode-detail", episode.pk)
    context = _episode_context(episode)
    context.update(form=form, heading="Log a contact", submit_label="Save contact")
    return render(request, "advocacy/form_page.html", context, status=_status(request, form))


@advocacy_member
def episode_edit(request, pk):
    membership = request.membership
    episode = selectors.get_episode_or_404(membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; it can no longer be changed.")
        return redirect("advocacy:episode-detail", episode.pk)
    needs = selectors.episode_needs(episode)
    first_on, _ = selectors.contact_dates(episode)
    form = EpisodeForm(
        request.POST if request.method == "POST" else None,
        advocates=selectors.advocates_of_agency(membership),
        first_contact_on=first_on,
        initial=EpisodeForm.initial_for(episode, needs),
    )
    _record_read(request, episode, "edit")
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_update(
                actor=request.user,
                membership=membership,
                episode=episode,
                advocate=form.cleaned_data["advocate"],
                needs=form.cleaned_data["needs"],
                **form.values(),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Support details saved.")
            return redirect("advocacy:episode-detail", episode.pk)
    context = _episode_context(episode)
    context.update(form=form, heading="Change support details", submit_label="Save")
    return render(request, "advocacy/form_page.html", context, status=_status(request, form))


@advocacy_member
def episode_close(request, pk):
    episode = selectors.get_episode_or_404(request.membership, pk)
    context = _episode_context(episode)
    if episode.closed_on:
        context.update(
            heading="Close support",
            blocked=f"This support closed on {episode.closed_on:%d/%m/%Y}.",
        )
        return render(request, "includes/confirm_page.html", context)
    needs = selectors.episode_needs(episode)
    form = CloseForm(
        request.POST if request.method == "POST" else None, episode=episode, needs=needs
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_close(
                actor=request.user,
                membership=request.membership,
                episode=episode,
                closed_on=form.cleaned_data["closed_on"],
                closure_reason=form.cleaned_data["closure_reason"],
                outcomes=form.outcomes(),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            reason = ClosureReason(episode.closure_reason).label.lower()
            messages.success(request, f"Support closed: {reason}.")
            return redirect("advocacy:episode-detail", episode.pk)
    context.update(
        form=form,
        heading="Close support",
        happens=[
            "The support episode closes on the date you give, with the reason and an "
            "outcome for each need.",
            "No more contacts can be logged on it; a new referral starts a new episode.",
        ],
        cannot_undo="A closed episode cannot be reopened.",
        submit_label="Close support",
    )
    return render(request, "includes/confirm_page.html", context, status=_status(request, form))


@advocacy_member
def safety_plan(request, pk):
    """Every version of the plan, newest first: the current one and those it superseded."""
    episode = selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "safety-plan-versions")
    versions = selectors.safety_plan_versions(episode)
    context = _episode_context(episode)
    context.update(
        versions=[(plan, selectors.items_by_owner(plan)) for plan in versions],
        heading="Safety plan versions",
    )
    return render(request, "advocacy/safety_plan_versions.html", context)


@advocacy_member
def safety_plan_new(request, pk):
    """A new version of the plan, pre-filled from the current one. "Add another item"
    redraws the form with one more row and saves nothing."""
    membership = request.membership
    episode = selectors.get_episode_or_404(membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; the safety plan can no longer change.")
        return redirect("advocacy:episode-detail", episode.pk)
    plan = selectors.current_safety_plan(episode)
    _record_read(request, episode, "safety-plan-new")
    form = SafetyPlanForm(
        request.POST if request.method == "POST" else None,
        episode=episode,
        orders=selectors.case_orders(episode),
        plan=plan,
    )
    if request.method == "POST" and not form.wants_another_item and form.is_valid():
        try:
            saved = services.safety_plan_save(
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
    episode = selectors.get_episode_or_404(request.membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; no more measures are recorded.")
        return redirect(reverse("advocacy:episode-detail", args=[episode.pk]) + "#target-hardening")
    form = MeasureForm(request.POST if request.method == "POST" else None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_record(
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
    return render(request, "advocacy/form_page.html", context, status=_status(request, form))


@advocacy_member
def measure_edit(request, episode_pk, pk):
    membership = request.membership
    episode = selectors.get_episode_or_404(membership, episode_pk)
    measure = selectors.get_measure_or_404(membership, episode, pk)
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
            services.measure_update(
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
    return render(request, "advocacy/form_page.html", context, status=_status(request, form))


# The referral queue --------------------------------------------------------------------


@advocacy_member
def referral_queue(request):
    """Referrals waiting for the agency's decision, oldest first."""
    membership = request.membership
    page = CappedCountPaginator(selectors.referral_queue(membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"page": "advocacy-referrals", "shown": len(page.object_list)},
    )
    return render(request, "advocacy/referral_queue.html", {"page": page})


def _referral_context(request, referral):
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=referral,
        case=referral.case,
        detail={"section": "referral"},
    )
    context = {
        "referral": referral,
        "caption": f"{referral.victim.person.full_name} – case {referral.case.reference}",
        "back_url": reverse("advocacy:referral-queue"),
    }
    if referral.status != ReferralStatus.WAITING:
        context["blocked"] = services.decided_message(referral)
    return context


@advocacy_member
def referral_accept(request, pk):
    membership = request.membership
    referral = selectors.get_referral_or_404(membership, pk)
    context = _referral_context(request, referral)
    context["heading"] = "Accept the referral"
    if context.get("blocked"):
        return render(request, "advocacy/referral_confirm.html", context)
    initial = {"advocate": request.user.pk if membership.role == Role.ADVOCATE else None}
    form = AcceptForm(
        request.POST if request.method == "POST" else None,
        advocates=selectors.advocates_of_agency(membership),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.referral_accept(
                actor=request.user,
                membership=membership,
                referral=referral,
                advocate=form.cleaned_data["advocate"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Referral accepted: support started.")
            return redirect("advocacy:episode-detail", episode.pk)
    context.update(
        form=form,
        happens=[
            "Support starts for the victim, allocated to the advocate you choose, with the "
            "referral's route and date: the first-contact target runs from the referral.",
            "The referrer sees on the case that the referral was accepted.",
        ],
        submit_label="Accept and start support",
        button_class="",
    )
    return render(request, "advocacy/referral_confirm.html", context, status=_status(request, form))


@advocacy_member
def referral_decline(request, pk):
    membership = request.membership
    referral = selectors.get_referral_or_404(membership, pk)
    context = _referral_context(request, referral)
    context["heading"] = "Decline the referral"
    if context.get("blocked"):
        return render(request, "advocacy/referral_confirm.html", context)
    form = DeclineForm(request.POST if request.method == "POST" else None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_decline(
                actor=request.user,
                membership=membership,
                referral=referral,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Referral declined.")
            return redirect("advocacy:referral-queue")
    context.update(
        form=form,
        happens=[
            "No support starts, and the referral leaves your queue.",
            "The referrer sees on the case that the referral was declined, not the reason.",
        ],
        cannot_undo="A declined referral cannot be accepted later: a new referral is needed.",
        submit_label="Decline referral",
        button_class="govuk-button--warning",
    )
    return render(request, "advocacy/referral_confirm.html", context, status=_status(request, form))
