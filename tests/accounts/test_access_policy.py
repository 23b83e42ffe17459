from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.access import can_read_victim_contact, person_contact_for
from accounts.models import Membership
from accounts.roles import Role
from audit.models import AccessEvent, Action, BreakGlassGrant
from cases.models import CaseGroupObjectPermission
from cases.selectors import core as selectors
from cases.services import core as services


def _visible(member):
    return set(selectors.cases_visible_to(member).values_list("reference", flat=True))


def test_each_agency_sees_only_cases_shared_with_it(world):
    m = world.members
    own, health, advocacy = world.own_case, world.health_case, world.advocacy_case
    assert _visible(m[Role.INVESTIGATOR]) == {own.reference, health.reference}
    assert _visible(m[Role.POLICE_SUPERVISOR]) == {own.reference, health.reference}
    assert _visible(m[Role.CLINICIAN]) == {health.reference, advocacy.reference}
    assert _visible(m[Role.ADVOCATE]) == {advocacy.reference}
    assert _visible(m[Role.PROBATION_OFFICER]) == set()
    assert _visible(m[Role.PARTNER]) == set()


def test_partnership_wide_roles_see_every_case_of_their_partnership_only(world):
    everything = {
        world.own_case.reference,
        world.health_case.reference,
        world.advocacy_case.reference,
    }
    assert _visible(world.members[Role.CLINIC_CHAIR]) == everything
    assert _visible(world.members[Role.PARTNERSHIP_ADMIN]) == everything
    assert world.other_partnership_case.reference not in everything
    assert _visible(world.other_partnership_member) == {world.other_partnership_case.reference}


def test_sharing_is_a_guardian_grant_to_the_agency_group(world):
    investigator = world.members[Role.INVESTIGATOR]
    probation = world.agencies["probation"]
    services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=probation,
        reason="MAPPA referral",
    )
    assert CaseGroupObjectPermission.objects.filter(
        group=probation.group, content_object=world.own_case
    ).exists()
    assert world.own_case.reference in _visible(world.members[Role.PROBATION_OFFICER])
    event = AccessEvent.objects.get(action=Action.DISCLOSE, case=world.own_case)
    assert event.detail["recipient_agency"] == probation.name
    assert event.reason == "MAPPA referral"

    services.case_unshare(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=probation,
        reason="No longer needed",
    )
    assert world.own_case.reference not in _visible(world.members[Role.PROBATION_OFFICER])
    assert not CaseGroupObjectPermission.objects.filter(group=probation.group).exists()
    unshared = AccessEvent.objects.get(action=Action.UPDATE, case=world.own_case)
    assert unshared.detail["unshared_agency"] == probation.name
    assert unshared.reason == "No longer needed"


def test_case_cannot_be_unshared_from_its_lead_agency(world):
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(ValidationError):
        services.case_unshare(
            actor=investigator.user,
            membership=investigator,
            case=world.own_case,
            agency=world.agencies["police"],
            reason="x",
        )


def test_only_police_and_chair_share_cases(world):
    from django.core.exceptions import PermissionDenied

    clinician = world.members[Role.CLINICIAN]
    with pytest.raises(PermissionDenied):
        services.case_share(
            actor=clinician.user,
            membership=clinician,
            case=world.health_case,
            agency=world.agencies["cps"],
            reason="x",
        )


def test_victim_contact_readable_only_by_oic_and_their_advocate(world):
    m = world.members
    case, victim, perpetrator = world.own_case, world.victim, world.perpetrator
    assert can_read_victim_contact(m[Role.INVESTIGATOR], case, victim)  # the OIC
    assert can_read_victim_contact(m[Role.ADVOCATE], case, victim)  # the victim's advocate
    for role in (
        Role.POLICE_SUPERVISOR,
        Role.CLINICIAN,
        Role.CLINIC_CHAIR,
        Role.PROBATION_OFFICER,
        Role.PARTNER,
        Role.MANAGER,
        Role.PARTNERSHIP_ADMIN,
    ):
        assert not can_read_victim_contact(m[role], case, victim), role
        assert person_contact_for(m[role], case, victim) is None
        assert person_contact_for(m[role], case, perpetrator)["address"]


def test_another_advocate_does_not_read_the_victims_contact(world):
    from tests.factories import MembershipFactory

    other_advocate = MembershipFactory(agency=world.agencies["advocacy"], role=Role.ADVOCATE)
    assert not can_read_victim_contact(other_advocate, world.own_case, world.victim)


def test_case_page_redacts_victim_contact_for_health(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["health"],
        reason="Clinic",
    )
    login(world.members[Role.CLINICIAN])
    body = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert world.victim.person.full_name in body
    assert "1 Secret Street" in body  # the perpetrator's address is visible
    assert body.count("1 Secret Street") == 1  # ...but not the victim's
    assert "Withheld" in body

    login(investigator)
    body = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert body.count("1 Secret Street") == 2
    assert "Withheld" not in body


def test_membership_role_must_fit_agency_kind(world):
    membership = Membership(
        user=world.members[Role.CLINICIAN].user,
        agency=world.agencies["police"],
        role=Role.CLINICIAN,
        vetting_expires_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as error:
        membership.clean()
    assert "role" in error.value.message_dict


class TestBreakGlass:
    def _open(self, client, reference, reason="Urgent safeguarding call at 02:00 from A&E"):
        return client.post(reverse("cases:break-glass"), {"reference": reference, "reason": reason})

    def test_grants_four_hours_logs_and_shows_to_admin(self, client, login, world):
        clinician = world.members[Role.CLINICIAN]
        case = world.own_case
        login(clinician)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404

        response = self._open(client, case.reference.lower())
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", args=[case.pk])
        grant = BreakGlassGrant.objects.get(user=clinician.user, case=case)
        hours = (grant.expires_at - grant.granted_at) / timedelta(hours=1)
        assert hours == pytest.approx(4)
        event = AccessEvent.objects.get(action=Action.BREAK_GLASS)
        assert event.reason.startswith("Urgent safeguarding")
        assert event.case == case and event.agency == clinician.agency

        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200
        assert "break-glass access" in page.content.decode()
        view = AccessEvent.objects.filter(action=Action.VIEW, case=case).latest("at")
        assert view.detail == {"via": "break_glass"}

        login(world.members[Role.PARTNERSHIP_ADMIN])
        audit_page = client.get(reverse("audit:search")).content.decode()
        assert "Urgent safeguarding call" in audit_page

    def test_access_ends_when_the_grant_expires(self, client, login, world):
        login(world.members[Role.CLINICIAN])
        self._open(client, world.own_case.reference)
        BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert client.get(reverse("cases:detail", args=[world.own_case.pk])).status_code == 404

    def test_needs_a_real_reason(self, client, login, world):
        login(world.members[Role.CLINICIAN])
        response = self._open(client, world.own_case.reference, reason="because")
        assert response.status_code == 200
        assert "at least 10 characters" in response.content.decode()
        assert not BreakGlassGrant.objects.exists()
        assert not AccessEvent.objects.filter(action=Action.BREAK_GLASS).exists()

    def test_cannot_reach_another_partnership(self, client, login, world):
        login(world.members[Role.CLINICIAN])
        response = self._open(client, world.other_partnership_case.reference)
        assert response.status_code == 200
        assert response.context["form"].errors["reference"]
        assert not BreakGlassGrant.objects.exists()

    def test_already_visible_case_needs_no_grant(self, client, login, world):
        login(world.members[Role.CLINICIAN])
        response = self._open(client, world.health_case.reference)
        assert response.status_code == 302
        assert not BreakGlassGrant.objects.exists()
