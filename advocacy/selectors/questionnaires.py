"""Reads of victim questionnaires: only through an episode the member's advocacy agency
holds (advocacy.selectors' one rule, episodes_visible_to / get_episode_or_404)."""

from advocacy.models import QuestionnaireResponse, QuestionnaireTiming
from risk import selectors as risk_selectors
from risk.models import InstrumentPurpose


def questionnaire_instruments(membership):
    """The victim questionnaires of the member's partnership, with their current version."""
    return risk_selectors.measures_visible_to(membership, InstrumentPurpose.QUESTIONNAIRE)


def episode_questionnaires(episode):
    """The responses of an episode the caller found through get_episode_or_404."""
    return list(
        QuestionnaireResponse.objects.filter(episode=episode)
        .select_related("instrument", "instrument_version", "recorded_by")
        .order_by("instrument__name", "taken_on", "pk")
    )


def results(responses):
    """Per questionnaire: its start and end responses and each scale's start → end."""
    return risk_selectors.paired_by_instrument(
        responses, QuestionnaireTiming.START, QuestionnaireTiming.END
    )
