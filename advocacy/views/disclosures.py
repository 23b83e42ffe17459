"""Pages of risk updates: the episode's Disclosures section and its form (the holding
agency), and the case's Risk updates section (every reader of the case, each seeing only
the updates disclosed to their own agency)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import member_required
from accounts.roles import Cap
from advocacy.forms.disclosures import RiskUpdateForm
from advocacy.selectors import disclosures as disclosure_selectors
from advocacy.selectors import episodes as episode_selectors
from advocacy.services import disclosures as disclosure_services
from audit.models import Action
from audit.services import record_event
from cases.forms.core import form_status
from cases.selectors import core as case_selectors
from cases.views.record import section_context

from .episodes import _episode_context, _record_read, advocacy_member


def _form(request, episode):
    return RiskUpdateForm(
        request.POST if request.method == "POST" else None,
        episode=episode,
        recipients=disclosure_selectors.recipient_choices(episode),
        perpetrators=disclosure_selectors.perpetrators_on_case(episode.case),
    )


@advocacy_member
def episode_disclosures(request, pk):
    """The episode's risk updates, newest first, with whom each went to."""
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "disclosures")
    context = _episode_context(episode)
    context.update(
        updates=disclosure_selectors.episode_risk_updates(episode),
        heading="Disclosures",
        current_section="disclosures",
    )
    return render(request, "advocacy/episode_disclosures.html", context)


@advocacy_member
def risk_update_new(request, pk):
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    back = reverse("advocacy:episode-disclosures", args=[episode.pk])
    if episode.closed_on:
        messages.info(request, "This support has closed; no more risk updates are shared.")
        return redirect(back)
    form = _form(request, episode)
    if request.method == "POST" and form.is_valid():
        try:
            update = disclosure_services.risk_update_submit(
                actor=request.user, membership=request.membership, episode=episode, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            names = ", ".join(link.agency.name for link in update.recipient_links.all())
            messages.success(request, f"Risk update shared with {names}.")
            return redirect(back)
    context = _episode_context(episode)
    context.update(
        form=form,
        heading="Share a risk update",
        back_url=back,
        submit_label="Share the update",
        intro=(
            "Only the agencies you choose will see this update, on the case. "
            "Every disclosure is recorded."
        ),
    )
    return render(request, "advocacy/form_page.html", context, status=form_status(request, form))


@member_required(Cap.VIEW_CASES)
def case_risk_updates(request, case_pk):
    """The case's Risk updates section: the updates disclosed to the reader's agency (and,
    for the holding advocacy agency, its own). The read of disclosed content is audited
    with the ids shown."""
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    context = section_context(request, case, "risk-updates", log=False)
    updates = disclosure_selectors.risk_updates_on_case(membership, case)
    detail = {"section": "risk-updates", "risk_updates": [u.pk for u in updates]}
    if context["grant"]:
        detail["via"] = "break_glass"
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=case,
        reason=context["grant"].reason if context["grant"] else "",
        detail=detail,
    )
    context["updates"] = updates
    return render(request, "advocacy/case_risk_updates.html", context)
