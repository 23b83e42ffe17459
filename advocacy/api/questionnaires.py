"""API of an episode's victim questionnaires: list and record (the advocacy compartment:
403 outside an advocacy agency, 404 and a denial row for another agency's episode; reads
audited)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from advocacy.api.episodes import EPISODE, _EpisodeNested
from advocacy.models import QuestionnaireResponse
from advocacy.selectors import questionnaires as selectors
from advocacy.serializers.questionnaires import (
    QuestionnaireCreateSerializer,
    QuestionnaireSerializer,
)
from advocacy.services import questionnaires as services
from risk.api import ItemKeyedErrors


class QuestionnaireViewSet(_EpisodeNested):
    """The questionnaires of one episode held by the caller's agency."""

    serializer_class = QuestionnaireSerializer
    queryset = QuestionnaireResponse.objects.none()

    @extend_schema(parameters=[EPISODE])
    def list(self, request, episode_pk=None):
        episode = self._episode()
        self._record_read(episode, "questionnaires")
        responses = selectors.episode_questionnaires(episode)
        return Response(QuestionnaireSerializer(responses, many=True).data)

    @extend_schema(
        parameters=[EPISODE],
        request=QuestionnaireCreateSerializer,
        responses={201: QuestionnaireSerializer},
    )
    def create(self, request, episode_pk=None):
        membership = request.membership
        episode = self._episode()
        serializer = QuestionnaireCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instruments = selectors.questionnaire_instruments(membership)
        instrument = {i.pk: i for i in instruments}.get(data["instrument"])
        if instrument is None:
            raise ValidationError({"instrument": ["Choose a questionnaire."]})
        with ItemKeyedErrors():
            response = services.questionnaire_record(
                actor=request.user,
                membership=membership,
                episode=episode,
                instrument=instrument,
                instruments=instruments,
                timing=data["timing"],
                taken_on=data["taken_on"],
                answers=data["answers"],
            )
        return Response(QuestionnaireSerializer(response).data, status=status.HTTP_201_CREATED)


def register(router):
    router.register(
        r"advocacy/episodes/(?P<episode_pk>\d+)/questionnaires",
        QuestionnaireViewSet,
        basename="advocacy-questionnaire",
    )
