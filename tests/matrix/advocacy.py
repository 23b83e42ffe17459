"""Rows for victim advocacy: the caseload, support episodes, contacts and their API.

The compartment: only members of the advocacy agency that holds an episode (advocates and
that agency's managers) reach these URLs. In the world fixture that is the advocate alone:
the manager works for probation, so they get 403 like police, health, probation, the chair
and the admin (tests/advocacy/test_compartment.py covers an advocacy agency's manager)."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories_advocacy import raw_episode, second_advocacy_agency, start_episode
from tests.matrix import Row
from tests.matrix.core import _shared_case

ADVOCACY = frozenset({Role.ADVOCATE})


def _case_kw(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


def _episode_kw(name, obj, ctx):
    return reverse(name, kwargs={"episode_pk": obj.pk})


ROWS = {
    "advocacy:caseload": Row(ADVOCACY),
    "advocacy:episode-start": Row(ADVOCACY, scoped="case", url=_case_kw),
    "advocacy:episode-start POST": Row(
        ADVOCACY, scoped="case", method="post", ok=400, url=_case_kw
    ),
    "advocacy:episode-detail": Row(ADVOCACY, scoped="episode"),
    "advocacy:contact-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:contact-new POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:episode-edit": Row(ADVOCACY, scoped="episode"),
    "advocacy:episode-edit POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:episode-close": Row(ADVOCACY, scoped="episode"),
    "advocacy:episode-close POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "api:advocacy-episode-list": Row(ADVOCACY, anonymous=401),
    "api:advocacy-episode-list POST": Row(ADVOCACY, method="post", ok=400, anonymous=401),
    "api:advocacy-episode-detail": Row(ADVOCACY, scoped="episode", anonymous=401),
    "api:advocacy-contact-list": Row(ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw),
    "api:advocacy-contact-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
}


def episode_scopes(ctx, role):
    """The advocacy agency's episode on the case shared with everyone ("own"), another
    advocacy agency's episode on the same case ("other_agency") and an episode in another
    partnership."""
    world = ctx.world

    def own():
        return start_episode(world.members[Role.ADVOCATE], _shared_case(ctx))

    def other_agency():
        agency, member = second_advocacy_agency(world.partnership)
        return raw_episode(_shared_case(ctx), agency, created_by=member.user)

    def other_partnership():
        other = world.other_partnership_member
        agency, member = second_advocacy_agency(other.agency.partnership, "Southmoor advocacy")
        return raw_episode(world.other_partnership_case, agency, created_by=member.user)

    return {
        "own": ctx.once("episode_own", own),
        "other_agency": ctx.once("episode_other_agency", other_agency),
        "other_partnership": ctx.once("episode_other_partnership", other_partnership),
    }


SCOPES = {"episode": episode_scopes}
