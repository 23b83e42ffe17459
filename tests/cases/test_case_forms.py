"""Bad input on every form: a message at the field, and nothing saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case, CaseAgency, CaseParty, Person, ReferenceCode, Referral
from cases.services import core as services


def _code(code_list, code):
    return ReferenceCode.objects.get(code_list=code_list, code=code, partnership=None)


def _counts():
    return (
        Case.objects.count(),
        CaseParty.objects.count(),
        Person.objects.count(),
        Referral.objects.count(),
        CaseAgency.objects.count(),
    )


def test_open_case_happy_path_shares_with_lead_and_own_agency(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    response = client.post(
        reverse("cases:new"),
        {
            "summary": "Follows the victim to work.",
            "lead_agency": world.agencies["health"].pk,
            "officer_in_charge": member.user.pk,
            "opened_on": "3/4/2026",
        },
    )
    case = Case.objects.get(summary="Follows the victim to work.")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.reference.endswith("-2026-00004")  # three cases in the world already
    assert set(case.case_agencies.values_list("agency__name", flat=True)) == {
        "police agency",
        "health agency",
    }
    assert case.officer_in_charge == member.user


def test_open_case_bad_input(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(
        reverse("cases:new"), {"summary": "", "lead_agency": "999", "opened_on": tomorrow}
    )
    errors = response.context["form"].errors
    assert set(errors) == {"summary", "lead_agency", "opened_on"}
    assert "today or in the past" in errors["opened_on"][0]
    response = client.post(
        reverse("cases:new"),
        {"summary": "x", "lead_agency": world.agencies["police"].pk, "opened_on": "31/02/2026"},
    )
    assert "Enter a real date" in response.context["form"].errors["opened_on"][0]
    body = response.content.decode()
    assert "There is a problem" in body and 'href="#id_opened_on"' in body
    assert _counts() == before


def test_empty_submissions_show_specific_messages(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    errors = client.post(reverse("cases:new"), {}).context["form"].errors
    assert errors["summary"] == ["Enter a summary of the case."]
    assert errors["opened_on"] == ["Enter the date the case opened."]
    response = client.post(reverse("cases:party-add", args=[world.own_case.pk]), {})
    assert response.context["form"].errors["role"] == ["Select the person's part in the case."]
    body = response.content.decode()
    assert 'href="#id_role_0"' in body
    assert "<title>Error: " in body


def test_open_case_refuses_another_partnerships_agency(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    foreign = world.other_partnership_member.agency
    response = client.post(
        reverse("cases:new"), {"summary": "x", "lead_agency": foreign.pk, "opened_on": "1/4/2026"}
    )
    assert "lead_agency" in response.context["form"].errors
    assert not Case.objects.filter(summary="x").exists()


def test_add_party_creates_person_and_logs(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    url = reverse("cases:party-add", args=[world.own_case.pk])
    response = client.post(
        url,
        {
            "role": "perpetrator",
            "given_names": "Adam",
            "family_name": "Stone",
            "aliases": "Ad Stone, A. Stone",
            "date_of_birth_not_known": "on",
            "gender": "male",
            "ethnicity": _code("ethnicity", "Z").pk,
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(family_name="Stone")
    assert person.date_of_birth_not_known and person.date_of_birth is None
    assert person.ethnicity.means_not_known
    assert sorted(a.name for a in person.aliases.all()) == ["A. Stone", "Ad Stone"]
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="cases.CaseParty", case=world.own_case
    ).exists()


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
    assert _counts() == before


def test_add_party_twice_in_same_role_is_refused(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    person = world.victim.person
    with pytest.raises(ValidationError):
        services.party_add(
            actor=member.user, membership=member, case=world.own_case, role="victim", person=person
        )


def test_share_form_errors_answer_400_and_save_nothing(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    before = _counts()
    response = client.post(
        reverse("cases:share", args=[world.own_case.pk]),
        {"agency": world.agencies["cps"].pk, "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert _counts() == before


def test_share_and_unshare_from_the_case_page(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    cps = world.agencies["cps"]
    client.post(
        reverse("cases:share", args=[world.own_case.pk]),
        {"agency": cps.pk, "reason": "Charging decision"},
    )
    assert CaseAgency.objects.filter(case=world.own_case, agency=cps).exists()
    client.post(reverse("cases:unshare", args=[world.own_case.pk, cps.pk]))
    assert not CaseAgency.objects.filter(case=world.own_case, agency=cps).exists()
    lead = world.agencies["police"]
    response = client.post(reverse("cases:unshare", args=[world.own_case.pk, lead.pk]), follow=True)
    assert "cannot be unshared from its lead agency" in response.content.decode()
    assert CaseAgency.objects.filter(case=world.own_case, agency=lead).exists()


def test_case_list_search_by_reference_and_name(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    by_name = client.get(reverse("cases:list"), {"q": world.victim.person.family_name})
    assert [c.pk for c in by_name.context["page"].object_list] == [world.own_case.pk]
    by_ref = client.get(reverse("cases:list"), {"q": world.health_case.reference})
    assert [c.pk for c in by_ref.context["page"].object_list] == [world.health_case.pk]
    hidden = client.get(reverse("cases:list"), {"q": world.advocacy_case.reference})
    assert list(hidden.context["page"].object_list) == []


def test_my_work_lists_cases_in_charge_and_advocacy(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("home"))
    assert list(page.context["in_charge"]) == [world.own_case]
    investigator = world.members[Role.INVESTIGATOR]
    services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["advocacy"],
        reason="ISAC referral",
    )
    login(world.members[Role.ADVOCATE])
    page = client.get(reverse("home"))
    assert list(page.context["advocate_for"]) == [world.own_case]
