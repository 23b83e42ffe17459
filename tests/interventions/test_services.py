"""Interventions services: derived start, end, completion and drop-out (and the SQL that
lists use agrees with the model), rescheduling never double-counts, no session before
consent, dates refused at the field, one transaction, audit rows."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import PartyRole
from interventions.models import (
    Attendance,
    CancellationReason,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Pathway,
    Session,
    SessionStatus,
    WithdrawalReason,
)
from interventions.selectors import enrolments as enrolment_selectors
from interventions.services import enrolments as enrolment_services
from interventions.services import sessions as session_services
from tests.factories import add_party, open_case
from tests.factories_interventions import (
    at,
    attend,
    book,
    enrolment_with_sessions,
    fact,
    record_eligible,
    refer,
)

pytestmark = pytest.mark.django_db

A = Attendance


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def case(world):
    return world.health_case


def _sql(enrolment):
    return enrolment_selectors.with_progress(Enrolment.objects.filter(pk=enrolment.pk)).get()


def _agrees(enrolment):
    """The SQL annotation and the model's properties say the same thing."""
    fresh = Enrolment.objects.prefetch_related("sessions").get(pk=enrolment.pk)
    row = _sql(enrolment)
    assert row.derived_status == fresh.status
    assert row.attended_n == fresh.attended_count
    assert row.minutes_n == fresh.minutes_attended
    first = timezone.localtime(row.first_attended_at).date() if row.first_attended_at else None
    last = timezone.localtime(row.last_attended_at).date() if row.last_attended_at else None
    assert first == fresh.started_on
    assert last == fresh.last_attended_on
    return fresh


def test_fact_is_national_data():
    programme = fact()
    assert programme.partnership_id is None
    assert (programme.sessions_min, programme.sessions_max, programme.session_minutes) == (4, 6, 60)
    assert programme.recipient == "perpetrator"


def test_referral_then_allocation_then_consent(world, clinician, case):
    party = add_party(case, role=PartyRole.PERPETRATOR)
    enrolment = enrolment_services.enrolment_refer(
        actor=clinician.user,
        membership=clinician,
        party=party,
        programme=fact(),
        pathway=Pathway.VOLUNTARY,
        referred_on=timezone.localdate(),
    )
    assert enrolment.planned_sessions == 6
    assert _agrees(enrolment).status == EnrolmentStatus.REFERRED
    enrolment_services.allocate(
        actor=clinician.user, membership=clinician, enrolment=enrolment, practitioner=clinician.user
    )
    assert _agrees(enrolment).status == EnrolmentStatus.AWAITING_CONSENT
    enrolment_services.consent_record(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        consent_signed_on=timezone.localdate(),
        shares_risk_indicators=True,
    )
    assert _agrees(enrolment).status == EnrolmentStatus.ACTIVE
    events = AccessEvent.objects.filter(
        object_type="interventions.Enrolment", object_id=str(enrolment.pk)
    )
    assert [e.action for e in events.order_by("id")] == [
        Action.CREATE,
        Action.UPDATE,
        Action.UPDATE,
    ]


@pytest.mark.parametrize(
    "codes, status, attended",
    [
        ([A.ATTENDED_ENGAGED] * 3, EnrolmentStatus.ACTIVE, 3),
        ([A.ATTENDED_ENGAGED] * 4, EnrolmentStatus.COMPLETED, 4),
        ([A.ATTENDED_ENGAGED] * 3 + [A.LATE], EnrolmentStatus.COMPLETED, 4),
        ([A.ATTENDED_ENGAGED] * 3 + [A.PROVIDER_CANCELLED], EnrolmentStatus.ACTIVE, 3),
        (
            [A.LATE, A.ATTENDED_NOT_ENGAGED, A.UNACCEPTABLE_ABSENCE, A.ATTENDED_ENGAGED],
            EnrolmentStatus.ACTIVE,
            3,
        ),
    ],
)
def test_completion_at_the_boundaries_with_four_planned(clinician, case, codes, status, attended):
    enrolment = enrolment_with_sessions(clinician, case, codes, planned_sessions=4)
    fresh = _agrees(enrolment)
    assert (fresh.status, fresh.attended_count) == (status, attended)


@pytest.mark.parametrize("planned", [4, 5, 6])
def test_completion_needs_the_planned_number(clinician, case, planned):
    codes = [A.ATTENDED_ENGAGED] * (planned - 1)
    enrolment = enrolment_with_sessions(clinician, case, codes, planned_sessions=planned)
    assert _agrees(enrolment).status == EnrolmentStatus.ACTIVE
    attend(clinician, book(clinician, enrolment, at(timezone.localdate() - timedelta(days=1))))
    assert _agrees(enrolment).status == EnrolmentStatus.COMPLETED


