"""The ``history`` fixture: a partnership whose case C1 (opened 5 January 2015) and people
P1 (its victim), P2 (its perpetrator) and P3 (born 2010, on no case) came from SOURCE."""

from datetime import date

import pytest

from cases.models import Case, Person
from tests.imports.history import OPENED, SOURCE


@pytest.fixture
def history(world):
    """The world's own case and its people as if loaded from SOURCE earlier."""
    Case.objects.filter(pk=world.own_case.pk).update(
        external_source=SOURCE, external_id="C1", opened_on=OPENED
    )
    for person, external_id, born in (
        (world.victim.person, "P1", date(1990, 2, 3)),
        (world.perpetrator.person, "P2", date(1985, 7, 8)),
    ):
        Person.objects.filter(pk=person.pk).update(
            external_source=SOURCE, external_id=external_id, date_of_birth=born
        )
    Person.objects.create(
        partnership=world.partnership,
        given_names="Pat",
        family_name="Nobody",
        date_of_birth=date(2010, 1, 1),
        external_source=SOURCE,
        external_id="P3",
    )
    world.own_case.refresh_from_db()
    return world
