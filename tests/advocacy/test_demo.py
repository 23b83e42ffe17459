"""The demo seed gives the demo advocate an episode awaiting first contact, an engaged one
with contacts, and a closed one; a second run adds nothing."""

from accounts.roles import Role
from advocacy import demo
from advocacy.models import Contact, EpisodeStatus, SupportEpisode
from tests.factories import add_party, open_case


def test_seed_makes_three_episodes_once(world):
    police = world.members[Role.INVESTIGATOR]
    for _ in range(3):
        add_party(open_case(police, shared_with=[world.agencies["advocacy"]]))
    agencies = list(world.agencies.values())
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    shared = SupportEpisode.objects.exclude(referral_route="helpline")
    statuses = sorted(e.status for e in shared)
    assert statuses == sorted([EpisodeStatus.REFERRED, EpisodeStatus.ENGAGED, EpisodeStatus.CLOSED])
    # The helpline caller's case is the advocacy agency's alone: demo police cannot see it.
    direct = SupportEpisode.objects.get(referral_route="helpline")
    assert direct.status == EpisodeStatus.CONTACTED
    assert list(direct.case.case_agencies.values_list("agency", flat=True)) == [
        world.agencies["advocacy"].pk
    ]
    assert Contact.objects.count() == 7
    from advocacy.models import QuestionnaireResponse

    start = QuestionnaireResponse.objects.get()
    assert (start.timing, start.instrument.code) == ("start", "victim-voice")
    assert start.episode.status == EpisodeStatus.ENGAGED
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    assert SupportEpisode.objects.count() == 4
    assert QuestionnaireResponse.objects.count() == 1


def test_seed_shares_a_routine_and_an_urgent_update_with_police_only(world, client, login):
    from django.urls import reverse

    from advocacy.models import RiskUpdate

    police = world.members[Role.INVESTIGATOR]
    for _ in range(3):
        add_party(
            open_case(police, shared_with=[world.agencies["advocacy"], world.agencies["health"]])
        )
    agencies = list(world.agencies.values())
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    updates = list(RiskUpdate.objects.order_by("pk"))
    assert [u.urgency for u in updates] == ["routine", "urgent"]
    assert {link.agency for u in updates for link in u.recipient_links.all()} == {
        world.agencies["police"]
    }
    url = reverse("advocacy:case-risk-updates", args=[updates[0].case_id])
    login(police)
    assert "was seen outside the victim" in client.get(url).content.decode()
    login(world.members[Role.CLINICIAN])
    assert "was seen outside the victim" not in client.get(url).content.decode()