def test_start_and_end_are_the_first_and_last_attended(clinician, case):
    codes = [
        A.ACCEPTABLE_ABSENCE,
        A.ATTENDED_ENGAGED,
        A.LATE,
        A.ATTENDED_ENGAGED,
        A.ATTENDED_ENGAGED,
        A.ATTENDED_ENGAGED,
        A.ATTENDED_ENGAGED,
    ]
    start = timezone.localdate() - timedelta(days=70)
    enrolment = enrolment_with_sessions(clinician, case, codes, start=start)
    fresh = _agrees(enrolment)
    assert fresh.started_on == start + timedelta(days=14)  # the absence in week 1 is no start
    assert fresh.status == EnrolmentStatus.COMPLETED
    assert fresh.ended_on == start + timedelta(days=7 * 7)
    assert fresh.minutes_attended == 6 * 60


def test_no_end_while_the_enrolment_runs(clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [A.ATTENDED_ENGAGED] * 2)
    fresh = _agrees(enrolment)
    assert fresh.started_on is not None and fresh.ended_on is None


def test_drop_out_is_the_withdrawal_and_cancels_what_is_booked(clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [A.ATTENDED_ENGAGED] * 2)
    booked = book(clinician, enrolment, at(timezone.localdate() + timedelta(days=3)))
    last = enrolment.sessions.filter(status=SessionStatus.RECORDED).order_by("-scheduled_at")[0]
    enrolment_services.enrolment_withdraw(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        withdrawn_on=timezone.localdate(),
        reason=WithdrawalReason.DISENGAGED,
    )
    fresh = _agrees(enrolment)
    assert fresh.status == EnrolmentStatus.DROPPED_OUT
    assert fresh.ended_on == timezone.localtime(last.scheduled_at).date()
    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason) == (
        SessionStatus.CANCELLED,
        CancellationReason.WITHDRAWN,
    )
    with pytest.raises(ValidationError) as error:
        book(clinician, enrolment, at(timezone.localdate() + timedelta(days=5)))
    assert "scheduled_at" in error.value.message_dict


def test_withdrawal_dates_and_reason_are_refused_at_the_field(clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [A.ATTENDED_ENGAGED])
    last = enrolment.sessions.get().scheduled_at
    with pytest.raises(ValidationError) as error:
        enrolment_services.enrolment_withdraw(
            actor=clinician.user,
            membership=clinician,
            enrolment=enrolment,
            withdrawn_on=timezone.localtime(last).date() - timedelta(days=1),
            reason="bored",
        )
    assert set(error.value.message_dict) == {"withdrawn_on", "reason"}
    assert Enrolment.objects.get(pk=enrolment.pk).withdrawn_on is None


def test_rescheduling_never_double_counts(clinician, case):
    start = timezone.localdate() - timedelta(days=30)
    enrolment = refer(clinician, case, referred_on=start, consent_on=start, planned_sessions=4)
    first = book(clinician, enrolment, at(start + timedelta(days=7)))
    moved = session_services.session_reschedule(
        actor=clinician.user,
        membership=clinician,
        session=first,
        scheduled_at=at(start + timedelta(days=8)),
    )
    again = session_services.session_reschedule(
        actor=clinician.user,
        membership=clinician,
        session=moved,
        scheduled_at=at(start + timedelta(days=9), 14),
        modality=Modality.IN_PERSON,
    )
    first.refresh_from_db()
    moved.refresh_from_db()
    assert first.superseded_by == moved and moved.superseded_by == again
    assert {first.status, moved.status} == {SessionStatus.RESCHEDULED}
    # A superseded appointment can be neither attended nor moved again.
    with pytest.raises(ValidationError):
        attend(clinician, first)
    with pytest.raises(ValidationError):
        session_services.session_reschedule(
            actor=clinician.user, membership=clinician, session=moved, scheduled_at=at(start)
        )
    attend(clinician, again)
    fresh = _agrees(enrolment)
    assert (fresh.attended_count, fresh.minutes_attended) == (1, 60)
    assert fresh.started_on == start + timedelta(days=9)
    assert Session.objects.filter(enrolment=enrolment).count() == 3


