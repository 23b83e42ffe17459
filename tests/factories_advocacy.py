"""Support episodes for tests: through the service where the holder is a real member, or
straight into the table for another agency's or partnership's episode."""

from django.utils import timezone

from accounts.roles import AgencyKind, Role
from advocacy.models import AdvocacyReferral, ReferralRoute, SupportEpisode
from advocacy.services import episodes as episode_services
from tests.factories import AgencyFactory, MembershipFactory, add_party


def start_episode(member, case, *, victim=None, referred_on=None, needs=(), **kwargs):
    """An episode started by ``member`` (an advocate) for a (new) victim on ``case``."""
    victim = victim or add_party(case)
    return episode_services.episode_start(
        actor=member.user,
        membership=member,
        victim=victim,
        referral_route=kwargs.pop("referral_route", ReferralRoute.POLICE_SCREENING),
        referred_on=referred_on or timezone.localdate(),
        advocate=kwargs.pop("advocate", member.user),
        needs=needs,
        **kwargs,
    )


def raw_episode(case, agency, *, created_by, victim=None):
    """An episode held by ``agency`` written directly (no access check): another agency's
    or another partnership's record for scope tests."""
    victim = victim or add_party(case)
    return SupportEpisode.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        victim=victim,
        advocacy_agency=agency,
        referral_route=ReferralRoute.SELF,
        referred_on=timezone.localdate(),
        created_by=created_by,
    )


def second_advocacy_agency(partnership, name="Second advocacy service"):
    agency = AgencyFactory(partnership=partnership, name=name, kind=AgencyKind.ADVOCACY)
    member = MembershipFactory(agency=agency, role=Role.ADVOCATE)
    return agency, member


def raw_referral(case, agency, *, referrer, victim=None, route=ReferralRoute.POLICE_SCREENING):
    """A waiting referral in ``agency``'s queue written directly (no service): for scope
    tests and pages. ``referrer``: the referring membership."""
    victim = victim or add_party(case)
    return AdvocacyReferral.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        victim=victim,
        advocacy_agency=agency,
        route=route,
        referred_on=timezone.localdate(),
        referred_by=referrer.user,
        referring_agency=referrer.agency,
    )


def answer_questionnaire(member, episode, code="victim-voice", timing="start", value="3", **kw):
    """A victim questionnaire with every item answered ``value``, through the service."""
    from advocacy.services.questionnaires import questionnaire_record
    from risk.models import Instrument

    instrument = Instrument.objects.get(partnership=None, code=code)
    definition = instrument.versions.order_by("-version").first().definition
    codes = [item["code"] for section in definition["sections"] for item in section["items"]]
    return questionnaire_record(
        actor=member.user,
        membership=member,
        episode=episode,
        instrument=instrument,
        instruments=[instrument],
        timing=timing,
        taken_on=kw.pop("taken_on", None) or timezone.localdate(),
        answers=kw.pop("answers", None) or dict.fromkeys(codes, value),
    )
