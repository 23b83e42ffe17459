import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case


def test_case_view_is_logged_with_who_where_and_request_id(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    response = client.get(
        reverse("cases:detail", args=[world.own_case.pk]), HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-12345678"
    event = AccessEvent.objects.filter(action=Action.VIEW).latest("id")
    assert (event.actor, event.agency, event.case) == (member.user, member.agency, world.own_case)
    assert event.actor_email == member.user.email
    assert event.agency_name == member.agency.name
    assert event.partnership_id == world.partnership.pk
    assert event.object_type == "cases.Case"
    assert event.ip_address == "127.0.0.1"
    assert event.request_id == "req-12345678"
    assert event.path == reverse("cases:detail", args=[world.own_case.pk])


def test_unsafe_request_ids_are_replaced(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_list_and_search_are_logged(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    client.get(reverse("cases:list"))
    client.get(reverse("cases:list"), {"q": "Family"})
    assert AccessEvent.objects.filter(action=Action.LIST).count() == 1
    search = AccessEvent.objects.get(action=Action.SEARCH)
    assert search.detail["query"] == "Family"


def test_out_of_scope_case_is_404_and_logged_as_denial(client, login, world):
    clinician = world.members[Role.CLINICIAN]
    login(clinician)
    response = client.get(reverse("cases:detail", args=[world.own_case.pk]))
    assert response.status_code == 404
    denial = AccessEvent.objects.get(action=Action.DENIAL)
    assert denial.actor == clinician.user and denial.case == world.own_case
    # A case that does not exist gives the same answer and its own denial row (the id).
    missing = client.get(reverse("cases:detail", args=[999999]))
    assert missing.status_code == 404
    assert (
        missing.content == response.content.replace(str(world.own_case.pk).encode(), b"999999")
        or missing.status_code == response.status_code
    )
    row = AccessEvent.objects.filter(action=Action.DENIAL).exclude(pk=denial.pk).get()
    assert (row.object_type, row.object_id, row.case_id) == ("cases.Case", "999999", None)


def test_writes_are_logged(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    client.post(
        reverse("cases:new"),
        {
            "summary": "Unwanted gifts left at home.",
            "lead_agency": member.agency.pk,
            "opened_on": "1/4/2026",
        },
    )
    case = Case.objects.get(summary="Unwanted gifts left at home.")
    created = AccessEvent.objects.get(
        action=Action.CREATE, object_type="cases.Case", object_id=str(case.pk)
    )
    assert created.actor == member.user and created.case == case


def test_case_page_shows_who_has_viewed_it(client, login, world):
    login(world.members[Role.POLICE_SUPERVISOR])
    client.get(reverse("cases:detail", args=[world.own_case.pk]))
    login(world.members[Role.INVESTIGATOR])
    body = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert "Who has viewed this case" in body
    supervisor = world.members[Role.POLICE_SUPERVISOR].user
    assert supervisor.full_name in body  # by name (and agency), not by email
    assert supervisor.email not in body


def test_access_events_cannot_be_changed_through_the_orm(world):
    event = AccessEvent.objects.first()
    event.reason = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().update(reason="tampered")
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessevent SET reason = 'tampered'",
        "DELETE FROM audit_accessevent",
    ],
)
def test_database_trigger_refuses_update_and_delete(world, statement):
    assert AccessEvent.objects.exists()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert not AccessEvent.objects.filter(reason="tampered").exists()


def test_audit_search_is_scoped_filtered_and_itself_logged(client, login, world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    login(world.other_partnership_member)
    client.get(reverse("cases:list"))
    login(admin)
    response = client.get(reverse("audit:search"), {"action": "create"})
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert events and all(e.action == "create" for e in events)
    assert all(e.partnership_id == world.partnership.pk for e in events)
    shown = {e.id for e in client.get(reverse("audit:search")).context["page"].object_list}
    expected = set(
        AccessEvent.objects.filter(partnership_id=world.partnership.pk).values_list("id", flat=True)
    )
    assert shown == expected
    assert AccessEvent.objects.filter(
        action=Action.SIGN_IN, actor=admin.user, partnership_id=world.partnership.pk
    ).exists()
    assert AccessEvent.objects.exclude(partnership_id=world.partnership.pk).exists()
    assert AccessEvent.objects.filter(action=Action.SEARCH, actor=admin.user).exists()


def test_audit_search_bad_dates_show_field_errors(client, login, world):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.get(
        reverse("audit:search"), {"date_from": "31/2/2026", "date_to": "1/1/2026"}
    )
    errors = response.context["form"].errors
    assert "date_from" in errors
    response = client.get(reverse("audit:search"), {"date_from": "2/2/2026", "date_to": "1/1/2026"})
    assert "date_to" in response.context["form"].errors


def test_field_history_is_kept_for_domain_records(world):
    case = world.own_case
    case.summary = "Updated summary"
    case.save()
    assert case.history.count() == 2
    assert case.history.first().summary == "Updated summary"