def test_no_session_before_consent_and_eligibility(clinician, case):
    start = timezone.localdate() - timedelta(days=20)
    enrolment = refer(clinician, case, referred_on=start)
    with pytest.raises(ValidationError) as error:
        book(clinician, enrolment, at(start + timedelta(days=2)))
    assert "consent" in error.value.message_dict["scheduled_at"][0]
    enrolment_services.consent_record(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        consent_signed_on=start + timedelta(days=5),
    )
    # Consent alone is not enough: the eligibility checklist must say eligible.
    with pytest.raises(ValidationError) as error:
        book(clinician, enrolment, at(start + timedelta(days=6)))
    assert "eligible" in error.value.message_dict["scheduled_at"][0]
    assert not Session.objects.filter(enrolment=enrolment).exists()
    record_eligible(clinician, enrolment, on=start + timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        book(clinician, enrolment, at(start + timedelta(days=4)))
    assert "before the consent" in error.value.message_dict["scheduled_at"][0]
    session = book(clinician, enrolment, at(start + timedelta(days=5)))
    # Consent cannot then be moved after the booked session.
    with pytest.raises(ValidationError) as error:
        enrolment_services.consent_record(
            actor=clinician.user,
            membership=clinician,
            enrolment=enrolment,
            consent_signed_on=start + timedelta(days=6),
        )
    assert "consent_signed_on" in error.value.message_dict
    assert session.pk


def test_dates_that_cannot_be_true_are_refused_at_the_field(clinician, case):
    today = timezone.localdate()
    party = add_party(case, role=PartyRole.PERPETRATOR)
    with pytest.raises(ValidationError) as error:
        enrolment_services.enrolment_refer(
            actor=clinician.user,
            membership=clinician,
            party=party,
            programme=fact(),
            pathway="sometimes",
            referred_on=today + timedelta(days=1),
            planned_sessions=7,
        )
    assert set(error.value.message_dict) == {"pathway", "referred_on", "planned_sessions"}
    enrolment = refer(clinician, case, referred_on=today - timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        enrolment_services.consent_record(
            actor=clinician.user,
            membership=clinician,
            enrolment=enrolment,
            consent_signed_on=today - timedelta(days=4),
        )
    assert "before the referral" in error.value.message_dict["consent_signed_on"][0]
    with pytest.raises(ValidationError) as error:
        enrolment_services.consent_record(
            actor=clinician.user,
            membership=clinician,
            enrolment=enrolment,
            consent_signed_on=today + timedelta(days=1),
        )
    assert "consent_signed_on" in error.value.message_dict
    enrolment_services.consent_record(
        actor=clinician.user, membership=clinician, enrolment=enrolment, consent_signed_on=today
    )
    record_eligible(clinician, enrolment)
    future = book(clinician, enrolment, at(today + timedelta(days=2)))
    with pytest.raises(ValidationError) as error:
        attend(clinician, future)
    assert "not happened yet" in error.value.message_dict["attendance"][0]
    with pytest.raises(ValidationError) as error:
        book(clinician, enrolment, timezone.now() + timedelta(days=400))
    assert "scheduled_at" in error.value.message_dict


def test_attendance_fields_are_checked_together(clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [])
    session = book(clinician, enrolment, timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        session_services.attendance_record(
            actor=clinician.user,
            membership=clinician,
            session=session,
            attendance=A.UNACCEPTABLE_ABSENCE,
            minutes=30,
            components=["open", "made-up"],
        )
    assert set(error.value.message_dict) == {"minutes", "components"}
    with pytest.raises(ValidationError) as error:
        session_services.attendance_record(
            actor=clinician.user, membership=clinician, session=session, attendance=A.LATE
        )
    assert set(error.value.message_dict) == {"minutes"}


def test_a_write_is_one_transaction(clinician, case):
    """If the audit row cannot be written, nothing of the reschedule is saved."""
    enrolment = enrolment_with_sessions(clinician, case, [])
    session = book(clinician, enrolment, at(timezone.localdate() + timedelta(days=2)))
    with (
        mock.patch(
            "interventions.services.enrolments.record_event", side_effect=RuntimeError("audit down")
        ),
        pytest.raises(RuntimeError),
    ):
        session_services.session_reschedule(
            actor=clinician.user,
            membership=clinician,
            session=session,
            scheduled_at=at(timezone.localdate() + timedelta(days=3)),
        )
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    assert Session.objects.filter(enrolment=enrolment).count() == 1


def test_writes_are_audited_without_notes(clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [])
    session = book(clinician, enrolment, timezone.now() - timedelta(hours=2))
    attend(clinician, session, notes="MARKER-note-in-audit")
    event = AccessEvent.objects.filter(
        object_type="interventions.Session", object_id=str(session.pk), action=Action.UPDATE
    ).get()
    assert event.case_id == case.pk and event.actor_id == clinician.user_id
    assert "MARKER" not in str(event.detail) + event.object_repr


def test_only_the_providers_clinicians_write(world, clinician, case):
    enrolment = enrolment_with_sessions(clinician, case, [])
    for role in (Role.INVESTIGATOR, Role.ADVOCATE, Role.PROBATION_OFFICER, Role.MANAGER):
        with pytest.raises(PermissionDenied):
            book(world.members[role], enrolment, at(timezone.localdate()))


def test_referral_needs_the_case_shared_with_the_agency_and_the_right_party(world, clinician):
    police_only = world.own_case
    with pytest.raises(ValidationError) as error:
        refer(clinician, police_only)
    assert "party" in error.value.message_dict
    case = world.health_case
    victim = add_party(case)
    with pytest.raises(ValidationError) as error:
        refer(clinician, case, party=victim)
    assert "perpetrators" in error.value.message_dict["party"][0]
    enrolment = refer(clinician, case)
    with pytest.raises(ValidationError) as error:
        refer(clinician, case, party=enrolment.party)
    assert "already enrolled" in error.value.message_dict["party"][0]


def test_a_chair_in_another_agency_holds_nothing(world):
    from tests.factories import MembershipFactory

    chair = MembershipFactory(agency=world.agencies["police"], role=Role.CLINIC_CHAIR)
    with pytest.raises(PermissionDenied):
        refer(chair, open_case(world.members[Role.INVESTIGATOR]))
