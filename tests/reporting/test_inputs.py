"""The report set-up pages and services: local areas, training events and staff FTE.

Every write goes through a service with one audit row; bad input comes back as field
errors with a 400 and nothing saved; another partnership's rows are 404; roles without the
capability get 403; the lists' query counts do not grow with their rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from reporting.models import LocalArea, StaffFte, TrainingAudience, TrainingEvent
from reporting.services import inputs as services
from tests.factories_screening import CrimeScreenEntryFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _admin(world):
    return world.members[Role.PARTNERSHIP_ADMIN]


def _audit(obj, action):
    return AccessEvent.objects.filter(
        action=action, object_type=obj._meta.label, object_id=str(obj.pk)
    )


def _area(world, name="Northtown", **kwargs):
    admin = _admin(world)
    kwargs.setdefault("agencies", [world.agencies["police"]])
    return services.local_area_create(actor=admin.user, membership=admin, name=name, **kwargs)


def _training(world, member=None, **kwargs):
    member = member or _admin(world)
    fields = {
        "delivered_on": TODAY - timedelta(days=10),
        "topic": "Recognising stalking",
        "audience": TrainingAudience.POLICE,
        "attendee_count": 14,
        "delivered_by": member.agency,
    }
    fields.update(kwargs)
    return services.training_event_create(actor=member.user, membership=member, **fields)


def _fte(world, agency="police", start=date(2026, 4, 1), end=date(2027, 3, 31), fte="2.5"):
    admin = _admin(world)
    return services.staff_fte_create(
        actor=admin.user,
        membership=admin,
        agency=world.agencies[agency],
        period_start=start,
        period_end=end,
        fte=Decimal(fte),
        note="Two investigators and a half-time analyst",
    )


def _other_partnership(world):
    return world.other_partnership_member.agency.partnership


# Local areas


def test_admin_adds_a_local_area_through_the_page(world, client, login):
    login(_admin(world))
    response = client.post(
        reverse("reporting:local-area-new"),
        {
            "name": "  Northtown ",
            "agencies": [world.agencies["police"].pk, world.agencies["advocacy"].pk],
            "police_areas": "Northtown Central\n\n northtown central \nNorthtown  East\n",
            "active": "on",
        },
    )
    assert response.status_code == 302
    area = LocalArea.objects.get(partnership=world.partnership)
    assert area.name == "Northtown"
    assert area.police_areas == ["Northtown Central", "Northtown East"]
    assert set(area.agencies.all()) == {world.agencies["police"], world.agencies["advocacy"]}
    assert area.active
    event = _audit(area, Action.CREATE).get()
    assert event.actor == _admin(world).user
    assert event.detail["police_areas"] == ["Northtown Central", "Northtown East"]


def test_local_area_form_offers_the_crime_screen_police_areas(world, client, login):
    CrimeScreenEntryFactory(partnership=world.partnership, location_area="Hillbrook")
    CrimeScreenEntryFactory(partnership=world.partnership, location_area="Hillbrook")
    CrimeScreenEntryFactory(partnership=world.partnership, location_area="Marsh End")
    CrimeScreenEntryFactory(partnership=_other_partnership(world), location_area="Southmoor X")
    login(_admin(world))
    response = client.get(reverse("reporting:local-area-new"))
    assert response.status_code == 200
    assert response.context["police_area_hints"] == ["Hillbrook", "Marsh End"]
    html = response.content.decode()
    assert "Southmoor X" not in html
    # Only this partnership's agencies are offered.
    assert world.other_partnership_member.agency.name not in html
    assert 'for="id_name"' in html and 'for="id_police_areas"' in html


def test_duplicate_local_area_name_is_a_field_error(world, client, login):
    _area(world, "Northtown")
    login(_admin(world))
    response = client.post(
        reverse("reporting:local-area-new"),
        {"name": "NORTHTOWN", "agencies": [world.agencies["health"].pk]},
    )
    assert response.status_code == 400
    assert "already has a local area called NORTHTOWN" in response.context["form"].errors["name"][0]
    assert "govuk-error-summary" in response.content.decode()
    assert LocalArea.objects.filter(partnership=world.partnership).count() == 1
    # Another partnership may use the same name.
    other = world.other_partnership_member
    services.local_area_create(
        actor=other.user, membership=_as_admin(other), name="Northtown", police_areas=["X"]
    )


def _as_admin(membership):
    membership.role = Role.PARTNERSHIP_ADMIN
    membership.save(update_fields=["role"])
    return membership


def test_local_area_needs_an_agency_or_a_police_area(world):
    admin = _admin(world)
    with pytest.raises(ValidationError) as error:
        services.local_area_create(actor=admin.user, membership=admin, name="Empty")
    assert "agencies" in error.value.message_dict
    area = services.local_area_create(
        actor=admin.user, membership=admin, name="Screen only", police_areas="Hillbrook"
    )
    assert area.police_areas == ["Hillbrook"]


def test_local_area_refuses_another_partnerships_agency(world):
    admin = _admin(world)
    with pytest.raises(ValidationError) as error:
        services.local_area_create(
            actor=admin.user,
            membership=admin,
            name="Mixed",
            agencies=[world.other_partnership_member.agency],
        )
    assert "agencies" in error.value.message_dict
    assert not LocalArea.objects.exists()


def test_admin_edits_a_local_area(world, client, login):
    area = _area(world)
    _area(world, "Westfield")
    login(_admin(world))
    url = reverse("reporting:local-area-edit", args=[area.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["name"] == "Northtown"
    # The other area's name is taken.
    response = client.post(url, {"name": "westfield", "agencies": [world.agencies["police"].pk]})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    response = client.post(
        url, {"name": "Northtown", "agencies": [world.agencies["health"].pk], "police_areas": ""}
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert list(area.agencies.all()) == [world.agencies["health"]]
    assert not area.active  # the box was not ticked
    event = _audit(area, Action.UPDATE).get()
    assert event.detail["changed"]["active"] == [True, False]
    assert event.detail["changed"]["agencies"] == [
        [world.agencies["police"].pk],
        [world.agencies["health"].pk],
    ]
    assert "name" not in event.detail["changed"]


def test_another_partnerships_local_area_is_404(world, client, login):
    other = world.other_partnership_member
    area = LocalArea.objects.create(partnership=other.agency.partnership, name="Southmoor")
    login(_admin(world))
    url = reverse("reporting:local-area-edit", args=[area.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken over", "police_areas": "X"}).status_code == 404
    area.refresh_from_db()
    assert area.name == "Southmoor"
    assert AccessEvent.objects.filter(action=Action.DENIAL, object_id=str(area.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.local_area_update(
            actor=_admin(world).user,
            membership=_admin(world),
            area=area,
            name="Taken over",
            police_areas=["X"],
        )


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.POLICE_SUPERVISOR, Role.CLINIC_CHAIR, Role.INVESTIGATOR]
)
def test_local_areas_and_fte_are_the_admins(world, client, login, role):
    area, row = _area(world), _fte(world)
    login(world.members[role])
    for url in (
        reverse("reporting:local-area-list"),
        reverse("reporting:local-area-new"),
        reverse("reporting:local-area-edit", args=[area.pk]),
        reverse("reporting:fte-list"),
        reverse("reporting:fte-new"),
        reverse("reporting:fte-edit", args=[row.pk]),
        reverse("reporting:fte-delete", args=[row.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reporting:fte-delete", args=[row.pk])).status_code == 403
    assert StaffFte.objects.filter(pk=row.pk).exists()
    with pytest.raises(PermissionDenied):
        services.local_area_create(
            actor=world.members[role].user,
            membership=world.members[role],
            name="Mine",
            police_areas=["X"],
        )


def test_local_area_list_query_count_is_fixed(world, client, login):
    login(_admin(world))
    url = reverse("reporting:local-area-list")
    _area(world, "A")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(8):
        _area(world, f"Area {n}", agencies=[world.agencies["police"], world.agencies["health"]])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["areas"]) == 9
    assert len(many) == len(few)
    assert "Area 7" in response.content.decode()


# Training


def test_admin_records_training_for_any_agency(world, client, login):
    area = _area(world)
    login(_admin(world))
    response = client.post(
        reverse("reporting:training-new"),
        {
            "delivered_on": (TODAY - timedelta(days=3)).strftime("%d/%m/%Y"),
            "topic": "Stalking awareness for GPs",
            "audience": TrainingAudience.HEALTH,
            "attendee_count": "23",
            "delivered_by": world.agencies["health"].pk,
            "local_area": area.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    event = TrainingEvent.objects.get(partnership=world.partnership)
    assert (event.attendee_count, event.delivered_by, event.local_area) == (
        23,
        world.agencies["health"],
        area,
    )
    assert event.created_by == _admin(world).user
    audit = _audit(event, Action.CREATE).get()
    assert audit.detail["attendee_count"] == 23


def test_attendee_count_zero_is_a_field_error(world, client, login):
    login(_admin(world))
    response = client.post(
        reverse("reporting:training-new"),
        {
            "delivered_on": TODAY.strftime("%d/%m/%Y"),
            "topic": "Recognising stalking",
            "audience": TrainingAudience.POLICE,
            "attendee_count": "0",
            "delivered_by": world.agencies["police"].pk,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["attendee_count"] == ["At least one person must have attended."]
    assert "#id_attendee_count" in response.content.decode()
    assert not TrainingEvent.objects.exists()


def test_training_rules(world):
    with pytest.raises(ValidationError) as error:
        _training(
            world,
            delivered_on=TODAY + timedelta(days=1),
            topic=" ",
            audience="aliens",
            attendee_count=-3,
        )
    assert set(error.value.message_dict) == {"delivered_on", "topic", "audience", "attendee_count"}
    with pytest.raises(ValidationError) as error:
        _training(world, delivered_by=world.other_partnership_member.agency)
    assert "delivered_by" in error.value.message_dict
    foreign_area = LocalArea.objects.create(partnership=_other_partnership(world), name="S")
    with pytest.raises(ValidationError) as error:
        _training(world, local_area=foreign_area)
    assert "local_area" in error.value.message_dict
    assert not TrainingEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.POLICE_SUPERVISOR])
def test_those_who_see_reports_record_their_own_agencys_training(world, client, login, role):
    member = world.members[role]
    mine = _training(world, member)
    assert mine.delivered_by == member.agency
    # Not another agency's.
    with pytest.raises(ValidationError) as error:
        _training(world, member, delivered_by=world.agencies["health"])
    assert "own agency" in error.value.message_dict["delivered_by"][0]
    theirs = _training(world, delivered_by=world.agencies["health"])
    login(member)
    page = client.get(reverse("reporting:training-list"))
    assert page.status_code == 200
    # The whole list is shown; only their agency's row can be changed.
    assert {e.pk for e in page.context["page"].object_list} == {mine.pk, theirs.pk}
    assert page.context["editable"] == {mine.pk}
    assert client.get(reverse("reporting:training-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reporting:training-delete", args=[theirs.pk])).status_code == 404
    assert TrainingEvent.objects.filter(pk=theirs.pk).exists()
    # The form offers their agency only.
    form = client.get(reverse("reporting:training-new")).context["form"]
    assert list(form.fields["delivered_by"].queryset) == [member.agency]
    # A posted other agency is refused at the field.
    response = client.post(
        reverse("reporting:training-edit", args=[mine.pk]),
        {
            "delivered_on": mine.delivered_on.strftime("%d/%m/%Y"),
            "topic": mine.topic,
            "audience": mine.audience,
            "attendee_count": "5",
            "delivered_by": world.agencies["health"].pk,
        },
    )
    assert response.status_code == 400
    assert "delivered_by" in response.context["form"].errors


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADVOCATE, Role.CLINIC_CHAIR, Role.PARTNER])
def test_roles_without_reports_cannot_record_training(world, client, login, role):
    event = _training(world)
    login(world.members[role])
    for url in (
        reverse("reporting:setup"),
        reverse("reporting:training-list"),
        reverse("reporting:training-new"),
        reverse("reporting:training-edit", args=[event.pk]),
        reverse("reporting:training-delete", args=[event.pk]),
    ):
        assert client.get(url).status_code == 403, url
    with pytest.raises(PermissionDenied):
        _training(world, world.members[role])


def test_admin_edits_and_deletes_training_with_audit_rows(world, client, login):
    event = _training(world, delivered_by=world.agencies["advocacy"])
    login(_admin(world))
    url = reverse("reporting:training-edit", args=[event.pk])
    assert client.get(url).context["form"].initial["attendee_count"] == 14
    response = client.post(
        url,
        {
            "delivered_on": event.delivered_on.strftime("%d/%m/%Y"),
            "topic": event.topic,
            "audience": TrainingAudience.ADVOCACY,
            "attendee_count": "16",
            "delivered_by": world.agencies["advocacy"].pk,
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.attendee_count, event.audience) == (16, TrainingAudience.ADVOCACY)
    changed = _audit(event, Action.UPDATE).get().detail["changed"]
    assert changed == {"audience": ["police", "advocacy"], "attendee_count": [14, 16]}

    delete_url = reverse("reporting:training-delete", args=[event.pk])
    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    assert "Delete training" in confirm.content.decode()
    assert TrainingEvent.objects.filter(pk=event.pk).exists()  # GET deletes nothing
    assert client.post(delete_url).status_code == 302
    assert not TrainingEvent.objects.filter(pk=event.pk).exists()
    deleted = AccessEvent.objects.get(
        action=Action.DELETE, object_type="reporting.TrainingEvent", object_id=str(event.pk)
    )
    assert deleted.detail["attendee_count"] == 16


def test_another_partnerships_training_is_404(world, client, login):
    event = TrainingEvent.objects.create(
        partnership=_other_partnership(world),
        delivered_on=TODAY,
        topic="Theirs",
        audience=TrainingAudience.POLICE,
        attendee_count=3,
        delivered_by=world.other_partnership_member.agency,
    )
    login(_admin(world))
    assert client.get(reverse("reporting:training-edit", args=[event.pk])).status_code == 404
    assert client.post(reverse("reporting:training-delete", args=[event.pk])).status_code == 404
    assert TrainingEvent.objects.filter(pk=event.pk).exists()
    assert "Theirs" not in client.get(reverse("reporting:training-list")).content.decode()


def test_training_list_is_paginated_newest_first_with_fixed_queries(world, client, login):
    login(_admin(world))
    url = reverse("reporting:training-list")
    area = _area(world)
    _training(world, delivered_on=TODAY - timedelta(days=100), local_area=area)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(30):
        _training(
            world,
            delivered_on=TODAY - timedelta(days=n),
            delivered_by=world.agencies["health" if n % 2 else "police"],
            local_area=area if n % 3 else None,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    listed = list(response.context["page"].object_list)
    assert len(listed) == 25
    assert [e.delivered_on for e in listed] == sorted(
        (e.delivered_on for e in listed), reverse=True
    )
    assert listed[0].delivered_on == TODAY
    assert len(many) == len(few)
    second = client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 6
    assert list(second.context["page"].object_list)[-1].delivered_on == TODAY - timedelta(days=100)


# Staff FTE


def test_admin_records_staff_fte_through_the_page(world, client, login):
    login(_admin(world))
    response = client.post(
        reverse("reporting:fte-new"),
        {
            "agency": world.agencies["advocacy"].pk,
            "period_start": "01/04/2026",
            "period_end": "31/03/2027",
            "fte": "3.25",
            "note": "ISACs",
        },
    )
    assert response.status_code == 302
    row = StaffFte.objects.get(partnership=world.partnership)
    assert (row.agency, row.fte, row.period_start) == (
        world.agencies["advocacy"],
        Decimal("3.25"),
        date(2026, 4, 1),
    )
    assert _audit(row, Action.CREATE).get().detail["fte"] == "3.25"


def test_overlapping_fte_periods_of_one_agency_are_a_field_error(world, client, login):
    _fte(world, start=date(2026, 4, 1), end=date(2026, 9, 30))
    login(_admin(world))
    data = {
        "agency": world.agencies["police"].pk,
        "period_start": "30/09/2026",  # shares one day
        "period_end": "31/03/2027",
        "fte": "2",
    }
    response = client.post(reverse("reporting:fte-new"), data)
    assert response.status_code == 400
    assert "must not overlap" in response.context["form"].errors["period_start"][0]
    assert StaffFte.objects.count() == 1
    # The day after is fine, and so is the same period for another agency.
    assert (
        client.post(
            reverse("reporting:fte-new"), {**data, "period_start": "01/10/2026"}
        ).status_code
        == 302
    )
    other = {**data, "agency": world.agencies["health"].pk}
    assert client.post(reverse("reporting:fte-new"), other).status_code == 302
    assert StaffFte.objects.count() == 3


def test_fte_period_inverted_and_value_bounds(world, client, login):
    login(_admin(world))
    base = {
        "agency": world.agencies["police"].pk,
        "period_start": "01/04/2026",
        "period_end": "31/03/2027",
    }
    inverted = client.post(
        reverse("reporting:fte-new"),
        {**base, "period_start": "01/04/2027", "fte": "1"},
    )
    assert inverted.status_code == 400
    assert inverted.context["form"].errors["period_end"] == [
        "The last day must be on or after the first day."
    ]
    for value, message in (
        ("0", "The FTE must be more than 0."),
        ("-1", "The FTE must be more than 0."),
        ("999.01", "The FTE must be 999 or less."),
        ("1.234", "Give the FTE to at most 2 decimal places."),
        ("lots", "Enter the FTE as a number, like 2.5."),
    ):
        response = client.post(reverse("reporting:fte-new"), {**base, "fte": value})
        assert response.status_code == 400, value
        assert response.context["form"].errors["fte"] == [message], value
    assert client.post(reverse("reporting:fte-new"), {**base, "fte": "999"}).status_code == 302
    assert not StaffFte.objects.exclude(fte=Decimal("999")).exists()


def test_editing_an_fte_row_may_keep_its_own_period(world, client, login):
    row = _fte(world)
    _fte(world, start=date(2027, 4, 1), end=date(2028, 3, 31), fte="3")
    login(_admin(world))
    url = reverse("reporting:fte-edit", args=[row.pk])
    data = {
        "agency": world.agencies["police"].pk,
        "period_start": "01/04/2026",
        "period_end": "31/03/2027",
        "fte": "2.75",
        "note": "",
    }
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.fte == Decimal("2.75")
    changed = _audit(row, Action.UPDATE).get().detail["changed"]
    assert changed["fte"] == ["2.50", "2.75"]
    # Stretching into the next row's period is refused.
    response = client.post(url, {**data, "period_end": "01/04/2027"})
    assert response.status_code == 400
    assert "period_start" in response.context["form"].errors


def test_admin_deletes_fte_with_confirmation_and_audit(world, client, login):
    row = _fte(world)
    login(_admin(world))
    url = reverse("reporting:fte-delete", args=[row.pk])
    assert client.get(url).status_code == 200
    assert StaffFte.objects.filter(pk=row.pk).exists()
    assert client.post(url).status_code == 302
    assert not StaffFte.objects.filter(pk=row.pk).exists()
    assert AccessEvent.objects.filter(
        action=Action.DELETE, object_type="reporting.StaffFte", object_id=str(row.pk)
    ).exists()


def test_another_partnerships_fte_is_404(world, client, login):
    other = world.other_partnership_member
    row = StaffFte.objects.create(
        partnership=other.agency.partnership,
        agency=other.agency,
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        fte=Decimal("1"),
    )
    login(_admin(world))
    for name in ("reporting:fte-edit", "reporting:fte-delete"):
        assert client.get(reverse(name, args=[row.pk])).status_code == 404
        assert client.post(reverse(name, args=[row.pk])).status_code == 404
    assert StaffFte.objects.filter(pk=row.pk).exists()
    # Nor may an admin record FTE for another partnership's agency.
    with pytest.raises(ValidationError) as error:
        services.staff_fte_create(
            actor=_admin(world).user,
            membership=_admin(world),
            agency=other.agency,
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
            fte=Decimal("1"),
        )
    assert "agency" in error.value.message_dict


def test_fte_list_groups_by_agency_with_fixed_queries(world, client, login):
    login(_admin(world))
    url = reverse("reporting:fte-list")
    _fte(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for year in range(2010, 2020):
        _fte(world, "health", date(year, 4, 1), date(year + 1, 3, 31), "1.5")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    groups = {agency.name: rows for agency, rows in response.context["groups"]}
    assert set(groups) == {agency.name for agency in world.agencies.values()}
    assert len(groups["health agency"]) == 10
    assert groups["health agency"][0].period_start == date(2019, 4, 1)  # newest first
    assert groups["cps agency"] == []


def test_setup_index_links_what_the_role_may_use(world, client, login):
    login(_admin(world))
    html = client.get(reverse("reporting:setup")).content.decode()
    for name in ("local-area-list", "training-list", "fte-list"):
        assert reverse(f"reporting:{name}") in html
    login(world.members[Role.MANAGER])
    html = client.get(reverse("reporting:setup")).content.decode()
    assert reverse("reporting:training-list") in html
    assert reverse("reporting:local-area-list") not in html
    assert reverse("reporting:fte-list") not in html
