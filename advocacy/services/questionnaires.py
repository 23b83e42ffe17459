"""Recording a victim questionnaire on a support episode, at the start or the end.

Rules (the form and the API ask ``questionnaire_errors``, so every problem shows at once):
only the advocacy agency holding the episode records one; the instrument is a victim
questionnaire of the partnership; one start and one end per questionnaire and episode;
the date is not in the future nor before the referral, and an end is not before its start.
Every item needs an answer, "prefer not to say" included (the engine: declining lowers no
score). A closed episode still takes its end questionnaire: it is often done at the last
contact and typed afterwards. The audit row names the questionnaire and timing only.
"""

from django.db import transaction
from django.utils import timezone

from advocacy.models import QuestionnaireResponse, QuestionnaireTiming
from advocacy.services.episodes import _require_holder
from audit.models import Action
from audit.services import record_event
from risk.services import scored_fields


def questionnaire_errors(episode, *, instrument, instruments, timing, taken_on, today=None):
    """{field: message} for everything but the answers; ``instruments`` are the
    questionnaires the member may use."""
    today = today or timezone.localdate()
    errors = {}
    taken = {(r.instrument_id, r.timing): r for r in episode.questionnaires.all()}
    if instrument is None or instrument.pk not in {i.pk for i in instruments}:
        errors["instrument"] = "Choose a questionnaire."
    if timing not in QuestionnaireTiming.values:
        errors["timing"] = "Choose start or end of support."
    elif instrument is not None and (instrument.pk, timing) in taken:
        errors["timing"] = (
            f"The {QuestionnaireTiming(timing).label.lower()} {instrument.name} is already "
            "recorded."
        )
    if taken_on is None:
        errors["taken_on"] = "Enter the date the victim answered."
    elif taken_on > today:
        errors["taken_on"] = "The date cannot be in the future."
    elif taken_on < episode.referred_on:
        errors["taken_on"] = (
            f"The date cannot be before the referral ({episode.referred_on:%d/%m/%Y})."
        )
    elif timing == QuestionnaireTiming.END and instrument is not None:
        start = taken.get((instrument.pk, QuestionnaireTiming.START))
        if start is not None and taken_on < start.taken_on:
            errors["taken_on"] = f"The end cannot be before the start ({start.taken_on:%d/%m/%Y})."
    return errors


def questionnaire_record(
    *, actor, membership, episode, instrument, instruments, timing, taken_on, answers
):
    _require_holder(membership, episode)
    errors = questionnaire_errors(
        episode,
        instrument=instrument,
        instruments=instruments,
        timing=timing,
        taken_on=taken_on,
    )
    fields = scored_fields(
        instrument=None if "instrument" in errors else instrument,
        answers=answers,
        errors=errors,
        actor=actor,
    )
    with transaction.atomic():
        response = QuestionnaireResponse.objects.create(
            episode=episode,
            timing=timing,
            taken_on=taken_on,
            **fields,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=response,
            case=episode.case,
            detail={"episode": episode.pk, "instrument": instrument.code, "timing": timing},
        )
    return response
