"""Writes about people: creating a person with identifiers, adding a party, merging.

Matching only ever proposes (cases.selectors.people); a merge is a separate, permissioned
and audited act with a stated reason.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import can, can_edit_case_core
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.models import CaseParty, IdentifierKind, Person, PersonAlias, PersonIdentifier
from cases.selectors.people import normalise_identifier
from cases.services import core
from cases.services.external import (
    clean_external_id,
    external_detail,
    external_id_errors,
    external_id_saved,
)

# Who may merge two person records: the police supervisor and the partnership admin.

IDENTIFIER_FIELDS = {
    IdentifierKind.PNC: "pnc",
    IdentifierKind.FORCE_NOMINAL: "force_nominal_id",
    IdentifierKind.NHS: "nhs_number",
}
_PNC = re.compile(r"^\d{2,4}/\d{1,7}[A-Z]$")


def nhs_number_is_valid(value):
    """Ten digits whose last is the modulus-11 check digit of the first nine."""
    if not re.fullmatch(r"\d{10}", value):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(value[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(value[9])


def clean_identifiers(identifiers):
    """{kind: value} normalised and checked; raises ValidationError keyed by form field."""
    cleaned, errors = {}, {}
    for kind, value in (identifiers or {}).items():
        value = normalise_identifier(kind, value)
        if not value:
            continue
        field = IDENTIFIER_FIELDS.get(kind, kind)
        if kind == IdentifierKind.PNC and not _PNC.match(value):
            errors[field] = "Enter a PNC number like 12/345678A."
        elif kind == IdentifierKind.NHS and not nhs_number_is_valid(value):
            errors[field] = "Enter a real NHS number: 10 digits, like 943 476 5919."
        elif len(value) > 60:
            errors[field] = "Identifiers are at most 60 characters."
        cleaned[kind] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def identifiers_taken(partnership_id, identifiers, *, person=None, choose="Choose that person"):
    """{field: message} for each cleaned identifier ({kind: value}) already recorded for
    another person of the partnership; ``{}`` when none is."""
    errors = {}
    for kind, value in identifiers.items():
        taken = PersonIdentifier.objects.filter(
            partnership_id=partnership_id, kind=kind, value=value
        )
        if person is not None:
            taken = taken.exclude(person=person)
        if taken.exists():
            errors[IDENTIFIER_FIELDS.get(kind, kind)] = (
                f"This {IdentifierKind(kind).label} is already recorded for another "
                f"person. {choose}, or check the number."
            )
    return errors


def _add_identifiers(person, identifiers):
    errors = identifiers_taken(person.partnership_id, identifiers, person=person)
    if errors:
        raise ValidationError(errors)
    for kind, value in identifiers.items():
        PersonIdentifier.objects.get_or_create(
            person=person, partnership_id=person.partnership_id, kind=kind, value=value
        )


def person_create(
    *,
    actor,
    membership,
    aliases=(),
    identifiers=None,
    external_source="",
    external_id="",
    **fields,
):
    """A new Person in the member's partnership, with other names, identifiers and the
    id of the record in the system it came from (``external_source``, ``external_id``)."""
    partnership_id = membership.agency.partnership_id
    errors = {}
    try:
        identifiers = clean_identifiers(identifiers)
    except ValidationError as error:
        errors.update({field: problems[0] for field, problems in error.message_dict.items()})
    external_source, external_id = clean_external_id(external_source, external_id)
    errors.update(external_id_errors(Person, partnership_id, external_source, external_id))
    person = Person(
        partnership=membership.agency.partnership,
        external_source=external_source,
        external_id=external_id,
        **fields,
    )
    try:
        person.full_clean(exclude=["partnership", "external_source", "external_id"])
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            errors.setdefault(field, problems[0])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        with external_id_saved(person):
            person.save()
        seen = set()
        for alias in aliases:
            alias = alias.strip()
            if alias and alias.lower() not in seen:
                seen.add(alias.lower())
                PersonAlias.objects.create(person=person, name=alias[:200])
        _add_identifiers(person, identifiers)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=person,
            detail={"identifiers": sorted(identifiers), **external_detail(person)},
        )
    return person


def party_add(
    *, actor, membership, case, role, person=None, advocate=None, identifiers=None, **fields
):
    """Add a party: an existing person the user chose, or a new one made from ``fields``.

    Nothing here matches or merges: the view has already shown likely matches and the
    user has chosen.
    """
    with transaction.atomic():
        if person is None:
            if not can_edit_case_core(membership):
                raise PermissionDenied("Only police and the clinic chair add parties.")
            person = person_create(
                actor=actor, membership=membership, identifiers=identifiers, **fields
            )
        elif person.merged_into_id:
            raise ValidationError({"person": "That record was merged; choose the kept record."})
        return core.party_add(
            actor=actor,
            membership=membership,
            case=case,
            role=role,
            person=person,
            advocate=advocate,
        )


def _fill_blanks(keep, duplicate):
    filled = []
    for name in ("gender", "ethnicity_id", "address", "postcode", "phone", "email", "workplace"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name.removesuffix("_id"))
    if not keep.date_of_birth and duplicate.date_of_birth:
        keep.date_of_birth, keep.date_of_birth_not_known = duplicate.date_of_birth, False
        filled.append("date_of_birth")
    return filled


def _person_links():
    """Every foreign key to Person from a live table (history tables keep their past)."""
    # Hidden relations too: several links are declared with related_name="+".
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        model = relation.related_model
        if model in (Person, PersonAlias, PersonIdentifier):
            continue
        if model.__name__.startswith("Historical"):
            continue
        yield model, relation.field.name


def person_merge(*, actor, membership, keep, duplicate, reason):
    """Merge ``duplicate`` into ``keep``: every link moves, nothing is deleted.

    Case parties, referrals, crime-screen entries, orders, outcomes and re-offending events
    pointing at the duplicate point at the kept record; the duplicate's other names and
    identifiers move to it (identifiers are kept, not dropped); blanks on the kept record
    are filled from the duplicate; the duplicate keeps its row, marked merged_into/merged_at,
    and drops out of match suggestions.
    """
    if not can(membership, Cap.MERGE_PEOPLE):
        raise PermissionDenied("Only a police supervisor or the partnership admin merges people.")
    reason = (reason or "").strip()
    errors = {}
    partnership_id = membership.agency.partnership_id
    if keep.partnership_id != partnership_id or duplicate.partnership_id != partnership_id:
        errors["duplicate"] = "Choose people in your partnership."
    elif keep.pk == duplicate.pk:
        errors["duplicate"] = "Choose two different people."
    elif keep.merged_into_id or duplicate.merged_into_id:
        errors["duplicate"] = "One of these records has already been merged."
    if not reason:
        errors["reason"] = "Enter why these records are the same person."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
        if keep.merged_into_id or duplicate.merged_into_id:
            raise ValidationError({"duplicate": "One of these records has already been merged."})
        moved = {}
        # Case parties: one row per (case, person, role); where both were parties in the
        # same role the duplicate's row goes, keeping any advocate it had.
        for party in CaseParty.objects.filter(person=duplicate).select_related("case"):
            same = CaseParty.objects.filter(case=party.case, person=keep, role=party.role).first()
            if same is not None:
                if same.advocate_id is None and party.advocate_id:
                    same.advocate_id = party.advocate_id
                    same.save(update_fields=["advocate"])
                party.delete()
            else:
                party.person = keep
                party.save(update_fields=["person"])
            moved["CaseParty.person"] = moved.get("CaseParty.person", 0) + 1
        for model, field_name in _person_links():
            if model is CaseParty:
                continue
            rows = model.objects.filter(**{field_name: duplicate})
            count = 0
            for row in rows:  # save(), not update(): field history records the move
                setattr(row, field_name, keep)
                row.save(update_fields=[field_name])
                count += 1
            if count:
                moved[f"{model.__name__}.{field_name}"] = count
        names = {a.name.lower() for a in keep.aliases.all()} | {keep.full_name.lower()}
        for name in [duplicate.full_name, *(a.name for a in duplicate.aliases.all())]:
            if name.lower() not in names:
                names.add(name.lower())
                PersonAlias.objects.create(person=keep, name=name[:200])
        identifiers = list(duplicate.identifiers.values_list("kind", "value"))
        duplicate.identifiers.update(person=keep)
        filled = _fill_blanks(keep, duplicate)
        keep.save()
        # Records merged into the duplicate earlier now point straight at the kept one.
        Person.objects.filter(merged_into=duplicate).update(merged_into=keep)
        duplicate.merged_into = keep
        duplicate.merged_at = timezone.now()
        duplicate.save(update_fields=["merged_into", "merged_at"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=keep,
            reason=reason,
            detail={
                "merge": True,
                "kept_person_id": keep.pk,
                "merged_person_id": duplicate.pk,
                "moved": moved,
                "identifiers_moved": [f"{k}:{v}" for k, v in identifiers],
                "filled": filled,
            },
        )
    return keep
