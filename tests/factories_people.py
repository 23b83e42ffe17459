"""People with other names and identifiers, placed in cases or left on their own."""

from cases.models import CaseParty, PartyRole, PersonAlias, PersonIdentifier
from tests.factories import PersonFactory


def make_person(partnership, *, aliases=(), identifiers=None, **fields):
    person = PersonFactory(partnership=partnership, **fields)
    for alias in aliases:
        PersonAlias.objects.create(person=person, name=alias)
    for kind, value in (identifiers or {}).items():
        PersonIdentifier.objects.create(
            person=person, partnership=partnership, kind=kind, value=value
        )
    return person


def person_in_case(case, *, role=PartyRole.PERPETRATOR, **fields):
    """A person who is a party to ``case``, so visible to whoever sees the case."""
    person = make_person(case.partnership, **fields)
    CaseParty.objects.create(case=case, person=person, role=role)
    return person
