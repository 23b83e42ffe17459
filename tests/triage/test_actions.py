"""The actions tracker: scope, overdue derivation, filters, who may complete, cancel,
reassign and re-date, audit rows, htmx row swap and query-count guards."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from audit.models import Action as AuditAction
from tests.factories import MembershipFactory
from tests.factories_triage import ActionFactory
from triage.models import Action, ActionStatus
from triage.selectors import actions as selectors
from triage.selectors.actions import ActionFilters
from triage.services import actions as services

TODAY = timezone.localdate


def _action(world, case=None, agency="police", **kwargs):
    return ActionFactory(
        case=case or world.health_case,
        owner_agency=world.agencies[agency],
        created_by=world.members[Role.CLINIC_CHAIR].user,
        **kwargs,
    )


def _audit(obj, action):
    return AccessEvent.objects.filter(
        action=action, object_type="triage.Action", object_id=str(obj.pk)
    )


# ---------------------------------------------------------------- scope and filters


def test_members_see_actions_of_cases_visible_to_them(world):
    police_only = _action(world, case=world.own_case)
    shared = _action(world, case=world.health_case)
    advocacy = _action(world, case=world.advocacy_case, agency="advocacy")
    clinician = world.members[Role.CLINICIAN]
    investigator = world.members[Role.INVESTIGATOR]
    chair = world.members[Role.CLINIC_CHAIR]
    assert set(selectors.actions_visible_to(clinician)) == {shared, advocacy}
    assert set(selectors.actions_visible_to(investigator)) == {police_only, shared}
    assert set(selectors.actions_visible_to(chair)) == {police_only, shared, advocacy}
    other = world.other_partnership_member
    assert not selectors.actions_visible_to(other).filter(pk=shared.pk).exists()


def test_overdue_is_open_and_due_before_today(world):
    yesterday = _action(world, due_on=TODAY() - timedelta(days=1))
    due_today = _action(world, due_on=TODAY())
    done_late = _action(world, due_on=TODAY() - timedelta(days=3), status=ActionStatus.DONE)
    cancelled_late = _action(
        world, due_on=TODAY() - timedelta(days=3), status=ActionStatus.CANCELLED
    )
    assert yesterday.is_overdue and not due_today.is_overdue
    assert not done_late.is_overdue and not cancelled_late.is_overdue
    assert due_today.is_overdue_on(TODAY() + timedelta(days=1))
    chair = world.members[Role.CLINIC_CHAIR]
    overdue = selectors.action_list(chair, ActionFilters(show="overdue"))
    assert list(overdue) == [yesterday]
    opened = selectors.action_list(chair, ActionFilters(show="open"))
    assert list(opened) == [yesterday, due_today]
    assert list(selectors.action_list(chair, ActionFilters(show="done"))) == [done_late]
    assert list(selectors.action_list(chair, ActionFilters(show="cancelled"))) == [cancelled_late]
    latest_first = selectors.action_list(chair, ActionFilters(show="all", sort="-due"))
    assert list(latest_first)[0] == due_today


def test_filters_from_query_string_fall_back_to_defaults():
    assert ActionFilters.from_params({"show": "nonsense", "sort": "x"}) == ActionFilters()
    assert ActionFilters.from_params({"overdue": "true"}).show == "overdue"
    assert ActionFilters.from_params({"agency": "7", "show": "done"}) == ActionFilters(
        show="done", agency_id=7
    )
    assert ActionFilters.from_params({"agency": "x"}).agency_id is None


def test_my_actions_lists_only_mine(world, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    mine = _action(world, owner=investigator.user, description="Visit the suspect")
    _action(world, description="Police agency action without owner")
    login(investigator)
    response = client.get(reverse("triage:my-actions"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine]
    assert "Visit the suspect" in response.content.decode()
    event = AccessEvent.objects.filter(action=AuditAction.LIST, detail__list="mine").get()
    assert event.actor == investigator.user


def test_agency_actions_lists_my_agency_and_filters_status(world, client, login):
    police = _action(world, description="Police task")
    done = _action(world, description="Done task", status=ActionStatus.DONE)
    _action(world, agency="health", description="Health task")
    login(world.members[Role.INVESTIGATOR])
    response = client.get(reverse("triage:actions-agency"))
    assert list(response.context["page"].object_list) == [police]
    response = client.get(reverse("triage:actions-agency"), {"show": "done"})
    assert list(response.context["page"].object_list) == [done]


def test_case_actions_page_shows_the_case_and_404s_outside_scope(world, client, login):
    on_case = _action(world, case=world.health_case, status=ActionStatus.DONE)
    _action(world, case=world.own_case)
    login(world.members[Role.CLINICIAN])
    response = client.get(reverse("triage:actions-case", args=[world.health_case.pk]))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [on_case]  # "all" by default
    response = client.get(reverse("triage:actions-case", args=[world.own_case.pk]))
    assert response.status_code == 404


def test_partnership_view_groups_and_counts_per_agency(world, client, login):
    _action(world, due_on=TODAY() - timedelta(days=2))
    _action(world)
    _action(world, status=ActionStatus.DONE)
    _action(world, case=world.advocacy_case, agency="advocacy", status=ActionStatus.CANCELLED)
    _action(world, case=world.advocacy_case, agency="health")
    login(world.members[Role.CLINIC_CHAIR])
    response = client.get(reverse("triage:actions-all"), {"show": "all"})
    assert response.status_code == 200
    counts = {row["owner_agency__name"]: row for row in response.context["counts"]}
    assert (counts["police agency"]["open"], counts["police agency"]["overdue"]) == (2, 1)
    assert counts["police agency"]["done"] == 1
    assert counts["advocacy agency"]["cancelled"] == 1
    assert counts["health agency"]["open"] == 1
    names = [a.owner_agency.name for a in response.context["page"].object_list]
    assert names == sorted(names)  # grouped by agency
    response = client.get(
        reverse("triage:actions-all"),
        {"show": "all", "agency": world.agencies["advocacy"].pk},
    )
    assert {a.owner_agency_id for a in response.context["page"].object_list} == {
        world.agencies["advocacy"].pk
    }
    login(world.members[Role.INVESTIGATOR])
    assert client.get(reverse("triage:actions-all")).status_code == 403


@pytest.mark.parametrize(
    "url_name", ["triage:my-actions", "triage:actions-agency", "triage:actions-all", "case"]
)
def test_lists_use_a_fixed_number_of_queries(world, client, login, url_name):
    chair = world.members[Role.CLINIC_CHAIR]
    agency = "health"
    url = (
        reverse("triage:actions-case", args=[world.health_case.pk])
        if url_name == "case"
        else reverse(url_name)
    )
    login(chair)

    def make(n):
        for i in range(n):
            _action(world, agency=agency, owner=chair.user, due_on=TODAY() + timedelta(days=i))

    make(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------- writes


def test_owner_agency_member_completes_and_who_when_are_recorded(world):
    investigator = world.members[Role.INVESTIGATOR]
    action = _action(world)
    services.action_complete(actor=investigator.user, membership=investigator, action=action)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completed_by == investigator.user
    assert abs((timezone.now() - action.completed_at).total_seconds()) < 60
    event = _audit(action, AuditAction.UPDATE).get()
    assert event.detail == {"change": "completed"} and event.actor == investigator.user
    with pytest.raises(ValidationError) as error:
        services.action_complete(actor=investigator.user, membership=investigator, action=action)
    assert "status" in error.value.message_dict
    assert _audit(action, AuditAction.UPDATE).count() == 1


@pytest.mark.parametrize(
    "role,allowed",
    [
        (Role.INVESTIGATOR, True),  # police own the action
        (Role.POLICE_SUPERVISOR, True),
        (Role.CLINIC_CHAIR, True),  # health agency, but chairs may do all
        (Role.CLINICIAN, False),  # sees the case, another agency's action
        (Role.PARTNERSHIP_ADMIN, False),  # police agency but no WORK_ACTIONS
    ],
)
def test_who_may_complete_cancel_reassign_and_redate(world, role, allowed):
    member = world.members[role]
    for attempt in (
        lambda a: services.action_complete(actor=member.user, membership=member, action=a),
        lambda a: services.action_cancel(
            actor=member.user, membership=member, action=a, reason="No longer needed"
        ),
        lambda a: services.action_reassign(
            actor=member.user, membership=member, action=a, owner=None
        ),
        lambda a: services.action_change_due_date(
            actor=member.user, membership=member, action=a, due_on=TODAY() + timedelta(days=30)
        ),
    ):
        action = _action(world)
        if allowed:
            attempt(action)
            assert _audit(action, AuditAction.UPDATE).count() == 1
        else:
            with pytest.raises(PermissionDenied):
                attempt(action)
            assert not _audit(action, AuditAction.UPDATE).exists()
            action.refresh_from_db()
            assert action.status == ActionStatus.OPEN


def test_cancel_needs_a_reason_and_records_it(world, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    action = _action(world)
    with pytest.raises(ValidationError) as error:
        services.action_cancel(
            actor=investigator.user, membership=investigator, action=action, reason="   "
        )
    assert "reason" in error.value.message_dict
    login(investigator)
    url = reverse("triage:actions-cancel", args=[action.pk])
    page = client.get(url).content.decode()  # a confirmation page first
    assert 'id="happens"' in page and "cannot be reopened" in page
    assert "govuk-button--warning" in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Enter why the action is cancelled." in body
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and not _audit(action, AuditAction.UPDATE).exists()
    response = client.post(url, {"reason": "Suspect moved out of area"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert action.cancel_reason == "Suspect moved out of area"
    assert action.completed_by == investigator.user
    event = _audit(action, AuditAction.UPDATE).get()
    assert event.reason == "Suspect moved out of area" and event.detail["change"] == "cancelled"


def test_reassign_stays_within_the_owner_agency_unless_the_chair_moves_it(world):
    investigator = world.members[Role.INVESTIGATOR]
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    clinician = world.members[Role.CLINICIAN]
    chair = world.members[Role.CLINIC_CHAIR]
    action = _action(world)
    services.action_reassign(
        actor=investigator.user, membership=investigator, action=action, owner=supervisor.user
    )
    action.refresh_from_db()
    assert action.owner == supervisor.user
    event = _audit(action, AuditAction.UPDATE).get()
    assert event.detail["before"]["owner"] is None
    assert event.detail["after"]["owner"] == supervisor.user.pk
    with pytest.raises(ValidationError) as error:
        services.action_reassign(
            actor=investigator.user, membership=investigator, action=action, owner=clinician.user
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.action_reassign(
            actor=investigator.user,
            membership=investigator,
            action=action,
            owner=clinician.user,
            owner_agency=world.agencies["health"],
        )
    assert "owner_agency" in error.value.message_dict
    services.action_reassign(
        actor=chair.user,
        membership=chair,
        action=action,
        owner=clinician.user,
        owner_agency=world.agencies["health"],
    )
    action.refresh_from_db()
    assert (action.owner_agency, action.owner) == (world.agencies["health"], clinician.user)
    # Not to an agency the case is not shared with.
    with pytest.raises(ValidationError) as error:
        services.action_reassign(
            actor=chair.user,
            membership=chair,
            action=action,
            owner=None,
            owner_agency=world.agencies["cps"],
        )
    assert "owner_agency" in error.value.message_dict


def test_due_date_change_refuses_the_past_and_is_audited(world, client, login):
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    action = _action(world, due_on=TODAY() - timedelta(days=3))
    login(supervisor)
    url = reverse("triage:actions-due-date", args=[action.pk])
    past = (TODAY() - timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(url, {"due_on": past})
    assert response.status_code == 400
    assert "The due date must be today or in the future." in response.content.decode()
    new = TODAY() + timedelta(days=14)
    response = client.post(url, {"due_on": new.strftime("%d/%m/%Y")})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_on == new and not action.is_overdue
    event = _audit(action, AuditAction.UPDATE).get()
    assert event.detail["change"] == "due_date" and event.detail["after"] == new.isoformat()


def test_create_on_a_visible_case_by_chair_or_police(world, client, login):
    chair = world.members[Role.CLINIC_CHAIR]
    clinician = world.members[Role.CLINICIAN]
    due = TODAY() + timedelta(days=7)
    action = services.action_create(
        actor=chair.user,
        membership=chair,
        case=world.health_case,
        description="Psychologist to review history",
        owner_agency=world.agencies["health"],
        owner=clinician.user,
        due_on=due,
    )
    assert action.partnership == world.partnership and action.created_by == chair.user
    assert _audit(action, AuditAction.CREATE).get().detail["owner"] == clinician.user.pk
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=clinician.user,
            membership=clinician,
            case=world.health_case,
            description="x",
            owner_agency=world.agencies["health"],
            due_on=due,
        )
    with pytest.raises(ValidationError) as error:
        services.action_create(
            actor=chair.user,
            membership=chair,
            case=world.health_case,
            description="",
            owner_agency=world.agencies["cps"],
            due_on=TODAY() - timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"description", "owner_agency", "due_on"}
    # The form page: bad input is 400 with messages and nothing saved.
    investigator = world.members[Role.INVESTIGATOR]
    login(investigator)
    url = reverse("triage:actions-case-new", args=[world.health_case.pk])
    before = Action.objects.count()
    response = client.post(url, {"description": "", "owner_agency": "", "due_on": ""})
    assert response.status_code == 400 and Action.objects.count() == before
    response = client.post(
        url,
        {
            "description": "Arrest enquiry",
            "owner_agency": world.agencies["police"].pk,
            "owner": investigator.user.pk,
            "due_on": due.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    created = Action.objects.get(description="Arrest enquiry")
    assert created.owner == investigator.user and created.case == world.health_case
    login(clinician)
    assert client.get(url).status_code == 403


def test_mark_done_without_javascript_redirects_back(world, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    action = _action(world)
    login(investigator)
    back = reverse("triage:actions-agency")
    response = client.post(reverse("triage:actions-complete", args=[action.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    # An off-site next is ignored.
    other = _action(world)
    response = client.post(
        reverse("triage:actions-complete", args=[other.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("triage:actions-detail", args=[other.pk])


def test_mark_done_with_htmx_swaps_the_row(world, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    action = _action(world, description="Check bail conditions")
    login(investigator)
    response = client.post(
        reverse("triage:actions-complete", args=[action.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr class="govuk-table__row" id="action-{action.pk}"')
    assert "Done" in body and "Marked as done." in body and "<html" not in body
    assert "Mark as done" not in body


def test_a_member_cannot_complete_another_agencys_action_in_the_page(world, client, login):
    action = _action(world)  # police-owned, on a case health sees
    login(world.members[Role.CLINICIAN])
    assert client.get(reverse("triage:actions-detail", args=[action.pk])).status_code == 200
    response = client.post(reverse("triage:actions-complete", args=[action.pk]))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    hidden = _action(world, case=world.own_case)
    assert client.get(reverse("triage:actions-detail", args=[hidden.pk])).status_code == 404


def test_owner_choices_are_usable_members_who_work_actions(world):
    lapsed = MembershipFactory(
        agency=world.agencies["police"], vetting_expires_on=TODAY() - timedelta(days=1)
    )
    owners = set(selectors.possible_owners(world.agencies["police"]))
    assert world.members[Role.INVESTIGATOR].user in owners
    assert lapsed.user not in owners
    assert world.members[Role.PARTNERSHIP_ADMIN].user not in owners  # no WORK_ACTIONS


def test_the_case_page_links_to_its_actions_for_those_who_work_actions(world, client, login):
    url = reverse("triage:actions-case", args=[world.own_case.pk])
    login(world.members[Role.INVESTIGATOR])
    assert url in client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    login(world.members[Role.PARTNERSHIP_ADMIN])
    page = client.get(reverse("cases:detail", args=[world.own_case.pk]))
    assert page.status_code == 200 and url not in page.content.decode()


def test_marking_done_twice_shows_the_row_as_it_is_and_records_once(world, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    action = _action(world, description="Check bail conditions")
    login(investigator)
    url = reverse("triage:actions-complete", args=[action.pk])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "This action is already done." in body
    assert "Mark as done" not in body and "<html" not in body
    action_reads = [q for q in captured if 'FROM "triage_action"' in q["sql"]]
    # The worker check, the locked re-read in the service, the row shown: no extra read.
    assert len(action_reads) == 3
    assert _audit(action, AuditAction.UPDATE).count() == 1
    response = client.post(url, {"next": reverse("triage:actions-agency")})
    assert response["Location"] == reverse("triage:actions-agency")
    assert _audit(action, AuditAction.UPDATE).count() == 1
