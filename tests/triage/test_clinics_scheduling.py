"""Scheduling meetings from a clinic's cadence: occurrences, DST, idempotency, the task."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from audit.models import AccessEvent
from tests.factories import make_referral
from tests.factories_triage import ClinicFactory
from triage import tasks
from triage.models import AgendaItem, Cadence, Clinic, Meeting, MeetingKind
from triage.services import clinics as clinic_services


def _clinic(**kwargs):
    return Clinic(
        first_meeting_on=kwargs.pop("first", date(2026, 1, 6)), starts_at=time(10), **kwargs
    )


def test_weekdays_skip_the_weekend():
    clinic = _clinic(cadence=Cadence.WEEKDAYS, first=date(2026, 1, 1))
    days = clinic_services.occurrences(clinic, date(2026, 3, 6), date(2026, 3, 10))
    assert days == [date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)]


def test_fortnightly_counts_from_the_first_meeting():
    clinic = _clinic(cadence=Cadence.FORTNIGHTLY, first=date(2026, 1, 6))
    days = clinic_services.occurrences(clinic, date(2026, 1, 7), date(2026, 2, 17))
    assert days == [date(2026, 1, 20), date(2026, 2, 3), date(2026, 2, 17)]
    assert clinic_services.occurrences(clinic, date(2025, 12, 1), date(2026, 1, 6)) == [
        date(2026, 1, 6)
    ]


def test_monthly_is_the_same_weekday_of_the_month():
    # 13 January 2026 is the second Tuesday.
    clinic = _clinic(cadence=Cadence.MONTHLY, first=date(2026, 1, 13))
    days = clinic_services.occurrences(clinic, date(2026, 1, 14), date(2026, 4, 30))
    assert days == [date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]


def test_monthly_fifth_weekday_falls_back_to_the_last():
    clinic = _clinic(cadence=Cadence.MONTHLY, first=date(2026, 1, 29))  # fifth Thursday
    assert clinic_services.occurrences(clinic, date(2026, 2, 1), date(2026, 2, 28)) == [
        date(2026, 2, 26)
    ]


def test_meeting_start_is_london_time_stored_as_utc(world, clinic):
    clinic.starts_at = time(10, 0)
    winter = clinic_services.meeting_start(clinic, date(2026, 1, 13))
    summer = clinic_services.meeting_start(clinic, date(2026, 7, 14))
    assert winter.astimezone(UTC) == datetime(2026, 1, 13, 10, 0, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
    # Either side of the clocks going forward (29 March 2026).
    clinic.cadence = Cadence.WEEKDAYS
    clinic.first_meeting_on = date(2026, 3, 27)
    clinic.save()
    clinic_services.schedule_meetings(date(2026, 3, 27))
    clinic_services.schedule_meetings(date(2026, 3, 30))
    starts = dict(Meeting.objects.filter(clinic=clinic).values_list("held_on", "starts_at"))
    assert starts[date(2026, 3, 27)] == datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert starts[date(2026, 3, 30)] == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_schedule_is_idempotent_and_builds_the_agenda(world, clinic):
    clinic.first_meeting_on = date(2026, 1, 6)
    clinic.save()
    make_referral(world.members[Role.INVESTIGATOR], world.own_case, received_on=date(2026, 3, 5))
    created = clinic_services.schedule_meetings(date(2026, 3, 4))
    assert [(m.clinic_id, m.held_on) for m in created] == [(clinic.pk, date(2026, 3, 17))]
    meeting = created[0]
    assert meeting.chair_id == clinic.chair_id
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("case_id", flat=True)) == [
        world.own_case.pk
    ]
    assert AccessEvent.objects.filter(
        object_type="triage.Meeting", object_id=str(meeting.pk), action="create"
    ).exists()
    assert clinic_services.schedule_meetings(date(2026, 3, 4)) == []
    assert Meeting.objects.filter(clinic=clinic).count() == 1
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_beyond_the_horizon_and_inactive_clinics_wait(world):
    ClinicFactory(partnership=world.partnership, first_meeting_on=date(2026, 6, 1))
    ClinicFactory(partnership=world.partnership, first_meeting_on=date(2026, 1, 6), active=False)
    assert clinic_services.schedule_meetings(date(2026, 3, 4)) == []


def test_task_runs_the_service(world, clinic):
    assert tasks.schedule_meetings.delay("2026-03-04").get() == [
        Meeting.objects.get(clinic=clinic).pk
    ]
    assert tasks.schedule_meetings.delay("2026-03-04").get() == []


def test_beat_runs_the_task():
    from config.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "triage.tasks.schedule_meetings" in tasks_scheduled


def _values(world, **overrides):
    values = {
        "name": "Morning meeting",
        "kind": MeetingKind.MORNING_MEETING,
        "cadence": Cadence.WEEKDAYS,
        "first_meeting_on": date(2026, 1, 5),
        "starts_at": time(9, 15),
        "duration_minutes": 30,
        "location": "Teams",
        "agencies": [world.agencies["police"], world.agencies["advocacy"]],
        "chair": world.members[Role.CLINIC_CHAIR].user,
    }
    values.update(overrides)
    return values


def test_clinic_create_and_update_are_audited(world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    clinic = clinic_services.clinic_create(actor=admin.user, membership=admin, **_values(world))
    assert clinic.partnership == world.partnership
    assert AccessEvent.objects.filter(
        object_type="triage.Clinic", object_id=str(clinic.pk), action="create"
    ).exists()
    clinic_services.clinic_update(
        actor=admin.user,
        membership=admin,
        clinic=clinic,
        duration_minutes=45,
        agencies=[world.agencies["police"]],
    )
    event = AccessEvent.objects.get(object_type="triage.Clinic", action="update")
    assert event.detail["changed"]["duration_minutes"] == ["30", "45"]
    assert event.detail["changed"]["agencies"] == ["police agency"]


def test_clinic_validation_is_field_keyed(world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    other_agency = world.other_partnership_member.agency
    with pytest.raises(ValidationError) as error:
        clinic_services.clinic_create(
            actor=admin.user,
            membership=admin,
            **_values(
                world,
                name=" ",
                duration_minutes=0,
                agencies=[other_agency],
                chair=world.members[Role.INVESTIGATOR].user,
            ),
        )
    assert set(error.value.message_dict) == {"name", "duration_minutes", "agencies", "chair"}
    assert not Clinic.objects.exists()


def test_only_managers_set_up_clinics(world):
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        clinic_services.clinic_create(
            actor=investigator.user, membership=investigator, **_values(world)
        )
