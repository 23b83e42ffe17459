"""Pages of the referral queue: accept and decline."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.roles import Role
from advocacy.forms.referrals import AcceptForm, DeclineForm, SelfReferralForm
from advocacy.models import ReferralStatus
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import referrals as referral_selectors
from advocacy.services import referrals as referral_services
from audit.models import Action
from audit.services import record_event
from cases.forms.core import form_status
from cases.pagination import CappedCountPaginator

from .episodes import PAGE_SIZE, advocacy_member


@advocacy_member
def referral_queue(request):
    """Referrals waiting for the agency's decision, oldest first."""
    membership = request.membership
    page = CappedCountPaginator(referral_selectors.referral_queue(membership), PAGE_SIZE).get_page(
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
        context["blocked"] = referral_services.decided_message(referral)
    return context


@advocacy_member
def referral_accept(request, pk):
    membership = request.membership
    referral = referral_selectors.get_referral_or_404(membership, pk)
    context = _referral_context(request, referral)
    context["heading"] = "Accept the referral"
    if context.get("blocked"):
        return render(request, "advocacy/referral_confirm.html", context)
    initial = {"advocate": request.user.pk if membership.role == Role.ADVOCATE else None}
    form = AcceptForm(
        request.POST if request.method == "POST" else None,
        advocates=episode_selectors.advocates_of_agency(membership),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = referral_services.referral_accept(
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
    return render(
        request, "advocacy/referral_confirm.html", context, status=form_status(request, form)
    )


@advocacy_member
def referral_decline(request, pk):
    membership = request.membership
    referral = referral_selectors.get_referral_or_404(membership, pk)
    context = _referral_context(request, referral)
    context["heading"] = "Decline the referral"
    if context.get("blocked"):
        return render(request, "advocacy/referral_confirm.html", context)
    form = DeclineForm(request.POST if request.method == "POST" else None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            referral_services.referral_decline(
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
    return render(
        request, "advocacy/referral_confirm.html", context, status=form_status(request, form)
    )


@advocacy_member
def self_referral(request):
    """Start support for a victim who came to the agency directly, on a case only the
    agency can see."""
    membership = request.membership
    advocates = episode_selectors.advocates_of_agency(membership)
    initial = {"advocate": request.user.pk if membership.role == Role.ADVOCATE else None}
    form = SelfReferralForm(
        request.POST if request.method == "POST" else None, advocates=advocates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = referral_services.self_referral_start(
                actor=request.user, membership=membership, **form.service_arguments()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Support started. Only your agency can see this case.")
            return redirect("advocacy:episode-detail", episode.pk)
    return render(
        request,
        "advocacy/form_page.html",
        {
            "form": form,
            "heading": "Support a victim who came to you directly",
            "back_url": reverse("advocacy:caseload"),
            "submit_label": "Start support",
            "intro": (
                "For a self-referral, the helpline or MARAC, when there is no case shared "
                "with your agency. The case is visible to your agency only: police, health "
                "and probation cannot see it unless the victim agrees to a referral."
            ),
        },
        status=form_status(request, form),
    )
