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
    statuses = sorted(e.status for e in SupportEpisode.objects.all())
    assert statuses == sorted([EpisodeStatus.REFERRED, EpisodeStatus.ENGAGED, EpisodeStatus.CLOSED])
    assert Contact.objects.count() == 6
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    assert SupportEpisode.objects.count() == 3
