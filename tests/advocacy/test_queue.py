"""The advocacy referral queue (issue 11 item 1, "no re-keying"; item 8, referrals waiting):
the crime screen's "Victim advocacy (ISAC) referral" and a clinic decision that refers to
advocacy put the victim in the advocacy agency's queue, once; the advocate accepts (the
episode starts) or declines with a reason, in one transaction, audited; the referrer sees
the status only; the queue is the advocacy agency's alone."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy import demo
from advocacy.models import (
    AdvocacyReferral,
    DeclineReason,
    EpisodeStatus,
    ReferralRoute,
    ReferralStatus,
    SupportEpisode,
)
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import referrals as referral_selectors
from advocacy.services import episodes as episode_services
from advocacy.services import referrals as referral_services
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from cases.models import ScreeningAction, ScreeningActionKind
from cases.selectors.core import is_shared_with_agency
from cases.services import screening as screening_services
from tests.factories import MembershipFactory, add_party, open_case
from tests.factories_advocacy import raw_referral, second_advocacy_agency
from tests.factories_screening import CrimeScreenEntryFactory
from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services

pytestmark = pytest.mark.django_db

NOTE_MARKER = "MARKER-decline-note-victim-in-refuge"


def _events(action, kind="advocacy.AdvocacyReferral"):
    return AccessEvent.objects.filter(action=action, object_type=kind)


def _screen(world, entry, kinds=(ScreeningActionKind.ADVOCACY_REFERRAL,), **kwargs):
    police = world.members[Role.INVESTIGATOR]
    return screening_services.actions_record(
        actor=police.user, membership=police, entry=entry, kinds=list(kinds), **kwargs
    )


def _entry(world, case=None, **kwargs):
    return CrimeScreenEntryFactory(
        partnership=world.partnership,
        case=case,
        recorded_on=timezone.localdate() - timedelta(days=3),
        **kwargs,
    )


# The crime screen ----------------------------------------------------------------------


def test_the_screening_action_on_a_linked_crime_refers_the_victim_once(world):
    case, victim = world.own_case, world.victim  # shared with police only
    entry = _entry(world, case=case, victim_person=victim.person)
    _screen(world, entry, acted_on=timezone.localdate() - timedelta(days=1))
    referral = AdvocacyReferral.objects.get()
    assert referral.victim == victim and referral.case == case
    assert referral.advocacy_agency == world.agencies["advocacy"]
    assert referral.route == ReferralRoute.POLICE_SCREENING
    assert referral.referred_on == timezone.localdate() - timedelta(days=1)
    assert referral.screening_entry == entry and referral.status == ReferralStatus.WAITING
    assert referral.referred_by == world.members[Role.INVESTIGATOR].user
    # The case was shared with the partnership's advocacy agency, an audited disclosure.
    assert is_shared_with_agency(world.members[Role.ADVOCATE], case)
    disclosed = AccessEvent.objects.filter(action=Action.DISCLOSE, object_type="cases.Case")
    assert disclosed.filter(detail__recipient_agency_id=world.agencies["advocacy"].pk).count() == 1
    created = _events(Action.CREATE).get()
    assert created.case == case and created.actor == world.members[Role.INVESTIGATOR].user
    # Recording it twice (and with another action) adds nothing.
    _screen(world, entry, kinds=[ScreeningActionKind.ADVOCACY_REFERRAL, "spo_full"])
    assert AdvocacyReferral.objects.count() == 1
    assert _events(Action.CREATE).count() == 1
    # Not a support episode: nothing on the caseload until it is accepted.
    advocate = world.members[Role.ADVOCATE]
    assert SupportEpisode.objects.count() == 0
    assert set(episode_selectors.caseload_counts(advocate).values()) == {0}
    assert referral_selectors.waiting_count(advocate) == 1


def test_a_crime_referred_before_it_has_a_case_refers_when_linked(world):
    police = world.members[Role.INVESTIGATOR]
    entry = _entry(world)
    _screen(world, entry, acted_on=timezone.localdate() - timedelta(days=2))
    assert not AdvocacyReferral.objects.exists()
    case = open_case(police, shared_with=[world.agencies["advocacy"]])
    victim = add_party(case)
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=case)
    referral = AdvocacyReferral.objects.get()
    assert referral.victim == victim
    assert referral.referred_on == timezone.localdate() - timedelta(days=2)
    # Unlinking and linking again, or recording the action again: still one.
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=None)
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=case)
    _screen(world, entry)
    assert AdvocacyReferral.objects.count() == 1


def test_other_screening_actions_refer_nobody(world):
    _screen(world, _entry(world, case=world.own_case), kinds=["spo_full", "easi_candidate"])
    assert not AdvocacyReferral.objects.exists()


def test_a_referral_that_cannot_choose_an_agency_is_refused_at_the_field(world):
    # Two advocacy agencies in the partnership and the case shared with neither.
    second_advocacy_agency(world.partnership)
    entry = _entry(world, case=world.own_case, victim_person=world.victim.person)
    with pytest.raises(ValidationError) as error:
        _screen(world, entry)
    assert "kinds" in error.value.message_dict
    assert "more than one" in error.value.message_dict["kinds"][0]
    assert not ScreeningAction.objects.exists() and not AdvocacyReferral.objects.exists()
    entry.refresh_from_db()
    assert entry.screened_at is None
    # Linking a crime already screened for advocacy is refused the same way.
    police = world.members[Role.INVESTIGATOR]
    unlinked = _entry(world)
    _screen(world, unlinked)
    with pytest.raises(ValidationError) as error:
        screening_services.entry_link_case(
            actor=police.user, membership=police, entry=unlinked, case=world.own_case
        )
    assert "case" in error.value.message_dict
    unlinked.refresh_from_db()
    assert unlinked.case_id is None


def test_a_case_shared_with_one_of_several_agencies_refers_to_that_one(world):
    other, _ = second_advocacy_agency(world.partnership)
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police, shared_with=[other])
    victim = add_party(case)
    _screen(world, _entry(world, case=case))
    assert AdvocacyReferral.objects.get().advocacy_agency == other
    assert AdvocacyReferral.objects.get().victim == victim


def test_no_referral_while_the_agency_already_supports_the_victim(world):
    advocate = world.members[Role.ADVOCATE]
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["advocacy"]])
    victim = add_party(case)
    episode_services.episode_start(
        actor=advocate.user,
        membership=advocate,
        victim=victim,
        referral_route=ReferralRoute.SELF,
        referred_on=timezone.localdate(),
        advocate=advocate.user,
    )
    _screen(world, _entry(world, case=case))
    assert not AdvocacyReferral.objects.exists()


# The clinic ----------------------------------------------------------------------------


@pytest.fixture
def item(world):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership,
        name="Northshire triage clinic",
        chair=chair.user,
        agencies=[world.agencies[key] for key in ("police", "health", "advocacy")],
    )
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=3))
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    return AgendaItemFactory(meeting=meeting, case=world.own_case)


def _discuss(world, item, **overrides):
    chair = world.members[Role.CLINIC_CHAIR]
    values = {
        "summary": "Ex-partner, 40 messages a day.",
        "risk_judgement": "medium",
        "decision": "accept",
        "next_review_on": timezone.localdate() + timedelta(days=28),
    }
    values.update(overrides)
    return discussion_services.discussion_record(
        actor=chair.user, membership=chair, item=item, **values
    )


def test_a_clinic_decision_that_refers_to_advocacy_queues_each_victim_once(world, item):
    second = add_party(world.own_case, role="secondary_victim")
    _discuss(world, item)  # the decision alone refers nobody
    assert not AdvocacyReferral.objects.exists()
    discussion = _discuss(world, item, refer_to_advocacy=True)
    referrals = AdvocacyReferral.objects.order_by("victim_id")
    assert [r.victim for r in referrals] == sorted([world.victim, second], key=lambda p: p.pk)
    assert {r.route for r in referrals} == {ReferralRoute.CLINIC}
    assert {r.discussion_id for r in referrals} == {discussion.pk}
    assert {r.referred_by for r in referrals} == {world.members[Role.CLINIC_CHAIR].user}
    assert discussion.decision == "accept" and discussion.refer_to_advocacy
    # Recorded again while they wait: nothing more.
    _discuss(world, item, refer_to_advocacy=True)
    assert AdvocacyReferral.objects.count() == 2
    assert _events(Action.CREATE).count() == 2


def test_a_clinic_referral_on_a_case_without_a_victim_is_refused_and_nothing_saved(world):
    chair = world.members[Role.CLINIC_CHAIR]
    case = open_case(world.members[Role.INVESTIGATOR])
    clinic = ClinicFactory(partnership=world.partnership, name="Clinic", chair=chair.user)
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate())
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    item = AgendaItemFactory(meeting=meeting, case=case)
    with pytest.raises(ValidationError) as error:
        _discuss(world, item, refer_to_advocacy=True)
    assert "no victim" in error.value.message_dict["refer_to_advocacy"][0]
    assert not case.discussions.exists() and not AdvocacyReferral.objects.exists()


def test_the_cas_api_takes_the_referral(world, item, client, login):
    login(world.members[Role.CLINIC_CHAIR])
    response = client.post(
        reverse("api:discussion-list"),
        {
            "agenda_item": item.pk,
            "summary": "Known.",
            "risk_judgement": "low",
            "decision": "monitor",
            "next_review_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "refer_to_advocacy": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["refer_to_advocacy"] is True
    assert AdvocacyReferral.objects.get().route == ReferralRoute.CLINIC


# Accept and decline --------------------------------------------------------------------


@pytest.fixture
def waiting(world):
    """A waiting referral from the crime screen for the world's own case's victim."""
    _screen(world, _entry(world, case=world.own_case, victim_person=world.victim.person))
    return AdvocacyReferral.objects.get()


def test_accepting_starts_the_episode_in_one_audited_step(world, waiting):
    advocate = world.members[Role.ADVOCATE]
    episode = referral_services.referral_accept(
        actor=advocate.user, membership=advocate, referral=waiting, advocate=advocate.user
    )
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.ACCEPTED and waiting.episode == episode
    assert waiting.decided_by == advocate.user
    assert episode.victim == world.victim and episode.advocate == advocate.user
    assert episode.referral_route == ReferralRoute.POLICE_SCREENING
    assert episode.referred_on == waiting.referred_on
    assert episode.status == EpisodeStatus.REFERRED
    update = _events(Action.UPDATE).get()
    assert update.detail == {"accepted": True, "episode": episode.pk}
    assert update.case == world.own_case
    assert _events(Action.CREATE, "advocacy.SupportEpisode").count() == 1
    assert referral_selectors.waiting_count(advocate) == 0
    assert episode_selectors.caseload_counts(advocate)[EpisodeStatus.REFERRED] == 1
    with pytest.raises(ValidationError) as error:
        referral_services.referral_accept(
            actor=advocate.user, membership=advocate, referral=waiting, advocate=advocate.user
        )
    assert "already accepted" in error.value.message_dict["referral"][0]


def test_accept_errors_are_field_keyed_and_nothing_is_half_saved(world, waiting):
    advocate = world.members[Role.ADVOCATE]
    _, stranger = second_advocacy_agency(world.partnership)
    for wanted, message in ((None, "Choose the advocate"), (stranger.user, "your agency")):
        with pytest.raises(ValidationError) as error:
            referral_services.referral_accept(
                actor=advocate.user, membership=advocate, referral=waiting, advocate=wanted
            )
        assert message in error.value.message_dict["advocate"][0]
    # The episode's own rule (already supported) rolls the whole acceptance back.
    episode_services.episode_start(
        actor=advocate.user,
        membership=advocate,
        victim=world.victim,
        referral_route=ReferralRoute.SELF,
        referred_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as error:
        referral_services.referral_accept(
            actor=advocate.user, membership=advocate, referral=waiting, advocate=advocate.user
        )
    assert "victim" in error.value.message_dict
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING and waiting.episode_id is None
    assert SupportEpisode.objects.count() == 1
    assert not _events(Action.UPDATE).exists()


def test_declining_needs_a_reason_and_starts_nothing(world, waiting):
    advocate = world.members[Role.ADVOCATE]
    for reason, note, field in (
        ("", "", "reason"),
        ("busy", "", "reason"),
        (DeclineReason.OTHER, "  ", "note"),
        (DeclineReason.OTHER, "x" * 2001, "note"),
    ):
        with pytest.raises(ValidationError) as error:
            referral_services.referral_decline(
                actor=advocate.user, membership=advocate, referral=waiting, reason=reason, note=note
            )
        assert set(error.value.message_dict) == {field}
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING and not _events(Action.UPDATE).exists()
    referral_services.referral_decline(
        actor=advocate.user,
        membership=advocate,
        referral=waiting,
        reason=DeclineReason.OTHER,
        note=NOTE_MARKER,
    )
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.DECLINED
    assert (waiting.decline_reason, waiting.decline_note) == (DeclineReason.OTHER, NOTE_MARKER)
    update = _events(Action.UPDATE).get()
    assert update.detail == {"declined": True, "reason": "other"}
    assert NOTE_MARKER not in str(update.detail) + update.object_repr
    assert SupportEpisode.objects.count() == 0
    assert set(episode_selectors.caseload_counts(advocate).values()) == {0}
    assert referral_selectors.waiting_count(advocate) == 0
    with pytest.raises(ValidationError) as error:
        referral_services.referral_accept(
            actor=advocate.user, membership=advocate, referral=waiting, advocate=advocate.user
        )
    assert "already declined" in error.value.message_dict["referral"][0]


def test_after_a_decline_a_new_crime_refers_again_but_the_same_one_does_not(world, waiting):
    advocate = world.members[Role.ADVOCATE]
    referral_services.referral_decline(
        actor=advocate.user,
        membership=advocate,
        referral=waiting,
        reason=DeclineReason.NOT_ELIGIBLE,
    )
    _screen(world, waiting.screening_entry)
    assert AdvocacyReferral.objects.count() == 1
    _screen(world, _entry(world, case=world.own_case, victim_person=world.victim.person))
    assert AdvocacyReferral.objects.count() == 2
    assert referral_selectors.waiting_count(advocate) == 1


def test_the_referrer_sees_the_status_only(world, waiting, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(world.members[Role.INVESTIGATOR])
    url = reverse("cases:detail", args=[world.own_case.pk])
    page = client.get(url).content.decode()
    assert "advocacy agency: referral waiting since" in page
    referral_services.referral_decline(
        actor=advocate.user,
        membership=advocate,
        referral=waiting,
        reason=DeclineReason.OTHER,
        note=NOTE_MARKER,
    )
    page = client.get(url).content.decode()
    assert "advocacy agency: referral declined on" in page
    assert NOTE_MARKER not in page and "Other reason" not in page
    login(world.members[Role.CLINIC_CHAIR])
    assert "referral declined on" in client.get(url).content.decode()


def test_the_referrer_sees_an_acceptance(world, waiting, client, login):
    advocate = world.members[Role.ADVOCATE]
    referral_services.referral_accept(
        actor=advocate.user, membership=advocate, referral=waiting, advocate=advocate.user
    )
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert "advocacy agency: referral accepted on" in page
    assert "advocacy agency: referred" in page  # the episode's status


# Pages and API -------------------------------------------------------------------------


def test_the_queue_page_and_my_work(world, waiting, client, login):
    advocate = world.members[Role.ADVOCATE]
    declined = raw_referral(world.own_case, world.agencies["advocacy"], referrer=advocate)
    referral_services.referral_decline(
        actor=advocate.user, membership=advocate, referral=declined, reason="out_of_area"
    )
    login(advocate)
    page = client.get(reverse("advocacy:referral-queue")).content.decode()
    assert world.victim.person.full_name in page
    assert declined.victim.person.full_name not in page
    assert reverse("advocacy:referral-accept", args=[waiting.pk]) in page
    home = client.get(reverse("home")).content.decode()
    assert "1 referral waiting" in home and reverse("advocacy:referral-queue") in home
    assert _events(Action.LIST, "").filter(detail__page="advocacy-referrals").count() == 1


def test_the_queue_is_one_query_whatever_its_length(world, django_assert_max_num_queries):
    advocate = world.members[Role.ADVOCATE]
    police = world.members[Role.INVESTIGATOR]
    for _ in range(5):
        raw_referral(world.own_case, world.agencies["advocacy"], referrer=police)
    with django_assert_max_num_queries(1):
        rows = list(referral_selectors.referral_queue(advocate))
        assert [r.victim.person.full_name for r in rows]
        assert [r.referring_agency.name + r.referred_by.full_name for r in rows]


def test_accept_and_decline_pages(world, waiting, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    accept = reverse("advocacy:referral-accept", args=[waiting.pk])
    page = client.get(accept)
    assert page.status_code == 200 and "Accept and start support" in page.content.decode()
    assert "checked" in page.content.decode()  # the advocate themselves, by default
    response = client.post(accept, {"advocate": advocate.user.pk})
    waiting.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("advocacy:episode-detail", args=[waiting.episode_id])
    # A decided referral's pages say so, with no button.
    blocked = client.get(reverse("advocacy:referral-decline", args=[waiting.pk])).content.decode()
    assert "already accepted" in blocked and "Decline referral" not in blocked

    other = raw_referral(world.own_case, world.agencies["advocacy"], referrer=advocate)
    decline = reverse("advocacy:referral-decline", args=[other.pk])
    response = client.post(decline, {"reason": DeclineReason.OTHER, "note": ""})
    assert response.status_code == 400
    assert "Explain why the referral is declined." in response.content.decode()
    response = client.post(decline, {"reason": ""})
    assert response.status_code == 400
    assert "Choose why the referral is declined." in response.content.decode()
    other.refresh_from_db()
    assert other.status == ReferralStatus.WAITING
    response = client.post(decline, {"reason": DeclineReason.NO_CAPACITY})
    assert response.status_code == 302 and response.url == reverse("advocacy:referral-queue")
    other.refresh_from_db()
    assert other.status == ReferralStatus.DECLINED


def test_the_api_lists_accepts_and_declines(world, waiting, client, login):
    advocate = world.members[Role.ADVOCATE]
    login(advocate)
    listing = client.get(reverse("api:advocacy-referral-list")).json()
    assert [row["id"] for row in listing["results"]] == [waiting.pk]
    assert listing["results"][0]["status"] == "waiting"
    assert listing["results"][0]["victim"] == world.victim.pk

    decline = reverse("api:advocacy-referral-decline", args=[waiting.pk])
    response = client.post(decline, {"reason": "other"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"note"}
    response = client.post(decline, {"reason": "nope"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"reason"}
    accept = reverse("api:advocacy-referral-accept", args=[waiting.pk])
    response = client.post(accept, {"advocate": 2_000_000}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"advocate"}
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING and not SupportEpisode.objects.exists()

    response = client.post(accept, {}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["advocate"] == advocate.user.pk and body["victim"] == world.victim.pk
    response = client.post(decline, {"reason": "not_eligible"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"referral"}

    other = raw_referral(world.own_case, world.agencies["advocacy"], referrer=advocate)
    response = client.post(
        reverse("api:advocacy-referral-decline", args=[other.pk]),
        {"reason": "supported_elsewhere"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "declined"


def test_a_manager_must_choose_the_advocate(world, waiting, client, login):
    manager = MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)
    login(manager)
    accept = reverse("api:advocacy-referral-accept", args=[waiting.pk])
    response = client.post(accept, {}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"advocate"}
    advocate = world.members[Role.ADVOCATE]
    response = client.post(accept, {"advocate": advocate.user.pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["advocate"] == advocate.user.pk


# The compartment -----------------------------------------------------------------------


def _queue_urls(referral):
    return [
        ("get", reverse("advocacy:referral-queue")),
        ("get", reverse("advocacy:referral-accept", args=[referral.pk])),
        ("get", reverse("advocacy:referral-decline", args=[referral.pk])),
        ("get", reverse("api:advocacy-referral-list")),
        ("post", reverse("api:advocacy-referral-accept", args=[referral.pk])),
        ("post", reverse("api:advocacy-referral-decline", args=[referral.pk])),
    ]


OUTSIDERS = [
    Role.INVESTIGATOR,
    Role.POLICE_SUPERVISOR,
    Role.CLINICIAN,
    Role.PROBATION_OFFICER,
    Role.PARTNER,
    Role.CLINIC_CHAIR,
    Role.MANAGER,
    Role.PARTNERSHIP_ADMIN,
]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_one_outside_the_advocacy_agency_reads_the_queue(world, waiting, client, login, role):
    login(world.members[role])
    for method, url in _queue_urls(waiting):
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 403, url
        assert world.victim.person.full_name not in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING


def test_break_glass_is_no_way_into_the_queue(world, client, login):
    police = world.members[Role.INVESTIGATOR]
    case = world.advocacy_case  # not shared with police
    referral = raw_referral(case, world.agencies["advocacy"], referrer=world.members[Role.ADVOCATE])
    break_glass_open(
        actor=police.user, membership=police, case=case, reason="Urgent check out of hours"
    )
    login(police)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    for method, url in _queue_urls(referral):
        assert getattr(client, method)(url).status_code == 403, url


def test_another_advocacy_agency_gets_404_and_one_denial_row(world, waiting, client, login):
    _, other_advocate = second_advocacy_agency(world.partnership)
    login(other_advocate)
    for method, url in _queue_urls(waiting)[1:3] + _queue_urls(waiting)[4:]:
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = getattr(client, method)(url, {"reason": "other", "note": "x"})
        assert response.status_code == 404, url
        assert world.victim.person.full_name not in response.content.decode()
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1
    assert client.get(reverse("api:advocacy-referral-list")).json()["count"] == 0
    assert (
        world.victim.person.full_name
        not in client.get(reverse("advocacy:referral-queue")).content.decode()
    )
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING


def test_the_service_refuses_another_agency(world, waiting):
    from django.core.exceptions import PermissionDenied

    _, other_advocate = second_advocacy_agency(world.partnership)
    with pytest.raises(PermissionDenied):
        referral_services.referral_decline(
            actor=other_advocate.user,
            membership=other_advocate,
            referral=waiting,
            reason=DeclineReason.OTHER,
            note="x",
        )


# Demo ----------------------------------------------------------------------------------


def test_the_demo_gives_the_advocate_one_waiting_referral_once(world):
    police = world.members[Role.INVESTIGATOR]
    for _ in range(3):
        add_party(open_case(police, shared_with=[world.agencies["advocacy"]]))
    CrimeScreenEntryFactory(partnership=world.partnership)
    agencies = list(world.agencies.values())
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    advocate = world.members[Role.ADVOCATE]
    assert referral_selectors.waiting_count(advocate) == 1
    referral = AdvocacyReferral.objects.get()
    assert referral.route == ReferralRoute.POLICE_SCREENING and referral.screening_entry_id
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    assert AdvocacyReferral.objects.count() == 1
    # Three episodes on shared cases and the helpline caller's advocacy-only one.
    assert SupportEpisode.objects.count() == 4
