from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Agency, Membership, Partnership, User
from accounts.roles import AgencyKind, Role
from cases.models import Case, CaseParty, CodeList, PartyRole, Person, ReferenceCode, Referral
from cases.services import core as services

PASSWORD = "Correct-Horse-Battery-9"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    case_reference_prefix = factory.Sequence(lambda n: f"T{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.INVESTIGATOR
    vetting_expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    partnership = factory.SubFactory(PartnershipFactory)
    given_names = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    address = "1 Secret Street, Northtown"
    postcode = "NT1 1AA"
    phone = "07700 900123"


def open_case(membership, *, shared_with=(), summary="Repeated unwanted contact.", **kwargs):
    """A case opened through the service (so grants and audit rows are real)."""
    case = services.case_open(
        actor=membership.user,
        membership=membership,
        summary=summary,
        lead_agency=kwargs.pop("lead_agency", membership.agency),
        **kwargs,
    )
    for agency in shared_with:
        services.case_share(
            actor=membership.user, membership=membership, case=case, agency=agency, reason="Test"
        )
    return case


def add_party(case, role=PartyRole.VICTIM, advocate=None, **person_fields):
    person = PersonFactory(partnership=case.partnership, **person_fields)
    return CaseParty.objects.create(case=case, person=person, role=role, advocate=advocate)


def make_referral(membership, case=None, **kwargs):
    return Referral.objects.create(
        partnership=membership.agency.partnership,
        case=case,
        source=kwargs.pop("source", None)
        or ReferenceCode.objects.get(code_list=CodeList.REFERRAL_SOURCE, code="police"),
        referring_agency=membership.agency,
        received_on=kwargs.pop("received_on", timezone.localdate()),
        reason=kwargs.pop("reason", "Referred for triage."),
        created_by=membership.user,
        **kwargs,
    )


__all__ = [
    "AgencyFactory",
    "Case",
    "MembershipFactory",
    "PartnershipFactory",
    "PersonFactory",
    "UserFactory",
    "add_party",
    "make_referral",
    "open_case",
]
