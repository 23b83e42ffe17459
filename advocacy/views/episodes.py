"""Pages of the caseload and the support episode: start, overview, contacts, edit, close."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import can_work_advocacy
from accounts.decorators import member_required
from accounts.roles import Cap, Role
from advocacy.forms.episodes import CloseForm, ContactForm, EpisodeForm, StartForm
from advocacy.forms.safety import MeasureForm, SafetyPlanForm
from advocacy.models import ClosureReason, EpisodeStatus, FirstContact
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import notifications as notification_selectors
from advocacy.selectors import referrals as referral_selectors
from advocacy.selectors import safety as safety_selectors
from advocacy.services import episodes as episode_services
from audit.models import Action
from audit.services import record_event
from cases.forms.core import form_status
from cases.pagination import CappedCountPaginator, CappedPaginator
from cases.selectors import core as case_selectors

PAGE_SIZE = 50


# Signed in under a membership that holds advocacy casework (403 otherwise).
advocacy_member = member_required(
    Cap.WORK_ADVOCACY,
    allowed=can_work_advocacy,
    refusal="Only members of a victim advocacy agency use these pages.",
)


@advocacy_member
def caseload(request):
    membership = request.membership
    default_mine = membership.role == Role.ADVOCATE
    mine = request.GET.get("mine", "1" if default_mine else "0") == "1"
    status = request.GET.get("status", "")
    if status not in EpisodeStatus.values:
        status = ""
    episodes = episode_selectors.caseload(membership, status=status, mine=mine)
    counts = episode_selectors.caseload_counts(membership, mine=mine)
    page = CappedPaginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
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
            "due": episode_selectors.contacts_due(membership, mine=mine),
            "today": timezone.localdate(),
            "referrals_waiting": referral_selectors.waiting_count(membership),
            "victim_notifications": notification_selectors.pending_for_home(membership),
            "is_manager": membership.role == Role.MANAGER,
        },
    )


# A manager of a victim advocacy agency (403 otherwise, advocates included): the
# per-advocate view is the agency's management information.
manager_member = member_required(
    Cap.WORK_ADVOCACY,
    allowed=lambda membership: can_work_advocacy(membership) and membership.role == Role.MANAGER,
    refusal="Only managers of the advocacy agency see this page.",
)


@manager_member
def team_caseload(request):
    """Caseload per advocate, counts only. Decision: only managers of the advocacy agency
    itself see it (a manager elsewhere has no business knowing a charity's workload by
    caseworker), and even they see aggregates here, never a victim or a contact; the
    agency's caseload list is where they open an episode, as any member of the agency."""
    membership = request.membership
    rows = episode_selectors.caseload_per_advocate(membership)
    record_event(action=Action.LIST, actor=request.user, detail={"page": "advocacy-team-caseload"})
    return render(
        request,
        "advocacy/team_caseload.html",
        {"rows": rows, "statuses": EpisodeStatus.choices, "agency": membership.agency},
    )


@advocacy_member
def episode_start(request, case_pk):
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    victims = episode_selectors.victims_on_case(case)
    advocates = episode_selectors.advocates_of_agency(membership)
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
            episode = episode_services.episode_start(
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
        status=form_status(request, form),
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
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "episode")
    contacts, more_contacts = episode_selectors.latest_contacts(episode)
    context = _episode_context(episode)
    context.update(
        needs=episode_selectors.episode_needs(episode),
        contacts=contacts,
        more_contacts=more_contacts,
        allocations=episode_selectors.episode_allocations(episode),
        contact_form=ContactForm(episode=episode) if not episode.closed_on else None,
        FirstContact=FirstContact,
        **_safety_context(episode),
    )
    return render(request, "advocacy/episode_detail.html", context)


def _safety_context(episode):
    """The episode page's safety plan section and target-hardening table."""
    plan = safety_selectors.current_safety_plan(episode)
    is_open = not episode.closed_on
    return {
        "plan": plan,
        "plan_groups": safety_selectors.items_by_owner(plan) if plan else [],
        "plan_versions": safety_selectors.safety_plan_version_count(episode),
        "plan_form": (
            SafetyPlanForm(episode=episode, orders=safety_selectors.case_orders(episode), plan=plan)
            if is_open
            else None
        ),
        "measures": safety_selectors.episode_measures(episode),
        "measure_form": MeasureForm(episode=episode) if is_open else None,
    }


@advocacy_member
def episode_contacts(request, pk):
    """Every contact of the episode, newest first, a page at a time."""
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "contacts")
    page = CappedCountPaginator(episode_selectors.contacts_page_of(episode), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _episode_context(episode)
    context.update(page=page, heading="Contacts", current_section="contacts")
    return render(request, "advocacy/episode_contacts.html", context)


@advocacy_member
def contact_new(request, pk):
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    form = ContactForm(request.POST if request.method == "POST" else None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            episode_services.contact_log(
                actor=request.user, membership=request.membership, episode=episode, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Contact logged.")
            return redirect("advocacy:episode-detail", episode.pk)
    context = _episode_context(episode)
    context.update(form=form, heading="Log a contact", submit_label="Save contact")
    return render(request, "advocacy/form_page.html", context, status=form_status(request, form))


@advocacy_member
def episode_edit(request, pk):
    membership = request.membership
    episode = episode_selectors.get_episode_or_404(membership, pk)
    if episode.closed_on:
        messages.info(request, "This support has closed; it can no longer be changed.")
        return redirect("advocacy:episode-detail", episode.pk)
    needs = episode_selectors.episode_needs(episode)
    first_on, _ = episode_selectors.contact_dates(episode)
    form = EpisodeForm(
        request.POST if request.method == "POST" else None,
        advocates=episode_selectors.advocates_of_agency(membership),
        first_contact_on=first_on,
        initial=EpisodeForm.initial_for(episode, needs),
    )
    _record_read(request, episode, "edit")
    if request.method == "POST" and form.is_valid():
        try:
            episode_services.episode_update(
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
    return render(request, "advocacy/form_page.html", context, status=form_status(request, form))


@advocacy_member
def episode_close(request, pk):
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    context = _episode_context(episode)
    if episode.closed_on:
        context.update(
            heading="Close support",
            blocked=f"This support closed on {episode.closed_on:%d/%m/%Y}.",
        )
        return render(request, "includes/confirm_page.html", context)
    needs = episode_selectors.episode_needs(episode)
    form = CloseForm(
        request.POST if request.method == "POST" else None, episode=episode, needs=needs
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode_services.episode_close(
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
    return render(request, "includes/confirm_page.html", context, status=form_status(request, form))
