"""Versioned reference data: the partnership admin's local codes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.forms.record import CloseForm
from cases.models import Case, CodeList, ReferenceCode, code_choices
from cases.services import reference as reference_services
from tests.factories_record import local_code, national


def _d(day):
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def admin(world, login):
    member = world.members[Role.PARTNERSHIP_ADMIN]
    login(member)
    return member


def test_admin_page_lists_national_and_local_codes_and_says_national_are_read_only(
    client, admin, world
):
    mine = local_code(world.partnership, label="Moved to a refuge out of area")
    theirs = local_code(world.other_partnership_member.agency.partnership, label="Their code")
    body = client.get(reverse("cases:reference-data")).content.decode()
    assert "Home Office outcome code" in body and "Charged or summonsed" in body
    assert mine.label in body and theirs.label not in body
    assert "read-only here" in body
    assert reverse("cases:reference-code-relabel", args=[mine.pk]) in body
    national_code = national(CodeList.CLOSURE_REASON, "other")
    assert reverse("cases:reference-code-relabel", args=[national_code.pk]) not in body


def test_add_a_local_code_and_it_is_offered(client, admin, world):
    response = client.post(
        reverse("cases:reference-code-new"),
        {
            "code_list": "closure_reason",
            "code": "refuge",
            "label": "Victim moved to a refuge",
            "effective_from": _d(timezone.localdate()),
        },
    )
    assert response.status_code == 302
    code = ReferenceCode.objects.get(code="refuge")
    assert code.partnership == world.partnership and code.version == 1
    assert code in code_choices(CodeList.CLOSURE_REASON, world.partnership.pk)
    other = world.other_partnership_member.agency.partnership
    assert code not in code_choices(CodeList.CLOSURE_REASON, other.pk)
    event = AccessEvent.objects.get(action=Action.CREATE, object_type="cases.ReferenceCode")
    assert event.actor == admin.user and event.detail["code"] == "refuge"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"code": "other"}, "code"),  # a current national code in the same list
        ({"code": "OTHER"}, "code"),  # ...whatever the case
        ({"code_list": "outcome", "code": "99"}, "code_list"),  # Home Office list
        ({"label": ""}, "label"),
        ({"code": ""}, "code"),
        ({"effective_from": "not a date"}, "effective_from"),
        ({"code": "Moved abroad!! ?"}, "code"),  # not a stable code
        ({"effective_from": "1/1/1900"}, "effective_from"),  # before the programme
    ],
)
def test_add_local_code_bad_input_saves_nothing(data, field, client, admin, world):
    before = ReferenceCode.objects.count()
    post = {
        "code_list": "closure_reason",
        "code": "refuge",
        "label": "Victim moved to a refuge",
        "effective_from": _d(timezone.localdate()),
        **data,
    }
    response = client.post(reverse("cases:reference-code-new"), post)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert ReferenceCode.objects.count() == before
    assert not AccessEvent.objects.filter(object_type="cases.ReferenceCode").exists()


def test_a_local_code_may_reuse_a_code_only_in_another_list(admin, world):
    code = reference_services.local_code_add(
        actor=admin.user,
        membership=admin,
        code_list=CodeList.TYPOLOGY,
        code="other",
        label="Other typology",
    )
    assert code.code == "other"
    with pytest.raises(Exception, match="already used"):
        reference_services.local_code_add(
            actor=admin.user,
            membership=admin,
            code_list=CodeList.TYPOLOGY,
            code="other",
            label="Again",
        )


def _close_with(case, code, world):
    Case.objects.filter(pk=case.pk).update(
        closed_on=timezone.localdate(), closure_reason=code, opened_on=date(2024, 1, 1)
    )


def test_relabel_makes_a_new_version_and_old_records_keep_their_label(client, admin, world):
    old = local_code(world.partnership, label="Moved away", effective_from=date(2024, 1, 1))
    _close_with(world.own_case, old, world)
    today = timezone.localdate()
    response = client.post(
        reverse("cases:reference-code-relabel", args=[old.pk]),
        {"label": "Moved out of the partnership area", "effective_from": _d(today)},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = ReferenceCode.objects.get(supersedes=old)
    assert (new.code, new.version, new.label) == (old.code, 2, "Moved out of the partnership area")
    assert old.effective_to == today == new.effective_from  # ends on the same day
    offered = code_choices(CodeList.CLOSURE_REASON, world.partnership.pk)
    assert new in offered and old not in offered
    world.own_case.refresh_from_db()
    assert world.own_case.closure_reason.label == "Moved away"
    page = client.get(reverse("cases:closure", args=[world.own_case.pk])).content.decode()
    assert "Moved away" in page
    event = AccessEvent.objects.get(action=Action.UPDATE, object_type="cases.ReferenceCode")
    assert event.detail["relabelled"] == ["Moved away", "Moved out of the partnership area"]
    # The superseded version cannot be relabelled again.
    with pytest.raises(Exception, match="current version"):
        reference_services.local_code_relabel(
            actor=admin.user, membership=admin, code=old, label="Something else"
        )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"label": ""}, "label"),
        ({"label": "Moved away"}, "label"),  # unchanged
        ({"effective_from": "1/1/2024"}, "effective_from"),  # not after the old start
    ],
)
def test_relabel_bad_input_saves_nothing(data, field, client, admin, world):
    old = local_code(world.partnership, label="Moved away", effective_from=date(2024, 1, 1))
    before = ReferenceCode.objects.count()
    post = {"label": "New", "effective_from": _d(timezone.localdate()), **data}
    response = client.post(reverse("cases:reference-code-relabel", args=[old.pk]), post)
    assert response.status_code == 400 and field in response.context["form"].errors
    old.refresh_from_db()
    assert old.effective_to is None and ReferenceCode.objects.count() == before


def test_retired_code_is_not_offered_but_old_records_still_show_it(client, admin, world):
    code = local_code(world.partnership, label="Transferred to another unit")
    _close_with(world.own_case, code, world)
    response = client.post(
        reverse("cases:reference-code-retire", args=[code.pk]),
        {"effective_to": _d(timezone.localdate())},
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.effective_to == timezone.localdate()
    assert code not in code_choices(CodeList.CLOSURE_REASON, world.partnership.pk)
    assert code not in CloseForm(partnership_id=world.partnership.pk).fields["reason"].queryset
    event = AccessEvent.objects.get(action=Action.UPDATE, object_type="cases.ReferenceCode")
    assert event.actor == admin.user
    page = client.get(reverse("cases:closure", args=[world.own_case.pk])).content.decode()
    assert "Transferred to another unit" in page
    # Retiring twice is refused.
    response = client.post(
        reverse("cases:reference-code-retire", args=[code.pk]),
        {"effective_to": _d(timezone.localdate() + timedelta(days=1))},
    )
    assert response.status_code == 400


def test_retired_relationship_stays_on_the_record_edit_form_for_a_case_using_it(world):
    from cases.forms.record import RecordForm

    code = local_code(world.partnership, code_list=CodeList.RELATIONSHIP, label="Neighbour")
    Case.objects.filter(pk=world.own_case.pk).update(relationship=code)
    code.effective_to = timezone.localdate()
    code.save()
    world.own_case.refresh_from_db()
    form = RecordForm(case=world.own_case, typologies=[], agencies=None, police_users=None)
    assert code in form.fields["relationship"].queryset
    other_case_form = RecordForm(
        case=world.health_case, typologies=[], agencies=None, police_users=None
    )
    assert code not in other_case_form.fields["relationship"].queryset


def test_national_codes_are_not_editable(client, admin, world):
    national_code = national(CodeList.CLOSURE_REASON, "other")
    for name in ("cases:reference-code-relabel", "cases:reference-code-retire"):
        url = reverse(name, args=[national_code.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"label": "x", "effective_to": "1/1/2030"}).status_code == 404
    with pytest.raises(PermissionDenied):
        reference_services.local_code_relabel(
            actor=admin.user, membership=admin, code=national_code, label="Changed"
        )
    with pytest.raises(PermissionDenied):
        reference_services.local_code_retire(actor=admin.user, membership=admin, code=national_code)
    national_code.refresh_from_db()
    assert national_code.label == "Other" and national_code.effective_to is None


def test_only_the_admin_changes_reference_data(world):
    investigator = world.members[Role.INVESTIGATOR]
    with pytest.raises(PermissionDenied):
        reference_services.local_code_add(
            actor=investigator.user,
            membership=investigator,
            code_list=CodeList.CLOSURE_REASON,
            code="x",
            label="X",
        )


@pytest.mark.parametrize(
    ("code_list", "code", "start"),
    [
        (CodeList.OUTCOME, "16", date(2014, 4, 1)),  # the outcomes framework
        (CodeList.OFFENCE, "008/65", date(2012, 11, 25)),  # s.4A, in force 25/11/2012
        (CodeList.OFFENCE, "195/12", date(2012, 11, 25)),  # s.2A
        (CodeList.OFFENCE, "8L", date(2000, 1, 1)),
        (CodeList.OFFENCE, "BNMO", date(2007, 7, 1)),
        (CodeList.OFFENCE, "BSPO", date(2019, 4, 1)),  # SPOs began later still: kept
        (CodeList.RELATIONSHIP, "former_partner", date(2000, 1, 1)),
        (CodeList.TYPOLOGY, "rejected", date(2000, 1, 1)),
        (CodeList.ETHNICITY, "W1", date(2000, 1, 1)),
        (CodeList.REFERRAL_SOURCE, "police", date(2000, 1, 1)),
        (CodeList.CLOSURE_REASON, "other", date(2000, 1, 1)),
    ],
)
def test_national_codes_start_on_their_real_dates_so_history_can_be_loaded(
    db, code_list, code, start
):
    assert national(code_list, code).effective_from == start


@pytest.mark.parametrize(("day", "saved"), [(date(2000, 1, 1), True), (date(1999, 12, 31), False)])
def test_a_local_code_may_start_from_2000(client, admin, world, day, saved):
    response = client.post(
        reverse("cases:reference-code-new"),
        {
            "code_list": "closure_reason",
            "code": "refuge",
            "label": "Victim moved to a refuge",
            "effective_from": _d(day),
        },
    )
    assert response.status_code == (302 if saved else 400)
    assert ReferenceCode.objects.filter(code="refuge").exists() is saved


def test_the_service_refuses_a_local_code_before_2000_to_any_caller(admin):
    with pytest.raises(ValidationError) as refused:
        reference_services.local_code_add(
            actor=admin.user,
            membership=admin,
            code_list=CodeList.CLOSURE_REASON,
            code="refuge",
            label="Refuge",
            effective_from=date(1999, 12, 31),
        )
    assert "1 January 2000" in refused.value.message_dict["effective_from"][0]
    assert not ReferenceCode.objects.filter(code="refuge").exists()
