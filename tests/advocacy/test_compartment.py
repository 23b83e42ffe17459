"""The advocacy compartment (issue 11 item 7): only the agency that holds an episode reads
its details, contacts and needs, on pages and through the API. Police, health, probation,
partners, the clinic chair, the admin and break-glass get none of it (asserted on marker
strings), whatever they can see of the case."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import Channel, Direction, NeedArea
from advocacy.services import episodes as episode_services
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from tests.factories import MembershipFactory, add_party, open_case
from tests.factories_advocacy import second_advocacy_agency, start_episode

pytestmark = pytest.mark.django_db

SUMMARY = "MARKER-summary-victim-moved-to-refuge"
NEED_LABEL = "Immigration"


@pytest.fixture
def held(world):
    """An episode held by the world's advocacy agency on a case shared with every agency,
    with a contact and a need."""
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    case = open_case(police, shared_with=agencies)
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case, needs=[NeedArea.IMMIGRATION])
    episode_services.contact_log(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        at=timezone.now() - timedelta(minutes=5),
        channel=Channel.PHONE,
        direction=Direction.OUTGOING,
        made=True,
        summary=SUMMARY,
    )
    return episode


def _urls(episode):
    return [
        reverse("advocacy:episode-detail", args=[episode.pk]),
        reverse("advocacy:contact-new", args=[episode.pk]),
        reverse("advocacy:episode-edit", args=[episode.pk]),
        reverse("advocacy:episode-close", args=[episode.pk]),
        reverse("advocacy:caseload") + "?mine=0",
        reverse("api:advocacy-episode-detail", args=[episode.pk]),
        reverse("api:advocacy-episode-list"),
        reverse("api:advocacy-contact-list", kwargs={"episode_pk": episode.pk}),
    ]


def _reads(client, episode):
    return {url: client.get(url) for url in _urls(episode)}


def test_the_holding_agency_reads_everything(world, held, client, login):
    login(world.members[Role.ADVOCATE])
    answers = _reads(client, held)
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    detail = answers[reverse("advocacy:episode-detail", args=[held.pk])].content.decode()
    assert SUMMARY in detail and NEED_LABEL in detail
    contacts = answers[reverse("api:advocacy-contact-list", kwargs={"episode_pk": held.pk})]
    assert contacts.json()[0]["summary"] == SUMMARY


def test_an_advocacy_agency_manager_reads_it_too(world, held, client, login):
    manager = MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)
    login(manager)
    response = client.get(reverse("advocacy:episode-detail", args=[held.pk]))
    assert response.status_code == 200 and SUMMARY in response.content.decode()


OUTSIDERS = [r for r in Role.values if r != Role.ADVOCATE]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_get_none_of_it(world, held, client, login, role):
    login(world.members[role])
    for url, response in _reads(client, held).items():
        assert response.status_code == 403, url
        body = response.content.decode()
        assert SUMMARY not in body and NEED_LABEL not in body, url
    # The case page they can see says nothing of the casework.
    case_page = client.get(reverse("cases:detail", args=[held.case.pk]))
    if case_page.status_code == 200:
        assert SUMMARY not in case_page.content.decode()
        assert "Start support" not in case_page.content.decode()


def test_break_glass_opens_the_case_core_only(world, held, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    advocacy_case = world.advocacy_case  # not shared with police
    advocate = world.members[Role.ADVOCATE]
    # The advocacy-led case is visible to advocacy (its lead agency).
    episode = start_episode(advocate, advocacy_case, victim=add_party(advocacy_case))
    break_glass_open(
        actor=investigator.user,
        membership=investigator,
        case=advocacy_case,
        reason="Urgent safeguarding check out of hours",
    )
    login(investigator)
    assert client.get(reverse("cases:detail", args=[advocacy_case.pk])).status_code == 200
    for url, response in _reads(client, episode).items():
        assert response.status_code == 403, url


def test_another_advocacy_agency_gets_404_and_one_denial_row(world, held, client, login):
    _, other_advocate = second_advocacy_agency(world.partnership)
    login(other_advocate)
    for url in _urls(held)[:4] + _urls(held)[5:6] + _urls(held)[7:]:
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = client.get(url)
        assert response.status_code == 404, url
        assert SUMMARY not in response.content.decode()
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1
    caseload = client.get(reverse("api:advocacy-episode-list")).json()
    assert caseload["count"] == 0


def test_every_read_of_an_episode_is_audited(world, held, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    for url in (
        reverse("advocacy:episode-detail", args=[held.pk]),
        reverse("api:advocacy-episode-detail", args=[held.pk]),
        reverse("api:advocacy-contact-list", kwargs={"episode_pk": held.pk}),
    ):
        before = AccessEvent.objects.filter(action=Action.VIEW).count()
        assert client.get(url).status_code == 200
        rows = AccessEvent.objects.filter(action=Action.VIEW).order_by("-id")
        assert rows.count() == before + 1
        row = rows.first()
        assert row.actor == advocate.user and row.case == held.case
        assert row.object_type == "advocacy.SupportEpisode" and row.object_id == str(held.pk)
        assert SUMMARY not in str(row.detail) + row.object_repr


def test_other_agencies_see_that_a_victim_has_support_and_its_status_only(
    world, held, client, login
):
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("cases:detail", args=[held.case_id])).content.decode()
    assert "Advocacy support" in page
    assert "advocacy agency: referred" in page or "advocacy agency: contacted" in page
    assert SUMMARY not in page and NEED_LABEL not in page


def test_break_glass_is_no_way_in_to_start_support(world, client, login):
    from django.core.exceptions import ValidationError

    from advocacy.models import ReferralRoute

    advocate = world.members[Role.ADVOCATE]
    police_only = world.own_case  # shared with police only
    break_glass_open(
        actor=advocate.user,
        membership=advocate,
        case=police_only,
        reason="Victim rang the helpline in crisis tonight",
    )
    with pytest.raises(ValidationError) as refused:
        episode_services.episode_start(
            actor=advocate.user,
            membership=advocate,
            victim=world.victim,
            referral_route=ReferralRoute.HELPLINE,
            referred_on=timezone.localdate(),
        )
    assert "shared with your agency" in refused.value.message_dict["victim"][0]
