"""Pages and API for case events and victim notifications; the warning when text shared
with the perpetrator's side holds the victim's contact details (marker postcode, phone)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseEvent, OrderDecision, ProtectiveOrder, VictimNotification
from cases.selectors.leaks import contact_leaks, victim_contact_leaks
from cases.services import events as services
from tests.factories_record import make_order

MARKER_POSTCODE = "ZZ9 9ZZ"
MARKER_PHONE = "07700 900123"


@pytest.fixture
def marked(world):
    person = world.victim.person
    person.postcode = MARKER_POSTCODE
    person.phone = MARKER_PHONE
    person.email = "Victim.Marker@example.org"
    person.address = "12 Acacia Avenue\nNorthtown"
    person.workplace = "Northtown Library"
    person.save()
    return world


def _d(day):
    return day.strftime("%d/%m/%Y")


def _event(world):
    member = world.members[Role.INVESTIGATOR]
    return services.case_event_record(
        actor=member.user,
        membership=member,
        case=world.own_case,
        perpetrator=world.perpetrator.person,
        kind="bailed",
        occurred_at=timezone.now() - timedelta(hours=1),
    )


# ---------------------------------------------------------------- the leak check


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Not to enter zz99zz.", ["postcode"]),
        ("Not to go near ZZ9  9zz or the park.", ["postcode"]),
        ("Not to call 07700-900-123.", ["phone"]),
        ("Not to call +44 7700 900123.", ["phone"]),
        ("Not to email victim.marker@EXAMPLE.org", ["email"]),
        ("Not to enter 12 Acacia Avenue, or the road.", ["address"]),
        ("Not to attend Northtown Library.", ["workplace"]),
        ("Not to enter Northtown.", []),  # the town alone is not a leak
        ("Report to 0800 555 0000 weekly.", []),
        ("", []),
    ],
)
def test_leaks_are_found_normalised_and_named_not_echoed(marked, text, found):
    assert victim_contact_leaks(marked.own_case, text) == found


def test_a_perpetrators_own_details_are_not_a_leak(marked):
    perpetrator = marked.perpetrator.person
    perpetrator.postcode = "YY1 1YY"
    perpetrator.save()
    assert victim_contact_leaks(marked.own_case, "Resides at YY1 1YY.") == []


def test_short_values_never_match(world):
    assert contact_leaks([{"postcode": "N1", "phone": "999", "workplace": "Co"}], "N1 999 Co") == []


def _order_post(world, **overrides):
    today = timezone.localdate()
    return {
        "subject": world.perpetrator.person.pk,
        "protected": world.victim.person.pk,
        "kind": "spo_interim",
        "applied_on": _d(today - timedelta(days=2)),
        "decision": OrderDecision.GRANTED,
        "decided_on": _d(today),
        "conditions": f"Not to enter the area of {MARKER_POSTCODE.lower()}; not to call "
        f"{MARKER_PHONE.replace(' ', '')}.",
        "positive_requirements": "",
        **overrides,
    }


def test_order_form_warns_and_saves_nothing_until_share_anyway(client, login, marked):
    login(marked.members[Role.INVESTIGATOR])
    url = reverse("cases:order-new", args=[marked.own_case.pk])
    response = client.post(url, _order_post(marked))
    assert response.status_code == 400
    body = response.content.decode()
    assert "postcode and phone number" in body
    assert "I have checked: share anyway" in body
    assert 'type="checkbox" name="share_anyway"' in body
    assert not ProtectiveOrder.objects.exists() and not VictimNotification.objects.exists()
    response = client.post(url, _order_post(marked, share_anyway="on"))
    assert response.status_code == 302
    order = ProtectiveOrder.objects.get()
    assert "zz9 9zz" in order.conditions
    # Granted: the victim must be told.
    assert VictimNotification.objects.get().trigger == "order_granted"


def test_order_form_without_contact_details_saves_with_no_confirmation(client, login, marked):
    login(marked.members[Role.INVESTIGATOR])
    url = reverse("cases:order-new", args=[marked.own_case.pk])
    response = client.get(url)
    assert 'type="hidden" name="share_anyway"' in response.content.decode()
    response = client.post(url, _order_post(marked, conditions="Not to contact the victim."))
    assert response.status_code == 302


def test_order_decision_form_warns_on_a_varied_condition(client, login, marked):
    login(marked.members[Role.INVESTIGATOR])
    order = make_order(marked.own_case, subject=marked.perpetrator.person)
    url = reverse("cases:order-decide", args=[order.pk])
    data = {
        "decision": OrderDecision.GRANTED,
        "decided_on": _d(order.decided_on),
        "conditions": "Not to attend Northtown Library.",
    }
    assert client.post(url, data).status_code == 400
    order.refresh_from_db()
    assert order.conditions == ""
    assert client.post(url, {**data, "share_anyway": "on"}).status_code == 302


def test_order_api_answers_400_by_field_then_accepts_share_anyway(client, login, marked):
    login(marked.members[Role.INVESTIGATOR])
    url = reverse("api:case-order-list", kwargs={"case_pk": marked.own_case.pk})
    today = timezone.localdate().isoformat()
    body = {
        "subject": marked.perpetrator.person.pk,
        "protected": marked.victim.person.pk,
        "kind": "spo_full",
        "applied_on": today,
        "conditions": "Not to phone 07700900123.",
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "phone number" in str(response.json()["errors"]["conditions"])
    assert not ProtectiveOrder.objects.exists()
    response = client.post(url, {**body, "share_anyway": True}, content_type="application/json")
    assert response.status_code == 201


# ---------------------------------------------------------------- events pages


def test_event_form_records_an_event_and_the_task(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    url = reverse("cases:event-new", args=[world.own_case.pk])
    response = client.post(
        url,
        {
            "perpetrator": world.perpetrator.person.pk,
            "kind": "charged",
            "occurred_date": _d(timezone.localdate()),
            "occurred_time": "00:01",
            "note": "Charged with s4A stalking.",
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get()
    assert event.kind == "charged" and event.recorded_by == member.user
    assert VictimNotification.objects.filter(source_key=f"event:{event.pk}").count() == 1


def test_event_form_bad_input_shows_every_error_and_saves_nothing(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    url = reverse("cases:event-new", args=[world.own_case.pk])
    response = client.post(url, {"occurred_date": "31/02/2026", "occurred_time": "25:00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    for message in ("Choose the perpetrator.", "Choose what happened.", "Enter a real date"):
        assert message in body
    assert not CaseEvent.objects.exists()


def test_events_section_shows_events_to_every_reader_and_tasks_to_the_owner(client, login, world):
    _event(world)
    url = reverse("cases:events", args=[world.own_case.pk])
    login(world.members[Role.INVESTIGATOR])
    body = client.get(url).content.decode()
    assert "Released on bail" in body and 'id="victim-notifications"' in body
    client.logout()
    login(world.members[Role.CLINIC_CHAIR])
    body = client.get(url).content.decode()
    assert "Released on bail" in body and 'id="victim-notifications"' not in body


def test_events_are_on_the_timeline(client, login, world):
    _event(world)
    login(world.members[Role.CLINIC_CHAIR])
    body = client.get(reverse("cases:timeline", args=[world.own_case.pk])).content.decode()
    assert f"{world.perpetrator.person.full_name}: released on bail" in body


# ---------------------------------------------------------------- the task page


def _task_post(**overrides):
    return {
        "result": "informed",
        "at_date": _d(timezone.localdate()),
        "at_time": "00:02",
        "channel": "in_person",
        "told_by": "",
        "note": "",
        **overrides,
    }


def test_task_page_records_informed_without_javascript(client, login, world):
    _event(world)
    task = VictimNotification.objects.get()
    login(world.members[Role.INVESTIGATOR])
    url = reverse("cases:victim-notification", args=[task.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Tell the victim: perpetrator released on bail" in response.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.VIEW, object_type="cases.VictimNotification", object_id=str(task.pk)
    ).exists()
    response = client.post(url, _task_post())
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "informed" and task.channel == "in_person"
    body = client.get(url).content.decode()
    assert "Victim informed" in body and "<form" not in body.split("</header>")[-1]
    assert client.post(url, _task_post()).status_code == 403


def test_task_page_bad_input_field_errors_nothing_saved(client, login, world):
    _event(world)
    task = VictimNotification.objects.get()
    login(world.members[Role.INVESTIGATOR])
    url = reverse("cases:victim-notification", args=[task.pk])
    response = client.post(url, _task_post(result="not_reached", channel="", note=""))
    assert response.status_code == 400
    assert "Enter why the victim could not be told." in response.content.decode()
    response = client.post(url, _task_post(channel=""))
    assert "Choose how the victim was told." in response.content.decode()
    task.refresh_from_db()
    assert task.is_pending and task.attempted_at is None


def test_pending_list_shows_the_agencys_tasks_in_fixed_queries(
    client, login, world, django_assert_max_num_queries
):
    _event(world)
    login(world.members[Role.POLICE_SUPERVISOR])
    url = reverse("cases:victim-notifications")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert world.own_case.reference in response.content.decode()
    for _ in range(5):
        _event(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_my_work_and_the_case_page_count_pending_notifications(client, login, world):
    _event(world)
    login(world.members[Role.INVESTIGATOR])
    body = client.get(reverse("home")).content.decode()
    assert "Victim notifications" in body
    assert "1 pending" in body
    body = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert "1 victim notification pending" in body
    client.logout()
    login(world.members[Role.CLINIC_CHAIR])
    body = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert "victim notification" not in body


# ---------------------------------------------------------------- API


def test_api_lists_reads_and_records_a_task(client, login, world):
    _event(world)
    task = VictimNotification.objects.get()
    login(world.members[Role.INVESTIGATOR])
    listed = client.get(reverse("api:victim-notification-list") + "?pending=true").json()
    assert [row["id"] for row in listed["results"]] == [task.pk]
    assert "address" not in listed["results"][0] and "phone" not in listed["results"][0]
    url = reverse("api:victim-notification-record", args=[task.pk])
    response = client.post(url, {"result": "informed"}, content_type="application/json")
    assert response.status_code == 400 and "at" in response.json()["errors"]
    at = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = client.post(
        url, {"result": "informed", "at": at, "channel": ""}, content_type="application/json"
    )
    assert response.status_code == 400 and "channel" in response.json()["errors"]
    response = client.post(
        url, {"result": "informed", "at": at, "channel": "phone"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["outcome"] == "informed"


def test_api_hides_other_agencies_tasks(client, login, world):
    _event(world)
    task = VictimNotification.objects.get()
    login(world.members[Role.ADVOCATE])
    assert client.get(reverse("api:victim-notification-list")).json()["results"] == []
    assert client.get(reverse("api:victim-notification-detail", args=[task.pk])).status_code == 404


def test_api_creates_and_lists_case_events(client, login, world):
    login(world.members[Role.INVESTIGATOR])
    url = reverse("api:case-event-list", kwargs={"case_pk": world.own_case.pk})
    response = client.post(url, {"kind": "arrested"}, content_type="application/json")
    assert response.status_code == 400
    assert {"perpetrator", "occurred_at"} <= set(response.json()["errors"])
    assert not CaseEvent.objects.exists()
    response = client.post(
        url,
        {
            "kind": "arrested",
            "perpetrator": world.perpetrator.person.pk,
            "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert VictimNotification.objects.count() == 1
    assert [row["kind"] for row in client.get(url).json()] == ["arrested"]


# ---------------------------------------------------------------- the advocacy side


def _advocate_task(world):
    from cases.services import core as core_services
    from tests.factories_advocacy import start_episode

    investigator = world.members[Role.INVESTIGATOR]
    core_services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["advocacy"],
        reason="Support",
    )
    start_episode(world.members[Role.ADVOCATE], world.own_case, victim=world.victim)
    _event(world)
    return VictimNotification.objects.get()


def test_the_advocates_task_is_on_their_caseload_and_404_to_police(client, login, world):
    task = _advocate_task(world)
    login(world.members[Role.ADVOCATE])
    body = client.get(reverse("advocacy:caseload")).content.decode()
    assert "Victim notifications pending" in body
    assert reverse("cases:victim-notification", args=[task.pk]) in body
    assert client.get(reverse("cases:victim-notification", args=[task.pk])).status_code == 200
    client.logout()
    for role in (Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.CLINIC_CHAIR):
        login(world.members[role])
        url = reverse("cases:victim-notification", args=[task.pk])
        assert client.get(url).status_code in (403, 404)
        body = client.get(reverse("cases:events", args=[world.own_case.pk])).content.decode()
        assert reverse("cases:victim-notification", args=[task.pk]) not in body
        client.logout()


def test_rights_page_changes_the_deadline_rule_and_bad_input_saves_nothing(client, login, world):
    login(world.members[Role.POLICE_SUPERVISOR])
    url = reverse("cases:party-rights", args=[world.victim.pk])
    parties = client.get(reverse("cases:parties", args=[world.own_case.pk])).content.decode()
    assert url in parties and "Enhanced: told of case events within 1 working day" in parties
    response = client.post(url, {"enhanced_rights": "maybe"})
    assert response.status_code == 400
    world.victim.refresh_from_db()
    assert world.victim.enhanced_rights
    assert client.post(url, {"enhanced_rights": "no"}).status_code == 302
    world.victim.refresh_from_db()
    assert not world.victim.enhanced_rights
    perpetrator_url = reverse("cases:party-rights", args=[world.perpetrator.pk])
    assert client.get(perpetrator_url).status_code == 404
