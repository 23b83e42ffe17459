"""Shared clinic fixtures: a triage clinic attended by police, health and advocacy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories_triage import ClinicFactory, MeetingFactory


@pytest.fixture
def clinic(world):
    chair = world.members[Role.CLINIC_CHAIR]
    return ClinicFactory(
        partnership=world.partnership,
        name="Northshire triage clinic",
        chair=chair.user,
        agencies=[world.agencies[key] for key in ("police", "health", "advocacy")],
    )


@pytest.fixture
def meeting(clinic):
    return MeetingFactory(clinic=clinic, held_on=timezone.localdate() + timedelta(days=3))
