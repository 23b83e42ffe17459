"""Reads for the People pages and API: a scoped, searchable list of people and one person's
record (names, identifiers, the cases they are a party to, contact details when allowed).

Scope is cases.selectors.people.people_visible_to (the same people the match suggestions
and the merge pages may name): parties to a case the member can see, people named in a
referral they can see and, for police, people on the crime screen. Merged records are
never listed; asking for one answers 404.
"""

from dataclasses import dataclass

from django.db.models import Q

from accounts.access import CONTACT_FIELDS, person_contact_for
from audit.services import visible_or_404
from cases.models import CaseParty, IdentifierKind, Person, PersonAlias, PersonIdentifier
from cases.models.external import external_id_filter
from cases.selectors.people import normalise_identifier, people_visible_to, visible_parties_of

MAX_WORDS = 4


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""  # words of a name or other name, or an identifier
    date_of_birth: object = None  # datetime.date
    external_source: str = ""  # the record's id in the system it came from
    external_id: str = ""

    def is_empty(self):
        return (
            not self.q.strip()
            and self.date_of_birth is None
            and not self.external_source
            and not self.external_id
        )


def _identifier_values(text):
    """The ways ``text`` may be stored as an identifier (each kind normalises differently)."""
    values = {normalise_identifier(kind, text) for kind in IdentifierKind.values}
    return {v for v in values if v}


def person_list(membership, filters=None):
    """People the member may see, by family name, filtered by name/identifier and DOB.

    A search with a digit in it is an identifier (names have none): the person has that
    PNC, force nominal or NHS number. Otherwise every word must appear in the given names,
    the family name or one of the other names. Each test is a subquery of ids that the
    trigram or (partnership, kind, value) index answers once, not a LIKE per person, and
    needs no join to de-duplicate; the page's aliases and identifiers come in two prefetch
    queries whatever the page size."""
    filters = filters or PersonFilters()
    people = people_visible_to(membership)
    text = filters.q.strip()
    partnership_id = membership.agency.partnership_id
    if text and any(ch.isdigit() for ch in text):
        identifiers = PersonIdentifier.objects.filter(
            partnership_id=partnership_id,
            kind__in=IdentifierKind.values,
            value__in=_identifier_values(text),
        ).values("person_id")
        people = people.filter(pk__in=identifiers)
    elif text:
        in_partnership = Person.objects.filter(partnership_id=partnership_id)
        for word in text.split()[:MAX_WORDS]:
            named = in_partnership.filter(
                Q(family_name__icontains=word) | Q(given_names__icontains=word)
            ).values("pk")
            # No partnership test here: the outer query keeps to the partnership.
            aliases = PersonAlias.objects.filter(name__icontains=word).values("person_id")
            people = people.filter(Q(pk__in=named) | Q(pk__in=aliases))
    if filters.date_of_birth is not None:
        people = people.filter(date_of_birth=filters.date_of_birth)
    people = external_id_filter(
        people, source=filters.external_source, external_id=filters.external_id
    )
    return people.prefetch_related("aliases", "identifiers").order_by(
        "family_name", "given_names", "pk"
    )


def get_person_or_404(membership, pk):
    """A person the member may see; anything else (missing, merged, out of scope) is 404,
    and a refused look at a real record is logged as a denial."""
    person = visible_or_404(
        membership,
        people_visible_to(membership)
        .select_related("ethnicity")
        .prefetch_related("aliases", "identifiers"),
        pk,
        reason="person not visible",
    )
    return person


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    parties: list  # CaseParty rows in cases the member can see, with .case
    contact: dict | None  # None: withheld (or no case to show it through)
    contact_withheld: bool


def person_record(membership, person):
    """The person's visible cases (with role) and their contact details if the reader may
    see them.

    Contact details are one set per person, so they are shown only when every part the
    person plays, in any case, allows this reader to see them (accounts.access.
    person_contact_for): a victim's address is not shown through their other role in
    another case. A person in no case the reader can see has no contact details shown.
    """
    parties = list(visible_parties_of(membership, person))
    contact = None
    if parties:
        every_part = CaseParty.objects.filter(person=person).select_related("case")
        allowed = all(
            person_contact_for(membership, party.case, party) is not None for party in every_part
        )
        if allowed:
            contact = {field: getattr(person, field) for field in CONTACT_FIELDS}
    return PersonRecord(
        person=person,
        parties=parties,
        contact=contact,
        contact_withheld=bool(parties) and contact is None,
    )
