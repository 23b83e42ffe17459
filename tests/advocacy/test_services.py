"""Advocacy services: derived status, first-contact target, date rules at the field, one
transaction and one audit row each."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import (
    Channel,
    ClosureReason,
    ConsentMethod,
    Contact,
    Direction,
    EpisodeAllocation,
    EpisodeStatus,
    FirstContact,
    NeedArea,
    NeedOutcome,
    SupportEpisode,
    first_contact_target,
)
from advocacy.selectors import episodes as episode_selectors
from advocacy.services import episodes as episode_services
from audit.models import AccessEvent, Action
from config.dates import add_working_days
from tests.factories import MembershipFactory, open_case
from tests.factories_advocacy import start_episode

pytestmark = pytest.mark.django_db


def _case(world):
    police = world.members[Role.INVESTIGATOR]
    return open_case(police, shared_with=[world.agencies["advocacy"]])


def _contact(member, episode, *, at=None, made=True, **kwargs):
    return episode_services.contact_log(
        actor=member.user,
        membership=member,
        episode=episode,
        at=at or timezone.now() - timedelta(minutes=5),
        channel=kwargs.pop("channel", Channel.PHONE),
        direction=kwargs.pop("direction", Direction.OUTGOING),
        made=made,
        summary=kwargs.pop("summary", "Talked about safety." if made else ""),
        **kwargs,
    )


def _errors(excinfo):
    return excinfo.value.message_dict


def test_working_days_skip_weekends():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 2) == date(2026, 12, 1)  # Tuesday
    assert add_working_days(date(2026, 11, 23), 2) == date(2026, 11, 25)


def test_working_days_skip_england_and_wales_bank_holidays():
    # Christmas 2026: Friday 25th, Boxing Day on Saturday observed on Monday 28th.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)
    # Late summer bank holiday, Monday 31 August 2026.
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_first_contact_target_is_stored_on_save_and_follows_the_referral_date(world, settings):
    settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS = 2
    episode = start_episode(world.members[Role.ADVOCATE], _case(world))
    episode.referred_on = date(2026, 12, 23)  # Wednesday before Christmas
    episode.save(update_fields=["referred_on"])
    episode.refresh_from_db()
    assert episode.first_contact_due_on == date(2026, 12, 29)


def test_start_records_allocation_needs_party_advocate_and_one_audit_row(world):
    advocate = world.members[Role.ADVOCATE]
    case = _case(world)
    before = AccessEvent.objects.filter(action=Action.CREATE).count()
    episode = start_episode(advocate, case, needs=[NeedArea.SAFETY, NeedArea.HOUSING])
    assert episode.status == EpisodeStatus.REFERRED
    assert episode.advocacy_agency == advocate.agency
    assert set(episode.needs.values_list("need", flat=True)) == {"safety", "housing"}
    allocation = EpisodeAllocation.objects.get(episode=episode)
    assert allocation.advocate == advocate.user and allocation.ended_at is None
    episode.victim.refresh_from_db()
    assert episode.victim.advocate == advocate.user
    row = AccessEvent.objects.get(action=Action.CREATE, object_type="advocacy.SupportEpisode")
    assert row.case == case and row.object_id == str(episode.pk)
    assert AccessEvent.objects.filter(action=Action.CREATE).count() == before + 1


def test_status_is_derived_and_the_annotation_agrees(world):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, _case(world), referred_on=timezone.localdate())

    def both():
        episode.refresh_from_db()
        annotated = episode_selectors.caseload(advocate).get(pk=episode.pk).derived_status
        assert annotated == episode.status
        return episode.status

    assert both() == EpisodeStatus.REFERRED
    _contact(advocate, episode, made=False)
    assert both() == EpisodeStatus.REFERRED  # an attempt is not contact
    _contact(advocate, episode, made=True)
    assert both() == EpisodeStatus.CONTACTED
    episode_services.episode_update(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        support_consent_on=timezone.localdate(),
        support_consent_method=ConsentMethod.VERBAL,
    )
    assert both() == EpisodeStatus.ENGAGED
    episode_services.episode_close(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        closed_on=timezone.localdate(),
        closure_reason=ClosureReason.SUPPORT_COMPLETE,
        outcomes={},
    )
    assert both() == EpisodeStatus.CLOSED


def test_made_contact_sets_first_contact_made_and_attempted(world):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, _case(world), referred_on=timezone.localdate())
    attempt_at = timezone.now() - timedelta(minutes=30)
    _contact(advocate, episode, at=attempt_at, made=False)
    episode.refresh_from_db()
    assert episode.first_contact_attempted_at == attempt_at
    assert episode.first_contact_made_at is None
    made_at = timezone.now() - timedelta(minutes=10)
    _contact(advocate, episode, at=made_at, made=True)
    episode.refresh_from_db()
    assert episode.first_contact_attempted_at == attempt_at
    assert episode.first_contact_made_at == made_at
    assert episode.first_contact == FirstContact.MET


def test_first_contact_target_due_met_missed(world, settings):
    settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS = 2
    advocate = world.members[Role.ADVOCATE]
    referred = date(2026, 11, 23)  # a Monday
    episode = SupportEpisode(referred_on=referred)
    episode.first_contact_due_on = first_contact_target(referred)
    assert episode.first_contact_due_on == date(2026, 11, 25)
    assert episode.first_contact_on(today=date(2026, 11, 25)) == FirstContact.DUE
    assert episode.first_contact_on(today=date(2026, 11, 26)) == FirstContact.MISSED
    episode.first_contact_made_at = timezone.make_aware(datetime(2026, 11, 26, 9, 0))
    assert episode.first_contact_on() == FirstContact.MISSED
    episode.first_contact_made_at = timezone.make_aware(datetime(2026, 11, 25, 17, 0))
    assert episode.first_contact_on() == FirstContact.MET
    settings.ADVOCACY_FIRST_CONTACT_WORKING_DAYS = 5
    assert first_contact_target(referred) == date(2026, 11, 30)
    assert advocate  # the setting is read for each new target


def test_dates_that_cannot_be_true_are_refused_at_the_field(world):
    advocate = world.members[Role.ADVOCATE]
    case = _case(world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        start_episode(advocate, case, referred_on=today + timedelta(days=1))
    assert "referred_on" in _errors(excinfo)
    episode = start_episode(advocate, case, referred_on=today - timedelta(days=10))
    early = timezone.now() - timedelta(days=20)
    with pytest.raises(ValidationError) as excinfo:
        episode_services.episode_update(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            first_contact_made_at=early,
            first_contact_attempted_at=timezone.now() + timedelta(days=1),
            support_consent_on=today - timedelta(days=2),
            support_consent_method=ConsentMethod.WRITTEN,
            support_consent_withdrawn_on=today - timedelta(days=3),
            share_consent_on=today,
        )
    errors = _errors(excinfo)
    assert set(errors) == {
        "first_contact_made_at",
        "first_contact_attempted_at",
        "support_consent_withdrawn_on",
        "share_consent_method",
        "share_consent_with",
        "share_consent_purpose",
    }
    with pytest.raises(ValidationError) as excinfo:
        _contact(advocate, episode, at=timezone.now() - timedelta(days=30))
    assert set(_errors(excinfo)) == {"at"}
    with pytest.raises(ValidationError) as excinfo:
        _contact(advocate, episode, at=timezone.now() + timedelta(hours=1))
    assert set(_errors(excinfo)) == {"at"}
    with pytest.raises(ValidationError) as excinfo:
        episode_services.episode_close(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            closed_on=today - timedelta(days=11),
            closure_reason="nope",
            outcomes={},
        )
    assert set(_errors(excinfo)) == {"closed_on", "closure_reason"}
    episode.refresh_from_db()
    assert episode.closed_on is None and not Contact.objects.filter(episode=episode).exists()


def test_contact_rules_and_nothing_half_saved(world):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, _case(world), referred_on=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        episode_services.contact_log(
            actor=advocate.user,
            membership=advocate,
            episode=episode,
            at=timezone.now(),
            channel="pigeon",
            direction="sideways",
            made=False,
            safe_to_talk=True,
            duration_minutes=601,
            next_contact_due=timezone.localdate() - timedelta(days=1),
        )
    assert set(_errors(excinfo)) == {
        "channel",
        "direction",
        "safe_to_talk",
        "duration_minutes",
        "next_contact_due",
    }
    with pytest.raises(ValidationError) as excinfo:
        _contact(advocate, episode, made=True, summary="  ")
    assert set(_errors(excinfo)) == {"summary"}
    assert not Contact.objects.exists()
    # One transaction: a failure after the contact row rolls everything back.
    boom = mock.patch("advocacy.services.episodes.record_event", side_effect=RuntimeError("boom"))
    with boom, pytest.raises(RuntimeError):
        _contact(advocate, episode)
    episode.refresh_from_db()
    assert not Contact.objects.exists() and episode.first_contact_made_at is None


def test_close_needs_an_outcome_for_every_need_and_blocks_more_contacts(world):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(
        advocate, _case(world), referred_on=timezone.localdate(), needs=[NeedArea.SAFETY]
    )
    kwargs = {
        "actor": advocate.user,
        "membership": advocate,
        "episode": episode,
        "closed_on": timezone.localdate(),
        "closure_reason": ClosureReason.DECLINED,
    }
    with pytest.raises(ValidationError) as excinfo:
        episode_services.episode_close(**kwargs, outcomes={})
    assert set(_errors(excinfo)) == {"outcome_safety"}
    episode_services.episode_close(**kwargs, outcomes={"safety": NeedOutcome.PARTLY})
    assert episode.needs.get().outcome == NeedOutcome.PARTLY
    with pytest.raises(ValidationError) as excinfo:
        _contact(advocate, episode)
    assert "at" in _errors(excinfo)
    with pytest.raises(ValidationError):
        episode_services.episode_update(
            actor=advocate.user, membership=advocate, episode=episode, contact_frequency="weekly"
        )


def test_reallocation_keeps_history(world):
    advocate = world.members[Role.ADVOCATE]
    colleague = MembershipFactory(agency=advocate.agency, role=Role.ADVOCATE)
    episode = start_episode(advocate, _case(world))
    episode_services.episode_update(
        actor=advocate.user, membership=advocate, episode=episode, advocate=colleague.user
    )
    allocations = list(EpisodeAllocation.objects.filter(episode=episode).order_by("pk"))
    assert [a.advocate for a in allocations] == [advocate.user, colleague.user]
    assert allocations[0].ended_at is not None and allocations[1].ended_at is None
    episode.victim.refresh_from_db()
    assert episode.victim.advocate == colleague.user
    outsider = world.members[Role.CLINICIAN]
    with pytest.raises(ValidationError) as excinfo:
        episode_services.episode_update(
            actor=advocate.user, membership=advocate, episode=episode, advocate=outsider.user
        )
    assert set(_errors(excinfo)) == {"advocate"}


def test_one_open_episode_per_victim_and_only_visible_victims(world):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, _case(world))
    with pytest.raises(ValidationError) as excinfo:
        start_episode(advocate, episode.case, victim=episode.victim)
    assert set(_errors(excinfo)) == {"victim"}
    # world.own_case is shared with police only: the advocate's agency cannot see it.
    with pytest.raises(ValidationError) as excinfo:
        start_episode(advocate, world.own_case, victim=world.victim)
    assert set(_errors(excinfo)) == {"victim"}
    with pytest.raises(ValidationError) as excinfo:
        start_episode(advocate, episode.case, victim=world.perpetrator)
    assert "victim" in _errors(excinfo)


@pytest.mark.parametrize(
    "role",
    [
        Role.INVESTIGATOR,
        Role.POLICE_SUPERVISOR,
        Role.CLINIC_CHAIR,
        Role.CLINICIAN,
        Role.PROBATION_OFFICER,
        Role.PARTNER,
        Role.MANAGER,
        Role.PARTNERSHIP_ADMIN,
    ],
)
def test_only_the_holding_agency_writes(world, role):
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, _case(world))
    other = world.members[role]
    with pytest.raises(PermissionDenied):
        _contact(other, episode)
    with pytest.raises(PermissionDenied):
        episode_services.episode_update(
            actor=other.user, membership=other, episode=episode, contact_frequency="weekly"
        )
