"""Likely-same-person suggestions: reasons, scope, and never an automatic merge."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseParty, IdentifierKind, Person, PersonIdentifier
from cases.selectors import people as people_selectors
from cases.selectors.people import MatchQuery, similarity
from tests.factories_people import make_person, person_in_case


def _match(membership, **query):
    return people_selectors.person_match(membership, MatchQuery(**query))


def _by_name(result):
    return {s.person.full_name: s for s in result.suggestions}


@pytest.fixture
def known(world):
    """People in the police-only case: visible to police and the clinic chair."""
    case = world.own_case
    return {
        "john": person_in_case(
            case, given_names="John", family_name="Smith", date_of_birth=date(1980, 3, 12)
        ),
        "adam": person_in_case(
            case, given_names="Adam", family_name="Stone", aliases=["Mark Hollis"]
        ),
        "peter": person_in_case(
            case,
            given_names="Peter",
            family_name="Brown",
            identifiers={IdentifierKind.PNC: "12/345678A"},
        ),
        "jane": person_in_case(
            case, given_names="Jane", family_name="Jones", date_of_birth=date(1990, 1, 1)
        ),
        "old": person_in_case(
            case, given_names="John", family_name="Smith", date_of_birth=date(1950, 6, 1)
        ),
    }


def test_similarity_follows_pg_trgm():
    assert similarity("Smith", "SMITH") == 1.0
    assert 0.3 < similarity("Smyth", "Smith") < 0.4
    assert similarity("", "Smith") == 0.0


def test_name_variant_with_swapped_date_of_birth_is_suggested_with_reasons(world, known):
    result = _match(
        world.members[Role.INVESTIGATOR],
        given_names="Jon",
        family_name="Smith",
        date_of_birth=date(1980, 12, 3),
    )
    found = _by_name(result)
    suggestion = next(s for s in result.suggestions if s.person == known["john"])
    assert "Date of birth with day and month swapped" in suggestion.reasons
    assert "Same family name, similar given name" in suggestion.reasons
    assert suggestion.percent >= 70
    # The other John Smith, born thirty years earlier, is not the same human.
    assert known["old"] not in [s.person for s in result.suggestions]
    assert "Jane Jones" not in found
    assert suggestion.parties and suggestion.parties[0].case == world.own_case


def test_same_year_and_exact_date_of_birth_reasons(world, known):
    member = world.members[Role.INVESTIGATOR]
    exact = _match(member, given_names="John", family_name="Smith", date_of_birth=date(1980, 3, 12))
    top = exact.suggestions[0]
    assert top.person == known["john"]
    assert top.reasons == ["Same name", "Same date of birth"] and top.strong
    year = _match(member, given_names="John", family_name="Smith", date_of_birth=date(1980, 7, 1))
    assert "Born in the same year" in _by_name(year)["John Smith"].reasons


def test_alias_matches(world, known):
    result = _match(world.members[Role.INVESTIGATOR], given_names="Mark", family_name="Hollis")
    suggestion = _by_name(result)["Adam Stone"]
    assert suggestion.reasons[0] == "Matches other name “Mark Hollis”"


def test_entered_alias_matches_a_recorded_name(world, known):
    result = _match(
        world.members[Role.INVESTIGATOR],
        given_names="Totally",
        family_name="Different",
        aliases=("Adam Stone",),
    )
    assert _by_name(result)["Adam Stone"].reasons[0] == "Other name “Adam Stone” matches"


def test_identifier_is_a_strong_match_whatever_the_name(world, known):
    result = _match(
        world.members[Role.INVESTIGATOR],
        given_names="Petra",
        family_name="Green",
        identifiers={IdentifierKind.PNC: " 12/345678a"},
    )
    suggestion = _by_name(result)["Peter Brown"]
    assert suggestion.strong and suggestion.percent >= 95
    assert "Same PNC number" in suggestion.reasons


def test_names_entered_the_wrong_way_round(world, known):
    result = _match(world.members[Role.INVESTIGATOR], given_names="Stone", family_name="Adam")
    assert _by_name(result)["Adam Stone"].reasons[0] == "Given and family names swapped"


def test_non_matches_are_not_suggested(world, known):
    result = _match(
        world.members[Role.INVESTIGATOR],
        given_names="Zachary",
        family_name="Quill",
        date_of_birth=date(2001, 5, 5),
    )
    assert result.suggestions == [] and not result.hidden_match
    jane_vs_john = _match(world.members[Role.INVESTIGATOR], given_names="Jane", family_name="Smith")
    assert all(s.person.given_names != "John" for s in jane_vs_john.suggestions)


def test_other_partnership_is_never_suggested_or_hinted(world):
    other = world.other_partnership_member
    person_in_case(
        world.other_partnership_case,
        given_names="Olivia",
        family_name="Marsh",
        date_of_birth=date(1985, 2, 2),
        identifiers={IdentifierKind.NHS: "9434765919"},
    )
    for role in (Role.INVESTIGATOR, Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN):
        result = _match(
            world.members[role],
            given_names="Olivia",
            family_name="Marsh",
            date_of_birth=date(1985, 2, 2),
            identifiers={IdentifierKind.NHS: "9434765919"},
        )
        assert result.suggestions == [] and not result.hidden_match
    assert _match(other, given_names="Olivia", family_name="Marsh").suggestions


def test_merged_people_drop_out(world, known):
    duplicate = known["old"]
    duplicate.merged_into = known["john"]
    duplicate.save()
    result = _match(world.members[Role.CLINIC_CHAIR], given_names="John", family_name="Smith")
    assert duplicate not in [s.person for s in result.suggestions]


def test_candidates_outside_scope_are_not_revealed(world):
    # The advocacy self-referral case is not shared with police.
    hidden = person_in_case(
        world.advocacy_case,
        given_names="Rosa",
        family_name="Klein",
        date_of_birth=date(1975, 4, 4),
    )
    police = world.members[Role.INVESTIGATOR]
    strong = _match(police, given_names="Rosa", family_name="Klein", date_of_birth=date(1975, 4, 4))
    assert strong.suggestions == [] and strong.hidden_match
    weak = _match(police, given_names="Rosa", family_name="Klein")
    assert weak.suggestions == [] and not weak.hidden_match
    # The clinic chair sees the whole partnership: named.
    chair = _match(
        world.members[Role.CLINIC_CHAIR],
        given_names="Rosa",
        family_name="Klein",
        date_of_birth=date(1975, 4, 4),
    )
    assert [s.person for s in chair.suggestions] == [hidden]


def test_people_named_in_a_visible_referral_are_visible(world):
    from tests.factories import make_referral

    probation = world.members[Role.PROBATION_OFFICER]
    person = make_person(world.partnership, given_names="Ivo", family_name="Dunn")
    make_referral(probation, perpetrator=person)
    result = _match(probation, given_names="Ivo", family_name="Dunn")
    assert [s.person for s in result.suggestions] == [person]
    assert (
        _match(world.members[Role.CLINICIAN], given_names="Ivo", family_name="Dunn").suggestions
        == []
    )


@pytest.mark.postgres
def test_trigram_candidates_on_postgres(world, known):
    person_in_case(world.own_case, given_names="John", family_name="Smyth")
    result = _match(world.members[Role.INVESTIGATOR], given_names="John", family_name="Smith")
    names = [s.person.family_name for s in result.suggestions]
    assert "Smyth" in names and "Smith" in names
    # Same date of birth, similar given name, different family name (a name change).
    person_in_case(
        world.own_case, given_names="Harriet", family_name="Okafor", date_of_birth=date(1970, 1, 9)
    )
    changed = _match(
        world.members[Role.INVESTIGATOR],
        given_names="Harriet",
        family_name="Wells",
        date_of_birth=date(1970, 1, 9),
    )
    assert "Okafor" in [s.person.family_name for s in changed.suggestions]


# The party flow: details → likely matches → the user chooses → saved.


def _details(**extra):
    data = {"role": "perpetrator", "given_names": "John", "family_name": "Smith"}
    data.update(extra)
    return data


def _counts():
    return Person.objects.count(), CaseParty.objects.count()


def test_adding_a_party_with_a_matching_name_creates_nothing_until_chosen(
    client, login, world, known
):
    login(world.members[Role.INVESTIGATOR])
    case = world.health_case
    before = _counts()
    response = client.post(reverse("cases:party-add", args=[case.pk]), _details())
    assert response["Location"] == reverse("cases:party-match", args=[case.pk])
    assert _counts() == before
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Is this person already recorded?" in body
    assert "Use John Smith" in body and "Same name" in body
    assert "None of these – create a new person" in body
    assert _counts() == before
    assert AccessEvent.objects.filter(action=Action.SEARCH, detail__people_match="party").exists()


def test_choosing_an_existing_person_links_them(client, login, world, known):
    login(world.members[Role.INVESTIGATOR])
    case = world.health_case
    client.post(reverse("cases:party-add", args=[case.pk]), _details())
    people = Person.objects.count()
    response = client.post(
        reverse("cases:party-match", args=[case.pk]), {"choice": known["john"].pk}
    )
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert Person.objects.count() == people
    party = CaseParty.objects.get(case=case, person=known["john"])
    assert party.role == "perpetrator"
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.CaseParty", object_id=str(party.pk)
    ).exists()
    # The details are gone from the session: the match page sends you back to the start.
    again = client.get(reverse("cases:party-match", args=[case.pk]))
    assert again["Location"] == reverse("cases:party-add", args=[case.pk])


def test_none_of_these_creates_a_new_person(client, login, world, known):
    login(world.members[Role.INVESTIGATOR])
    case = world.health_case
    client.post(
        reverse("cases:party-add", args=[case.pk]),
        _details(pnc="99/1234567Z", date_of_birth="1/1/1999"),
    )
    response = client.post(reverse("cases:party-match", args=[case.pk]), {"choice": "new"})
    assert response.status_code == 302
    person = CaseParty.objects.get(case=case).person
    assert person not in known.values()
    assert person.identifiers.get().value == "99/1234567Z"
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.Person", object_id=str(person.pk)
    ).exists()


def test_match_page_bad_choices(client, login, world, known):
    login(world.members[Role.INVESTIGATOR])
    case = world.health_case
    hidden = person_in_case(world.advocacy_case, given_names="John", family_name="Smith")
    client.post(reverse("cases:party-add", args=[case.pk]), _details())
    before = _counts()
    url = reverse("cases:party-match", args=[case.pk])
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert empty.context["form"].errors["choice"] == [
        "Select the matching person, or choose to create a new person."
    ]
    assert 'href="#id_choice_0"' in empty.content.decode()
    # A person outside the user's scope cannot be chosen by posting their id.
    sneaky = client.post(url, {"choice": hidden.pk})
    assert sneaky.status_code == 400 and "choice" in sneaky.context["form"].errors
    assert _counts() == before


def test_match_page_hides_out_of_scope_candidates_but_hints(client, login, world):
    person_in_case(
        world.advocacy_case,
        given_names="Rosa",
        family_name="Klein",
        date_of_birth=date(1975, 4, 4),
    )
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    response = client.post(
        reverse("cases:party-add", args=[case.pk]),
        _details(given_names="Rosa", family_name="Klein", date_of_birth="4/4/1975"),
    )
    page = client.get(response["Location"]).content.decode()
    assert "A possible match for this person exists in a case not shared" in page
    assert world.advocacy_case.reference not in page
    assert "Use Rosa Klein" not in page


def test_add_party_without_matches_is_saved_at_once(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    response = client.post(
        reverse("cases:party-add", args=[case.pk]),
        _details(
            given_names="Quentin",
            family_name="Zebedee",
            aliases="Q Zed, Quin Z",
            date_of_birth_not_known="on",
            nhs_number="943 476 5919",
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get(family_name="Zebedee")
    assert person.date_of_birth_not_known
    assert sorted(a.name for a in person.aliases.all()) == ["Q Zed", "Quin Z"]
    assert PersonIdentifier.objects.get(person=person).value == "9434765919"


def test_add_party_bad_input(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    url = reverse("cases:party-add", args=[world.own_case.pk])
    response = client.post(
        url,
        {
            "role": "perpetrator",
            "given_names": "Adam",
            "family_name": "",
            "date_of_birth": "1/1/1990",
            "date_of_birth_not_known": "on",
            "email": "not-an-email",
            "advocate": world.members[Role.ADVOCATE].user.pk,
        },
    )
    errors = response.context["form"].errors
    assert {"family_name", "date_of_birth", "email", "advocate"} <= set(errors)
    response = client.post(url, {"role": "nobody", "given_names": "A", "family_name": "B"})
    assert "role" in response.context["form"].errors
    bad_ids = client.post(
        url,
        _details(given_names="Una", family_name="Ulm", pnc="nonsense", nhs_number="1234567890"),
    )
    errors = bad_ids.context["form"].errors
    assert errors["pnc"] == ["Enter a PNC number like 12/345678A."]
    assert "real NHS number" in errors["nhs_number"][0]
    empty = client.post(url, {})
    assert empty.context["form"].errors["role"] == ["Select the person's part in the case."]
    assert 'href="#id_role_0"' in empty.content.decode()
    assert _counts() == before


def test_identifier_already_recorded_is_refused_at_the_field(client, login, world, known):
    login(world.members[Role.INVESTIGATOR])
    case = world.own_case
    client.post(
        reverse("cases:party-add", args=[case.pk]),
        _details(given_names="Paul", family_name="Brown", pnc="12/345678A"),
    )
    before = _counts()
    response = client.post(reverse("cases:party-match", args=[case.pk]), {"choice": "new"})
    assert response.status_code == 400
    assert "already recorded for another person" in response.content.decode()
    assert _counts() == before
