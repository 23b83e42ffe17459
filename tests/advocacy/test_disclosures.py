"""Risk updates (issue 11 item 4): the advocate's explicit disclosure to chosen agencies on
the case, audited per recipient; consent withdrawal stops consent-based disclosures; urgent
updates notify police at once; a new incident becomes one re-offending event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import LawfulBasis, RiskUpdate, Urgency
from advocacy.services import disclosures as disclosure_services
from advocacy.services import episodes as episode_services
from audit.models import AccessEvent, Action
from cases.models import ReoffendingEvent, ReoffendingSource
from reporting.models import Notification, NotificationKind
from tests.factories import MembershipFactory, add_party, open_case
from tests.factories_advocacy import start_episode

pytestmark = pytest.mark.django_db

WHAT = "MARKER-disclosed-he-waited-outside-her-work"


@pytest.fixture
def setup(world):
    """A case led by police (OIC the investigator), shared with health, advocacy and
    probation, with a perpetrator, and an episode with consent to share."""
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation")]
    case = open_case(police, shared_with=agencies, officer_in_charge=police.user)
    perpetrator = add_party(case, role="perpetrator")
    advocate = world.members[Role.ADVOCATE]
    episode = start_episode(advocate, case, referred_on=timezone.localdate() - timedelta(days=5))
    episode_services.episode_update(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        share_consent_on=timezone.localdate() - timedelta(days=3),
        share_consent_with="Police",
        share_consent_purpose="Risk management",
        share_consent_method="verbal",
    )
    episode.refresh_from_db()
    return episode, perpetrator


def form_data(world, **extra):
    """A valid POST of the risk update form to the police, plus ``extra``."""
    return {
        "what_changed": WHAT,
        "risk_level": "high",
        "urgency": "routine",
        "lawful_basis": "consent",
        "recipients": [world.agencies["police"].pk],
        **extra,
    }


def submit(world, episode, *, recipients=("police",), **overrides):
    advocate = world.members[Role.ADVOCATE]
    values = {
        "what_changed": WHAT,
        "risk_level": "high",
        "urgency": Urgency.ROUTINE,
        "lawful_basis": LawfulBasis.CONSENT,
        "recipient_ids": [world.agencies[key].pk for key in recipients],
    }
    values.update(overrides)
    return disclosure_services.risk_update_submit(
        actor=advocate.user, membership=advocate, episode=episode, **values
    )


def test_submit_writes_one_disclose_row_per_recipient_agency(world, setup):
    episode, _ = setup
    update = submit(world, episode, recipients=("police", "probation"))
    rows = AccessEvent.objects.filter(action=Action.DISCLOSE, object_id=str(update.pk))
    assert {row.detail["recipient_agency_id"] for row in rows} == {
        world.agencies["police"].pk,
        world.agencies["probation"].pk,
    }
    for row in rows:
        assert row.object_type == "advocacy.RiskUpdate" and row.case_id == episode.case_id
        assert row.detail["lawful_basis"] == "consent" and row.detail["episode"] == episode.pk
        assert row.actor == world.members[Role.ADVOCATE].user
        assert WHAT not in str(row.detail) + row.object_repr + row.reason


def _section(client, case):
    return client.get(reverse("advocacy:case-risk-updates", args=[case.pk]))


def test_recipients_see_it_on_the_case_and_nobody_else(world, setup, client, login):
    episode, _ = setup
    case = episode.case
    submit(world, episode, recipients=("police",))
    for role in (Role.INVESTIGATOR, Role.POLICE_SUPERVISOR):
        login(world.members[role])
        assert WHAT in _section(client, case).content.decode(), role
        timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
        assert WHAT in timeline and "risk update from" in timeline
        api = client.get(
            reverse("api:advocacy-case-risk-update-list", kwargs={"case_pk": case.pk})
        ).json()
        assert [row["what_changed"] for row in api] == [WHAT]
    for role in (Role.CLINICIAN, Role.PROBATION_OFFICER, Role.CLINIC_CHAIR, Role.MANAGER):
        login(world.members[role])
        response = _section(client, case)
        assert response.status_code == 200, role
        assert WHAT not in response.content.decode(), role
        timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
        assert WHAT not in timeline, role
        api = client.get(
            reverse("api:advocacy-case-risk-update-list", kwargs={"case_pk": case.pk})
        ).json()
        assert api == [], role


def test_the_read_of_disclosed_updates_is_audited(world, setup, client, login):
    episode, _ = setup
    update = submit(world, episode)
    police = world.members[Role.INVESTIGATOR]
    login(police)
    _section(client, episode.case)
    row = AccessEvent.objects.filter(action=Action.VIEW, actor=police.user).latest("id")
    assert row.detail == {"section": "risk-updates", "risk_updates": [update.pk]}


def test_an_agency_unshared_from_the_case_stops_reading_it(world, setup, client, login):
    from cases.services import core as case_services

    episode, _ = setup
    submit(world, episode, recipients=("police", "probation"))
    police = world.members[Role.INVESTIGATOR]
    case_services.case_unshare(
        actor=police.user,
        membership=police,
        case=episode.case,
        agency=world.agencies["probation"],
        reason="No longer involved",
    )
    login(world.members[Role.PROBATION_OFFICER])
    assert _section(client, episode.case).status_code == 404


def test_consent_withdrawal_stops_later_consent_based_disclosures(world, setup):
    from django.core.exceptions import ValidationError

    episode, _ = setup
    submit(world, episode)  # consent stands: fine
    advocate = world.members[Role.ADVOCATE]
    episode_services.episode_update(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        share_consent_withdrawn_on=timezone.localdate(),
    )
    episode.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        submit(world, episode)
    assert "withdrew consent" in refused.value.message_dict["lawful_basis"][0]
    assert RiskUpdate.objects.count() == 1
    # A basis that does not rest on consent may still be used.
    for basis in (LawfulBasis.VITAL_INTERESTS, LawfulBasis.SAFEGUARDING):
        submit(world, episode, lawful_basis=basis)
    assert RiskUpdate.objects.count() == 3


def test_consent_never_recorded_cannot_be_the_basis(world):
    from django.core.exceptions import ValidationError

    police = world.members[Role.INVESTIGATOR]
    case = open_case(police, shared_with=[world.agencies["advocacy"]])
    episode = start_episode(world.members[Role.ADVOCATE], case)
    with pytest.raises(ValidationError) as refused:
        submit(world, episode)
    assert "No consent to share" in refused.value.message_dict["lawful_basis"][0]


def test_the_form_says_consent_is_withdrawn_and_offers_no_consent(world, setup, client, login):
    episode, _ = setup
    advocate = world.members[Role.ADVOCATE]
    episode_services.episode_update(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        share_consent_withdrawn_on=timezone.localdate(),
    )
    login(advocate)
    response = client.get(reverse("advocacy:risk-update-new", args=[episode.pk]))
    body = response.content.decode()
    assert "withdrew consent to share" in body
    assert 'value="consent"' not in body and 'value="vital_interests"' in body
    posted = client.post(reverse("advocacy:risk-update-new", args=[episode.pk]), form_data(world))
    assert posted.status_code == 400
    assert "lawful_basis" in posted.context["form"].errors
    assert not RiskUpdate.objects.exists()


def test_urgent_update_notifies_the_oic_and_police_supervisors_at_once(world, setup):
    episode, _ = setup
    update = submit(world, episode, urgency=Urgency.URGENT, recipients=("police", "probation"))
    rows = Notification.objects.filter(event_key=f"risk-update:{update.pk}")
    assert {row.recipient_id for row in rows} == {
        world.members[Role.INVESTIGATOR].user_id,
        world.members[Role.POLICE_SUPERVISOR].user_id,
    }
    for row in rows:
        assert row.kind == NotificationKind.RISK_UPDATE and row.case_id == episode.case_id
        assert WHAT not in row.title + row.body + row.link
        assert row.link == reverse("advocacy:case-risk-updates", args=[episode.case_id])


def test_routine_or_non_police_updates_notify_nobody(world, setup):
    episode, _ = setup
    submit(world, episode)
    submit(world, episode, urgency=Urgency.URGENT, recipients=("health",))
    assert not Notification.objects.exists()


def test_a_new_incident_becomes_one_reoffending_event(world, setup, client, login):
    episode, perpetrator = setup
    login(world.members[Role.ADVOCATE])
    url = reverse("advocacy:risk-update-new", args=[episode.pk])
    data = form_data(
        world,
        new_incidents="MARKER-incident-text followed her to the station",
        record_incident="on",
        incident_on=timezone.localdate().strftime("%d/%m/%Y"),
        incident_victim="same",
        incident_perpetrator=perpetrator.pk,
    )
    assert client.post(url, data).status_code == 302
    update = RiskUpdate.objects.get()
    event = ReoffendingEvent.objects.get()
    assert update.reoffending_event == event
    assert event.source == ReoffendingSource.ADVOCATE and event.victim == "same"
    assert event.perpetrator == perpetrator.person and event.case == episode.case
    assert "MARKER" not in event.note  # the incident text stays in the update
    # Everyone on the case sees the re-offence; only police read the incident text.
    login(world.members[Role.CLINICIAN])
    page = client.get(reverse("cases:reoffending", args=[episode.case.pk])).content.decode()
    assert "MARKER-incident" not in page


def test_incident_errors_come_back_at_the_fields_and_nothing_is_saved(world, setup, client, login):
    episode, _ = setup
    login(world.members[Role.ADVOCATE])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("advocacy:risk-update-new", args=[episode.pk]),
        form_data(world, record_incident="on", incident_on=tomorrow.strftime("%d/%m/%Y")),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"new_incidents", "incident_on", "incident_victim", "incident_perpetrator"} <= set(
        errors
    )
    assert not RiskUpdate.objects.exists() and not ReoffendingEvent.objects.exists()


def test_bad_input_on_the_form_shows_every_error_and_saves_nothing(world, setup, client, login):
    episode, _ = setup
    login(world.members[Role.ADVOCATE])
    response = client.post(
        reverse("advocacy:risk-update-new", args=[episode.pk]),
        {"risk_level": "extreme", "recipients": [world.agencies["advocacy"].pk]},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"what_changed", "risk_level", "urgency", "lawful_basis", "recipients"} <= set(errors)
    assert "govuk-error-summary" in response.content.decode()
    assert not RiskUpdate.objects.exists()
    assert not AccessEvent.objects.filter(
        action=Action.DISCLOSE, object_type="advocacy.RiskUpdate"
    ).exists()


def test_recipients_must_be_agencies_on_the_case(world, setup):
    from django.core.exceptions import ValidationError

    episode, _ = setup
    with pytest.raises(ValidationError) as refused:
        submit(world, episode, recipients=("cps",))  # not shared with the cps
    assert "recipients" in refused.value.message_dict
    with pytest.raises(ValidationError):
        submit(world, episode, recipients=())
    assert not RiskUpdate.objects.exists()


def test_api_create_and_list_for_the_holding_agency(world, setup, client, login):
    episode, _ = setup
    login(world.members[Role.ADVOCATE])
    url = reverse("api:advocacy-risk-update-list", kwargs={"episode_pk": episode.pk})
    body = {
        "what_changed": WHAT,
        "risk_level": "medium",
        "urgency": "routine",
        "lawful_basis": "consent",
        "recipients": [world.agencies["police"].pk],
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["recipients"] == [world.agencies["police"].pk]
    listed = client.get(url).json()
    assert [row["id"] for row in listed] == [created.json()["id"]]
    rows = AccessEvent.objects.filter(action=Action.DISCLOSE, object_type="advocacy.RiskUpdate")
    assert rows.count() == 1


def test_api_bad_input_is_a_field_keyed_400_and_saves_nothing(world, setup, client, login):
    episode, _ = setup
    login(world.members[Role.ADVOCATE])
    url = reverse("api:advocacy-risk-update-list", kwargs={"episode_pk": episode.pk})
    response = client.post(
        url,
        {
            "what_changed": "",
            "risk_level": "high",
            "urgency": "routine",
            "lawful_basis": "consent",
            "recipients": [world.agencies["cps"].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"what_changed", "recipients"} <= set(response.json()["errors"])
    assert not RiskUpdate.objects.exists()
    bad_types = client.post(url, {"recipients": "x"}, content_type="application/json")
    assert bad_types.status_code == 400 and "recipients" in bad_types.json()["errors"]


def test_other_roles_cannot_submit(world, setup, client, login):
    episode, _ = setup
    for role in (Role.INVESTIGATOR, Role.CLINICIAN, Role.CLINIC_CHAIR):
        login(world.members[role])
        url = reverse("advocacy:risk-update-new", args=[episode.pk])
        assert client.post(url, {"what_changed": "x"}).status_code == 403
    assert not RiskUpdate.objects.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_have_a_fixed_query_count(world, setup, client, login):
    episode, _ = setup
    urls = {
        "advocate": [
            reverse("advocacy:episode-disclosures", args=[episode.pk]),
            reverse("api:advocacy-risk-update-list", kwargs={"episode_pk": episode.pk}),
        ],
        "police": [
            reverse("advocacy:case-risk-updates", args=[episode.case.pk]),
            reverse("api:advocacy-case-risk-update-list", kwargs={"case_pk": episode.case.pk}),
        ],
    }
    members = {"advocate": Role.ADVOCATE, "police": Role.INVESTIGATOR}
    submit(world, episode)

    def counts():
        found = {}
        for who, role in members.items():
            login(world.members[role])
            for url in urls[who]:
                found[url] = _count(client, url)
        return found

    one = counts()
    for _ in range(6):
        submit(world, episode, recipients=("police", "probation"))
    assert counts() == one


def test_an_advocacy_manager_discloses_too_but_records_no_reoffending(world, setup):
    from django.core.exceptions import ValidationError

    episode, perpetrator = setup
    manager = MembershipFactory(agency=world.agencies["advocacy"], role=Role.MANAGER)
    update = disclosure_services.risk_update_submit(
        actor=manager.user,
        membership=manager,
        episode=episode,
        what_changed=WHAT,
        risk_level="low",
        urgency="routine",
        lawful_basis="safeguarding",
        recipient_ids=[world.agencies["police"].pk],
    )
    assert update.submitted_by == manager.user
    with pytest.raises(ValidationError) as refused:
        disclosure_services.risk_update_submit(
            actor=manager.user,
            membership=manager,
            episode=episode,
            what_changed=WHAT,
            new_incidents="Followed",
            risk_level="low",
            urgency="routine",
            lawful_basis="safeguarding",
            recipient_ids=[world.agencies["police"].pk],
            record_incident=True,
            incident_on=timezone.localdate(),
            incident_victim="same",
            incident_perpetrator=perpetrator.pk,
        )
    assert "record_incident" in refused.value.message_dict
    assert RiskUpdate.objects.count() == 1 and not ReoffendingEvent.objects.exists()
