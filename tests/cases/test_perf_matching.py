"""Person matching's indexed candidate lookups on PostgreSQL (Soundex keys, trigram
thresholds): the variants the old nearest-name walk found are still found, and a common
name does not drown the person searched for."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cases.selectors.people import MatchQuery, person_match
from tests.factories_people import make_person, person_in_case

pytestmark = pytest.mark.postgres


def _people(member, **query):
    return [s.person for s in person_match(member, MatchQuery(**query)).suggestions]


@pytest.fixture
def police(world):
    return world.members[Role.INVESTIGATOR]


def test_consonants_swapped_in_a_long_family_name_without_a_date_of_birth(world, police):
    person = person_in_case(world.own_case, given_names="Richard", family_name="Loltoora")
    assert person in _people(police, given_names="Richard", family_name="Lotloora")


def test_sound_alike_and_short_forms(world, police):
    smith = person_in_case(
        world.own_case,
        given_names="Christopher",
        family_name="Smith",
        date_of_birth=date(1990, 1, 2),
    )
    robert = person_in_case(world.own_case, given_names="Robert", family_name="Marley")
    bob = person_in_case(world.own_case, given_names="Bob", family_name="Tanner")
    assert smith in _people(
        police, given_names="Chr", family_name="Smtih", date_of_birth=date(1990, 1, 2)
    )
    assert smith in _people(police, given_names="C", family_name="Smith")
    assert robert in _people(police, given_names="Bob", family_name="Marley")
    assert bob in _people(police, given_names="Robert", family_name="Tanner")


def test_part_of_a_family_name_and_a_different_first_given_name(world, police):
    dyke = person_in_case(world.own_case, given_names="Anna", family_name="Van Dyke")
    other_given = person_in_case(world.own_case, given_names="Lucy Mark", family_name="Alde")
    assert dyke in _people(police, given_names="Anna", family_name="Dyke")
    assert other_given in _people(police, given_names="Mark", family_name="Alde")


def test_other_names_are_found_by_their_keys(world, police):
    person = person_in_case(
        world.own_case, given_names="Adam", family_name="Stone", aliases=["Mark Hollis"]
    )
    assert person in _people(police, given_names="Marc", family_name="Hollis")
    assert person in _people(police, given_names="Stone", family_name="Adam")


def test_a_common_name_does_not_drown_the_person_with_the_date_of_birth(world, police):
    for _ in range(60):
        make_person(world.partnership, given_names="John", family_name="Smith")
    wanted = person_in_case(
        world.own_case, given_names="John", family_name="Smith", date_of_birth=date(1980, 3, 12)
    )
    result = person_match(police, MatchQuery("Jon", "Smyth", (), date(1980, 12, 3))).suggestions
    assert result[0].person == wanted
    assert "Date of birth with day and month swapped" in result[0].reasons


def test_out_of_scope_candidates_stay_hidden(world, police):
    hidden = person_in_case(
        world.advocacy_case,
        given_names="Rosa",
        family_name="Kleinberg",
        date_of_birth=date(1975, 4, 4),
    )
    result = person_match(police, MatchQuery("Rosa", "Kleinbreg", (), date(1975, 4, 4)))
    assert hidden not in [s.person for s in result.suggestions]
    chair = world.members[Role.CLINIC_CHAIR]
    assert hidden in _people(chair, given_names="Rosa", family_name="Kleinbreg")


def test_query_count_does_not_grow_with_the_candidates(world, police):
    def count():
        with CaptureQueriesContext(connection) as queries:
            person_match(police, MatchQuery("John", "Smith"))
        return len(queries)

    person_in_case(world.own_case, given_names="John", family_name="Smith")
    few = count()
    for _ in range(30):
        person_in_case(world.own_case, given_names="John", family_name="Smith")
    assert count() == few
