"""Merging two records of one human: permissioned, audited, every link moved."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import (
    CaseParty,
    CodeList,
    CrimeScreenEntry,
    CriminalJusticeOutcome,
    IdentifierKind,
    ProtectiveOrder,
    ReferenceCode,
    ReoffendingEvent,
)
from cases.selectors import people as people_selectors
from cases.selectors.people import MatchQuery
from cases.services import people as people_services
from tests.factories import make_referral
from tests.factories_people import make_person, person_in_case


@pytest.fixture
def pair(world):
    keep = person_in_case(
        world.own_case,
        given_names="John",
        family_name="Smith",
        identifiers={IdentifierKind.PNC: "12/345678A"},
    )
    duplicate = person_in_case(
        world.health_case,
        given_names="Jon",
        family_name="Smith",
        date_of_birth=date(1980, 3, 12),
        aliases=["Johnny Smith"],
        identifiers={IdentifierKind.NHS: "9434765919"},
        gender="male",
    )
    return keep, duplicate


def _code(code_list):
    return ReferenceCode.objects.filter(code_list=code_list).first()


def _links(world, person):
    """One row of every kind that points at a person."""
    actor = world.members[Role.INVESTIGATOR]
    case = world.own_case
    return {
        "party": CaseParty.objects.create(case=case, person=person, role="other"),
        "perp_referral": make_referral(actor, perpetrator=person),
        "victim_referral": make_referral(actor, victim=person),
        "screen": CrimeScreenEntry.objects.create(
            partnership=world.partnership,
            crime_reference="CR/1",
            recorded_on=timezone.localdate(),
            offence=_code(CodeList.OFFENCE),
            suspect_person=person,
            victim_person=person,
            row_hash="x",
        ),
        "order": ProtectiveOrder.objects.create(
            case=case,
            subject=person,
            kind="spo",
            applied_on=timezone.localdate(),
            created_by=actor.user,
        ),
        "outcome": CriminalJusticeOutcome.objects.create(
            partnership=case.partnership,
            case=case,
            person=person,
            outcome=_code(CodeList.OUTCOME),
            outcome_on=timezone.localdate(),
            created_by=actor.user,
        ),
        "reoffending": ReoffendingEvent.objects.create(
            partnership=case.partnership,
            case=case,
            perpetrator=person,
            occurred_on=timezone.localdate(),
            victim="same",
            source="police_report",
            created_by=actor.user,
        ),
    }


def test_merge_moves_every_link_and_keeps_identifiers(world, pair):
    keep, duplicate = pair
    links = _links(world, duplicate)
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    people_services.person_merge(
        actor=supervisor.user,
        membership=supervisor,
        keep=keep,
        duplicate=duplicate,
        reason="Same PNC confirmed with the OIC",
    )
    for row in links.values():
        row.refresh_from_db()
    assert links["party"].person == keep
    assert links["perp_referral"].perpetrator == keep
    assert links["victim_referral"].victim == keep
    assert links["screen"].suspect_person == keep and links["screen"].victim_person == keep
    assert links["order"].subject == keep
    assert links["outcome"].person == keep
    assert links["reoffending"].perpetrator == keep
    assert not CaseParty.objects.filter(person=duplicate).exists()
    assert CaseParty.objects.filter(person=keep, case=world.health_case).exists()
    assert {(i.kind, i.value) for i in keep.identifiers.all()} == {
        ("pnc", "12/345678A"),
        ("nhs", "9434765919"),
    }
    assert {a.name for a in keep.aliases.all()} == {"Jon Smith", "Johnny Smith"}
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.date_of_birth == date(1980, 3, 12) and keep.gender == "male"
    assert duplicate.merged_into == keep and duplicate.merged_at is not None
    event = AccessEvent.objects.get(action=Action.UPDATE, detail__merge=True)
    assert event.reason == "Same PNC confirmed with the OIC"
    assert event.actor == supervisor.user and event.object_id == str(keep.pk)
    assert event.detail["merged_person_id"] == duplicate.pk
    assert event.detail["moved"]["ReoffendingEvent.perpetrator"] == 1
    # The duplicate no longer appears in suggestions; the kept record does, by its new alias.
    result = people_selectors.person_match(
        supervisor, MatchQuery(given_names="Johnny", family_name="Smith")
    )
    assert [s.person for s in result.suggestions] == [keep]


def test_merge_when_both_are_parties_in_the_same_role(world, pair):
    keep, duplicate = pair
    CaseParty.objects.create(
        case=world.own_case,
        person=duplicate,
        role="perpetrator",
        advocate=world.members[Role.ADVOCATE].user,
    )
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    people_services.person_merge(
        actor=admin.user, membership=admin, keep=keep, duplicate=duplicate, reason="Same man"
    )
    party = CaseParty.objects.get(case=world.own_case, person=keep, role="perpetrator")
    assert party.advocate == world.members[Role.ADVOCATE].user
    assert not CaseParty.objects.filter(person=duplicate).exists()


@pytest.mark.parametrize(
    "role", [r for r in Role.values if r not in (Role.POLICE_SUPERVISOR, Role.PARTNERSHIP_ADMIN)]
)
def test_merge_refused_for_other_roles(world, pair, role):
    keep, duplicate = pair
    member = world.members[role]
    with pytest.raises(PermissionDenied):
        people_services.person_merge(
            actor=member.user, membership=member, keep=keep, duplicate=duplicate, reason="x"
        )
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_merge_bad_input(world, pair):
    keep, duplicate = pair
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    foreign = make_person(world.other_partnership_member.agency.partnership)
    cases = [
        ({"keep": keep, "duplicate": duplicate, "reason": "  "}, "reason"),
        ({"keep": keep, "duplicate": keep, "reason": "x"}, "duplicate"),
        ({"keep": keep, "duplicate": foreign, "reason": "x"}, "duplicate"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as error:
            people_services.person_merge(actor=admin.user, membership=admin, **kwargs)
        assert field in error.value.message_dict
    people_services.person_merge(
        actor=admin.user, membership=admin, keep=keep, duplicate=duplicate, reason="ok"
    )
    with pytest.raises(ValidationError):  # merging twice
        people_services.person_merge(
            actor=admin.user, membership=admin, keep=keep, duplicate=duplicate, reason="ok"
        )
    assert AccessEvent.objects.filter(detail__merge=True).count() == 1


def test_merge_pages(client, login, world, pair):
    keep, duplicate = pair
    login(world.members[Role.POLICE_SUPERVISOR])
    page = client.get(reverse("cases:person-merge"), {"q": "smith"})
    assert {p.pk for p in page.context["people"]} == {keep.pk, duplicate.pk}
    same = client.get(
        reverse("cases:person-merge"), {"q": "smith", "keep": keep.pk, "duplicate": keep.pk}
    )
    assert same.status_code == 400 and "duplicate" in same.context["form"].errors
    chosen = client.get(
        reverse("cases:person-merge"), {"q": "smith", "keep": keep.pk, "duplicate": duplicate.pk}
    )
    confirm_url = chosen["Location"]
    assert confirm_url.startswith(reverse("cases:person-merge-confirm"))
    compare = client.get(confirm_url)
    body = compare.content.decode()
    assert "Jon Smith" in body and "John Smith" in body and "9434765919" in body
    # A confirmation page: what will happen, and the warning.
    assert 'id="merge-happens"' in body and "no longer offered as a likely match" in body
    assert "govuk-warning-text" in body
    no_reason = client.post(
        reverse("cases:person-merge-confirm"), {"keep": keep.pk, "duplicate": duplicate.pk}
    )
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors["reason"] == [
        "Enter why these records are the same person."
    ]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    done = client.post(
        reverse("cases:person-merge-confirm"),
        {"keep": keep.pk, "duplicate": duplicate.pk, "reason": "Same NHS number"},
    )
    assert done.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert AccessEvent.objects.filter(detail__merge=True, reason="Same NHS number").exists()


def test_merge_pages_are_scoped(client, login, world, pair):
    keep, _ = pair
    hidden = person_in_case(world.advocacy_case, given_names="John", family_name="Smith")
    foreign = person_in_case(world.other_partnership_case, given_names="John", family_name="Smith")
    login(world.members[Role.POLICE_SUPERVISOR])
    page = client.get(reverse("cases:person-merge"), {"q": "smith"})
    assert hidden not in page.context["people"] and foreign not in page.context["people"]
    for other in (hidden, foreign):
        response = client.get(
            reverse("cases:person-merge-confirm"), {"keep": keep.pk, "duplicate": other.pk}
        )
        assert response.status_code == 404
        response = client.post(
            reverse("cases:person-merge-confirm"),
            {"keep": keep.pk, "duplicate": other.pk, "reason": "x"},
        )
        assert response.status_code == 404
    hidden.refresh_from_db()
    assert hidden.merged_into is None
    login(world.members[Role.INVESTIGATOR])
    assert client.get(reverse("cases:person-merge")).status_code == 403
