"""Rows for victim advocacy: the caseload, the referral queue, support episodes, contacts,
safety plans, target hardening and their API.

The compartment: only members of the advocacy agency that holds an episode (advocates and
that agency's managers) reach these URLs. In the world fixture that is the advocate alone:
the manager works for probation, so they get 403 like police, health, probation, the chair
and the admin (tests/advocacy/test_compartment.py covers an advocacy agency's manager)."""

from django.urls import reverse

from accounts.roles import Role
from advocacy.models import MeasureKind, TargetHardening
from tests.factories_advocacy import (
    raw_episode,
    raw_referral,
    second_advocacy_agency,
    start_episode,
)
from tests.matrix import ALL_ROLES, Row
from tests.matrix.core import _shared_case

ADVOCACY = frozenset({Role.ADVOCATE})


def _case_kw(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


def _episode_kw(name, obj, ctx):
    return reverse(name, kwargs={"episode_pk": obj.pk})


def _questionnaire_form_kw(name, obj, ctx):
    from risk.models import Instrument

    voice = Instrument.objects.get(partnership=None, code="victim-voice")
    return reverse(name, args=[obj.pk]) + f"?instrument={voice.pk}"


def _measure_kw(name, obj, ctx):
    return reverse(name, kwargs={"episode_pk": obj.episode_id, "pk": obj.pk})


ROWS = {
    "advocacy:caseload": Row(ADVOCACY),
    # Managers of an advocacy agency only; the world's manager works for probation
    # (tests/advocacy/test_home.py covers an advocacy manager).
    "advocacy:team-caseload": Row(frozenset()),
    "advocacy:episode-disclosures": Row(ADVOCACY, scoped="episode"),
    "advocacy:risk-update-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:risk-update-new POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    # Every reader of the case reaches the section; each sees only what went to them.
    "advocacy:case-risk-updates": Row(ALL_ROLES, scoped="case", url=_case_kw),
    "api:advocacy-risk-update-list": Row(
        ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw
    ),
    "api:advocacy-risk-update-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
    "api:advocacy-case-risk-update-list": Row(
        ALL_ROLES, scoped="case", anonymous=401, url=_case_kw
    ),
    "advocacy:referral-queue": Row(ADVOCACY),
    "advocacy:self-referral": Row(ADVOCACY),
    "advocacy:self-referral POST": Row(ADVOCACY, method="post", ok=400),
    "advocacy:referral-accept": Row(ADVOCACY, scoped="advocacy_referral"),
    "advocacy:referral-accept POST": Row(
        ADVOCACY, scoped="advocacy_referral", method="post", ok=400
    ),
    "advocacy:referral-decline": Row(ADVOCACY, scoped="advocacy_referral"),
    "advocacy:referral-decline POST": Row(
        ADVOCACY, scoped="advocacy_referral", method="post", ok=400
    ),
    "advocacy:episode-start": Row(ADVOCACY, scoped="case", url=_case_kw),
    "advocacy:episode-start POST": Row(
        ADVOCACY, scoped="case", method="post", ok=400, url=_case_kw
    ),
    "advocacy:episode-detail": Row(ADVOCACY, scoped="episode"),
    "advocacy:episode-contacts": Row(ADVOCACY, scoped="episode"),
    "advocacy:contact-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:contact-new POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:episode-edit": Row(ADVOCACY, scoped="episode"),
    "advocacy:episode-edit POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:episode-close": Row(ADVOCACY, scoped="episode"),
    "advocacy:episode-close POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:safety-plan": Row(ADVOCACY, scoped="episode"),
    "advocacy:safety-plan-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:safety-plan-new POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:measure-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:measure-new POST": Row(ADVOCACY, scoped="episode", method="post", ok=400),
    "advocacy:measure-edit": Row(ADVOCACY, scoped="measure", url=_measure_kw),
    "advocacy:measure-edit POST": Row(
        ADVOCACY, scoped="measure", method="post", ok=400, url=_measure_kw
    ),
    "advocacy:questionnaires": Row(ADVOCACY, scoped="episode"),
    "advocacy:questionnaire-new": Row(ADVOCACY, scoped="episode"),
    "advocacy:questionnaire-new POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, url=_questionnaire_form_kw
    ),
    "api:advocacy-questionnaire-list": Row(
        ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw
    ),
    "api:advocacy-questionnaire-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
    "api:advocacy-episode-list": Row(ADVOCACY, anonymous=401),
    "api:advocacy-episode-list POST": Row(ADVOCACY, method="post", ok=400, anonymous=401),
    "api:advocacy-episode-detail": Row(ADVOCACY, scoped="episode", anonymous=401),
    "api:advocacy-referral-list": Row(ADVOCACY, anonymous=401),
    "api:advocacy-direct-referral-list POST": Row(ADVOCACY, method="post", ok=400, anonymous=401),
    # An empty body accepts for the caller (an advocate): the episode starts.
    "api:advocacy-referral-accept": Row(
        ADVOCACY, scoped="advocacy_referral", method="post", ok=201, anonymous=401
    ),
    "api:advocacy-referral-decline": Row(
        ADVOCACY, scoped="advocacy_referral", method="post", ok=400, anonymous=401
    ),
    "api:advocacy-contact-list": Row(ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw),
    "api:advocacy-contact-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
    "api:advocacy-safety-plan-list": Row(
        ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw
    ),
    "api:advocacy-safety-plan-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
    "api:advocacy-measure-list": Row(ADVOCACY, scoped="episode", anonymous=401, url=_episode_kw),
    "api:advocacy-measure-list POST": Row(
        ADVOCACY, scoped="episode", method="post", ok=400, anonymous=401, url=_episode_kw
    ),
    "api:advocacy-measure-detail": Row(ADVOCACY, scoped="measure", anonymous=401, url=_measure_kw),
    # An empty PATCH body is not JSON: 415 once the measure is found.
    "api:advocacy-measure-detail PATCH": Row(
        ADVOCACY, scoped="measure", method="patch", ok=415, anonymous=401, url=_measure_kw
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


def _raw_measure(episode):
    return TargetHardening.objects.create(
        episode=episode,
        kind=MeasureKind.PERSONAL_ALARM,
        requested_on=episode.referred_on,
        recorded_by=episode.created_by,
    )


def measure_scopes(ctx, role):
    """A measure on each of the episode scopes' episodes."""
    episodes = episode_scopes(ctx, role)
    return {
        scope: ctx.once(f"measure_{scope}", lambda episode=episode: _raw_measure(episode))
        for scope, episode in episodes.items()
    }


def referral_scopes(ctx, role):
    """A referral waiting in the advocacy agency's queue ("own"), one in another advocacy
    agency's queue on the same case ("other_agency"), one in another partnership."""
    world = ctx.world
    police = world.members[Role.INVESTIGATOR]

    def own():
        return raw_referral(_shared_case(ctx), world.agencies["advocacy"], referrer=police)

    # Agencies of their own: the episode scopes may have made theirs in the same world.
    def other_agency():
        agency, _ = second_advocacy_agency(world.partnership, "Queue test advocacy")
        return raw_referral(_shared_case(ctx), agency, referrer=police)

    def other_partnership():
        other = world.other_partnership_member
        agency, _ = second_advocacy_agency(other.agency.partnership, "Southmoor queue advocacy")
        return raw_referral(world.other_partnership_case, agency, referrer=other)

    return {
        "own": ctx.once("referral_own", own),
        "other_agency": ctx.once("referral_other_agency", other_agency),
        "other_partnership": ctx.once("referral_other_partnership", other_partnership),
    }


SCOPES = {
    "episode": episode_scopes,
    "measure": measure_scopes,
    "advocacy_referral": referral_scopes,
}
