"""The episode's Questionnaires page (the victim's voice: results at the start and end of
support, scale by scale) and recording one. The advocacy compartment: found through
get_episode_or_404, every read audited."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from advocacy.forms.questionnaires import QuestionnaireForm
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import questionnaires as selectors
from advocacy.services import questionnaires as services
from audit.services import as_id
from cases.forms.core import form_status
from risk.services import AnswerErrors

from .episodes import _episode_context, _record_read, advocacy_member


@advocacy_member
def questionnaires(request, pk):
    episode = episode_selectors.get_episode_or_404(request.membership, pk)
    _record_read(request, episode, "questionnaires")
    context = _episode_context(episode)
    context.update(
        heading="Questionnaires",
        results=selectors.results(selectors.episode_questionnaires(episode)),
    )
    return render(request, "advocacy/questionnaires.html", context)


@advocacy_member
def questionnaire_new(request, pk):
    membership = request.membership
    episode = episode_selectors.get_episode_or_404(membership, pk)
    instruments = selectors.questionnaire_instruments(membership)
    chosen = {i.pk: i for i in instruments}.get(as_id(request.GET.get("instrument")))
    context = _episode_context(episode)
    context["back_url"] = reverse("advocacy:questionnaires", args=[episode.pk])
    if chosen is None:
        context.update(
            instruments=instruments,
            heading="Record a questionnaire",
            intro="Ask at the start and at the end of support.",
            empty="No victim questionnaire is available.",
        )
        return render(request, "risk/instrument_choose.html", context)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        episode=episode,
        instrument=chosen,
        instruments=instruments,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_record(
                actor=request.user, membership=membership, episode=episode, **form.values()
            )
        except AnswerErrors as error:
            form.apply_answer_errors(error)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, f"{chosen.name} recorded.")
            return redirect("advocacy:questionnaires", episode.pk)
    context.update(
        form=form,
        instrument=chosen,
        heading=f"Record {chosen.name}",
        about=chosen.current.definition.get("about", ""),
        submit_label="Save questionnaire",
    )
    return render(
        request, "risk/answers_form_page.html", context, status=form_status(request, form)
    )
