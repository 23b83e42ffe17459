"""Hand-offs without re-keying (issue 12 item 2): a clinic decision "Refer to intervention"
and the crime screen's "EASI / intervention candidate" refer the perpetrator to fACT with
the health agency that delivers it, status "referred", once; refused at the recorder's
field, nothing saved, when no perpetrator or agency can be chosen; the clinicians see the
referral on their caseload with its route and date; the compartment is unchanged."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import AgencyKind, Role
from audit.models import AccessEvent, Action
from cases.models import PartyRole, ScreeningAction, ScreeningActionKind
from cases.selectors.core import is_shared_with_agency
from cases.services import core as case_services
from cases.services import screening as screening_services
from interventions.models import Enrolment, EnrolmentStatus, ReferralRoute
from tests.factories import AgencyFactory, add_party, open_case
from tests.factories_interventions import attend, book, fact
from tests.factories_screening import CrimeScreenEntryFactory
from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
from triage.models import CaseDiscussion
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services

pytestmark = pytest.mark.django_db

EASI = ScreeningActionKind.EASI_CANDIDATE


def _created(kind="interventions.Enrolment"):
    return AccessEvent.objects.filter(action=Action.CREATE, object_type=kind)


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
        "decision": "refer_intervention",
        "next_review_on": timezone.localdate() + timedelta(days=28),
    }
    values.update(overrides)
    return discussion_services.discussion_record(
        actor=chair.user, membership=chair, item=item, **values
    )


def _entry(world, case=None, **kwargs):
    return CrimeScreenEntryFactory(
        partnership=world.partnership,
        case=case,
        recorded_on=timezone.localdate() - timedelta(days=3),
        **kwargs,
    )


def _screen(world, entry, kinds=(EASI,), **kwargs):
    police = world.members[Role.INVESTIGATOR]
    return screening_services.actions_record(
        actor=police.user, membership=police, entry=entry, kinds=list(kinds), **kwargs
    )


def _second_health_agency(world):
    return AgencyFactory(partnership=world.partnership, name="Second NHS trust", kind="health")


# The clinic ----------------------------------------------------------------------------


def test_a_clinic_decision_refers_the_perpetrator_once(world, item):
    case = world.own_case  # shared with police only
    discussion = _discuss(world, item)
    enrolment = Enrolment.objects.get()
    assert enrolment.party == world.perpetrator and enrolment.case == case
    assert enrolment.programme == fact()
    assert enrolment.provider_agency == world.agencies["health"]
    assert enrolment.route == ReferralRoute.CLINIC and enrolment.discussion == discussion
    assert enrolment.referred_on == timezone.localdate()
    assert enrolment.practitioner_id is None and enrolment.pathway == ""
    assert enrolment.status == EnrolmentStatus.REFERRED
    assert enrolment.planned_sessions == fact().sessions_max
    # The case was shared with the health agency, an audited disclosure.
    assert is_shared_with_agency(world.members[Role.CLINICIAN], case)
    disclosed = AccessEvent.objects.filter(
        action=Action.DISCLOSE,
        object_type="cases.Case",
        actor=world.members[Role.CLINIC_CHAIR].user,
        detail__recipient_agency_id=world.agencies["health"].pk,
    )
    assert disclosed.count() == 1
    event = _created().get()
    assert event.case == case and event.actor == world.members[Role.CLINIC_CHAIR].user
    assert event.detail["intervention_referral"] == ReferralRoute.CLINIC
    # Recorded twice (a second CAS version): still one, and no second disclosure.
    _discuss(world, item)
    assert CaseDiscussion.objects.filter(case=case).count() == 2
    assert Enrolment.objects.count() == 1 and _created().count() == 1
    assert disclosed.count() == 1


def test_other_decisions_refer_nobody(world, item):
    _discuss(world, item, decision="accept")
    _discuss(world, item, decision="monitor")
    assert not Enrolment.objects.exists()


def test_a_completed_or_dropped_out_enrolment_does_not_stop_a_new_referral(world, item):
    _discuss(world, item)
    enrolment = Enrolment.objects.get()
    clinician = world.members[Role.CLINICIAN]
    from interventions.services import enrolments as enrolment_services

    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        withdrawn_on=timezone.localdate(),
        reason="declined",
    )
    _discuss(world, item)
    assert Enrolment.objects.count() == 2
    assert Enrolment.objects.filter(withdrawn_on__isnull=True).count() == 1


@pytest.mark.parametrize("problem", ["no_perpetrator", "two_perpetrators", "two_agencies"])
def test_a_clinic_decision_that_cannot_choose_is_refused_at_decision(world, problem):
    chair = world.members[Role.CLINIC_CHAIR]
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police)
    if problem == "two_perpetrators":
        add_party(case, role=PartyRole.PERPETRATOR)
        add_party(case, role=PartyRole.PERPETRATOR)
    elif problem == "two_agencies":
        add_party(case, role=PartyRole.PERPETRATOR)
        _second_health_agency(world)
    clinic = ClinicFactory(partnership=world.partnership, chair=chair.user)
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=3))
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    item = AgendaItemFactory(meeting=meeting, case=case)
    events = AccessEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        _discuss(world, item)
    assert list(error.value.message_dict) == ["decision"]
    assert not CaseDiscussion.objects.filter(case=case).exists()
    assert not Enrolment.objects.exists()
    assert not is_shared_with_agency(world.members[Role.CLINICIAN], case)
    # Nothing written, not even an audit row.
    assert AccessEvent.objects.count() == events
    # The chair can still close the meeting (the case carries over).
    clinic_services.meeting_close(actor=chair.user, membership=chair, meeting=meeting)


def test_the_cas_form_shows_the_problem_at_the_decision(world, client, login):
    """The same field error reaches the chair on the CAS page (through discussion_errors)."""
    from triage.services.discussions import discussion_errors

    police = world.members[Role.INVESTIGATOR]
    case = open_case(police)  # no perpetrator
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(partnership=world.partnership, chair=chair.user)
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=3))
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    item = AgendaItemFactory(meeting=meeting, case=case)
    errors, _ = discussion_errors(
        item=item,
        summary="Known.",
        risk_judgement="low",
        decision="refer_intervention",
        next_review_on=timezone.localdate() + timedelta(days=7),
    )
    assert "no perpetrator" in errors["decision"]


def test_a_case_shared_with_one_of_two_health_agencies_refers_to_that_one(world):
    other = _second_health_agency(world)
    chair = world.members[Role.CLINIC_CHAIR]
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[other])
    add_party(case, role=PartyRole.PERPETRATOR)
    clinic = ClinicFactory(partnership=world.partnership, chair=chair.user)
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=3))
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    _discuss(world, AgendaItemFactory(meeting=meeting, case=case))
    assert Enrolment.objects.get().provider_agency == other


# The crime screen ----------------------------------------------------------------------


def test_the_screening_action_on_a_linked_crime_refers_the_suspect_once(world):
    case = world.own_case
    entry = _entry(world, case=case, suspect_person=world.perpetrator.person)
    _screen(world, entry, acted_on=timezone.localdate() - timedelta(days=1))
    enrolment = Enrolment.objects.get()
    assert enrolment.party == world.perpetrator
    assert enrolment.route == ReferralRoute.SCREENING and enrolment.screening_entry == entry
    assert enrolment.referred_on == timezone.localdate() - timedelta(days=1)
    assert enrolment.provider_agency == world.agencies["health"]
    assert enrolment.status == EnrolmentStatus.REFERRED
    assert enrolment.created_by == world.members[Role.INVESTIGATOR].user
    # Twice, and with another action: still one.
    _screen(world, entry, kinds=[EASI, "spo_full"])
    assert Enrolment.objects.count() == 1 and _created().count() == 1
    # Another crime on the same case while the enrolment is open: still one.
    _screen(world, _entry(world, case=case, suspect_person=world.perpetrator.person))
    assert Enrolment.objects.count() == 1


def test_the_suspect_matched_among_several_perpetrators(world):
    second = add_party(world.own_case, role=PartyRole.PERPETRATOR)
    _screen(world, _entry(world, case=world.own_case, suspect_person=second.person))
    assert Enrolment.objects.get().party == second


def test_a_crime_screened_before_it_has_a_case_refers_when_linked(world):
    police = world.members[Role.INVESTIGATOR]
    entry = _entry(world)
    _screen(world, entry, acted_on=timezone.localdate() - timedelta(days=2))
    assert not Enrolment.objects.exists()
    case = open_case(police, shared_with=[world.agencies["health"]])
    perpetrator = add_party(case, role=PartyRole.PERPETRATOR)
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=case)
    enrolment = Enrolment.objects.get()
    assert enrolment.party == perpetrator and enrolment.route == ReferralRoute.SCREENING
    assert enrolment.referred_on == timezone.localdate() - timedelta(days=2)
    linked = AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.CrimeScreenEntry"
    ).latest("pk")
    assert linked.detail["intervention_referral"] == enrolment.pk
    # Unlinking and linking again, or recording the action again: still one.
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=None)
    screening_services.entry_link_case(actor=police.user, membership=police, entry=entry, case=case)
    _screen(world, entry)
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("problem", ["no_perpetrator", "two_perpetrators", "two_agencies"])
def test_a_screening_referral_that_cannot_choose_is_refused_at_kinds(world, problem):
    police = world.members[Role.INVESTIGATOR]
    case = open_case(police)
    if problem == "two_perpetrators":
        add_party(case, role=PartyRole.PERPETRATOR)
        add_party(case, role=PartyRole.PERPETRATOR)
    elif problem == "two_agencies":
        add_party(case, role=PartyRole.PERPETRATOR)
        _second_health_agency(world)
    entry = _entry(world, case=case)
    with pytest.raises(ValidationError) as error:
        _screen(world, entry)
    assert list(error.value.message_dict) == ["kinds"]
    assert not ScreeningAction.objects.exists() and not Enrolment.objects.exists()
    entry.refresh_from_db()
    assert entry.screened_at is None
    # Linking a crime already screened EASI is refused the same way, at "case".
    unlinked = _entry(world)
    _screen(world, unlinked)
    with pytest.raises(ValidationError) as error:
        screening_services.entry_link_case(
            actor=police.user, membership=police, entry=unlinked, case=case
        )
    assert "case" in error.value.message_dict
    unlinked.refresh_from_db()
    assert unlinked.case_id is None and not Enrolment.objects.exists()


def test_no_health_agency_at_all_is_refused(world):
    world.agencies["health"].active = False
    world.agencies["health"].save(update_fields=["active"])
    with pytest.raises(ValidationError) as error:
        _screen(world, _entry(world, case=world.own_case))
    assert "no agency that delivers" in error.value.message_dict["kinds"][0]


def test_accepting_the_triage_referral_links_and_refers(world):
    """The crime's link on accepting its triage referral: made when it can be, else left
    out and the audit row says so (the acceptance is never refused for it)."""
    police = world.members[Role.INVESTIGATOR]
    entry = _entry(world)
    _screen(world, entry)
    case = open_case(police)  # no perpetrator yet
    screening_services.entry_link_accepted_case(
        actor=police.user, membership=police, entry=entry, case=case, referral=_Ref()
    )
    entry.refresh_from_db()
    assert entry.case == case and not Enrolment.objects.exists()
    event = AccessEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.CrimeScreenEntry"
    ).latest("pk")
    assert event.detail["intervention_referral"] is None
    assert event.detail["intervention_referral_left_out"] is True

    other = _entry(world, suspect_person=world.perpetrator.person)
    _screen(world, other)
    screening_services.entry_link_accepted_case(
        actor=police.user, membership=police, entry=other, case=world.own_case, referral=_Ref()
    )
    assert Enrolment.objects.get().party == world.perpetrator


class _Ref:
    pk = 0


# The caseload and the compartment -------------------------------------------------------


def test_the_clinicians_see_the_referral_on_their_caseload(world, item, client, login):
    _discuss(world, item)
    clinician = world.members[Role.CLINICIAN]
    login(clinician)
    page = client.get(reverse("interventions:caseload") + "?mine=0&status=referred")
    html = page.content.decode()
    assert page.status_code == 200
    assert world.perpetrator.person.full_name in html
    assert "Clinic decision" in html
    assert timezone.localdate().strftime("%-d %b %Y") in html
    enrolment = Enrolment.objects.get()
    detail = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    assert "clinic decision" in detail.content.decode()
    api = client.get(reverse("api:interventions-enrolment-detail", args=[enrolment.pk]))
    assert api.json()["route"] == "clinic" and api.json()["status"] == "referred"


NOTE = "MARKER-handoff-note-threats-to-victim"


def test_the_compartment_is_unchanged(world, item, client, login):
    """The referrer's agencies and every other reader of the case see the status only;
    the enrolment and its notes stay the delivering agency's."""
    _discuss(world, item)
    enrolment = Enrolment.objects.get()
    clinician = world.members[Role.CLINICIAN]
    from interventions.services import enrolments as enrolment_services

    enrolment_services.allocate(
        actor=clinician.user, membership=clinician, enrolment=enrolment, practitioner=clinician.user
    )
    day = timezone.localdate()
    enrolment_services.consent_record(
        actor=clinician.user, membership=clinician, enrolment=enrolment, consent_signed_on=day
    )
    from tests.factories_interventions import at, record_eligible

    record_eligible(clinician, enrolment, on=day)
    session = book(clinician, enrolment, at(day, hour=0, minute=1))
    attend(clinician, session, notes=NOTE)
    police = world.members[Role.INVESTIGATOR]
    case_services.case_share(
        actor=police.user,
        membership=police,
        case=enrolment.case,
        agency=world.agencies["probation"],
        reason="Supervises the perpetrator.",
    )
    case_page = reverse("interventions:case-interventions", args=[enrolment.case_id])
    for role in (Role.INVESTIGATOR, Role.PROBATION_OFFICER):
        member = world.members[role]
        login(member)
        html = client.get(case_page).content.decode()
        assert enrolment.programme.name in html and "Attended" in html
        assert NOTE not in html
        detail = reverse("interventions:enrolment-detail", args=[enrolment.pk])
        assert client.get(detail).status_code in (403, 404)
        api = reverse("api:interventions-enrolment-detail", args=[enrolment.pk])
        assert client.get(api).status_code in (403, 404)
    login(clinician)
    detail = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    assert NOTE in detail.content.decode()
    assert enrolment.provider_agency.kind == AgencyKind.HEALTH
