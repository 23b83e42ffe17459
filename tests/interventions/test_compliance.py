"""Compliance notifications (issue 12 item 6): a flag after a session reaches exactly the
case's police officer in charge and its probation officers, urgently (link only), audited
as a disclosure to each recipient agency; only what the sharing contract allows; the
automatic alert at the programme's threshold of unacceptable absences, once, and only on a
pathway that makes attendance a requirement. Recipients see the flag on the case, never a
note."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import Attendance, ComplianceFlag, Pathway, Session
from interventions.services import compliance as compliance_services
from interventions.services import enrolments as enrolment_services
from reporting.models import Notification, NotificationKind
from tests.factories import MembershipFactory, open_case
from tests.factories_interventions import at, attend, book, refer

pytestmark = pytest.mark.django_db

NOTE = "MARKER-compliance-session-note"
A = Attendance


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def case(world):
    """Shared with police (lead), health, probation and advocacy; the investigator is the
    officer in charge."""
    investigator = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "probation", "advocacy")]
    return open_case(investigator, shared_with=agencies, officer_in_charge=investigator.user)


@pytest.fixture
def second_probation_officer(world):
    return MembershipFactory(agency=world.agencies["probation"], role=Role.PROBATION_OFFICER)


def _enrolment(clinician, case, pathway=Pathway.CONDITIONAL_CAUTION, **kwargs):
    start = timezone.localdate() - timedelta(days=60)
    return refer(clinician, case, referred_on=start, consent_on=start, pathway=pathway, **kwargs)


def _session(clinician, enrolment, code, weeks_ago=1):
    when = at(timezone.localdate() - timedelta(days=7 * weeks_ago))
    return attend(clinician, book(clinician, enrolment, when), code, notes=NOTE)


def _flag(member, session, kind, indicators=()):
    session = Session.objects.select_related("enrolment__case").get(pk=session.pk)
    return compliance_services.flag_raise(
        actor=member.user, membership=member, session=session, kind=kind, indicators=indicators
    )


def test_a_flag_reaches_exactly_the_officer_in_charge_and_probation(
    world, clinician, case, second_probation_officer
):
    enrolment = _enrolment(clinician, case)
    session = _session(clinician, enrolment, A.ATTENDED_NOT_ENGAGED)
    flag = _flag(clinician, session, "poor_engagement")
    notified = Notification.objects.filter(kind=NotificationKind.COMPLIANCE_ALERT)
    assert set(notified.values_list("recipient_id", flat=True)) == {
        world.members[Role.INVESTIGATOR].user_id,
        world.members[Role.PROBATION_OFFICER].user_id,
        second_probation_officer.user_id,
    }
    # Link only: a fixed title and the case's Interventions section; nothing else.
    for notification in notified:
        assert notification.title == "Intervention compliance alert"
        assert notification.link == reverse("interventions:case-interventions", args=[case.pk])
        assert NOTE not in notification.title + notification.body
    disclosed = AccessEvent.objects.filter(
        action=Action.DISCLOSE, object_type="interventions.ComplianceFlag", object_id=str(flag.pk)
    )
    assert sorted(e.detail["recipient_agency_id"] for e in disclosed) == sorted(
        [world.agencies["police"].pk, world.agencies["probation"].pk]
    )
    assert all(e.case_id == case.pk and e.actor == clinician.user for e in disclosed)
    by_agency = {e.detail["recipient_agency_id"]: e.detail["recipients"] for e in disclosed}
    assert by_agency[world.agencies["probation"].pk] == 2


def test_only_what_the_sharing_contract_allows(world, clinician, case):
    enrolment = _enrolment(clinician, case)  # shares compliance, not risk indicators
    session = _session(clinician, enrolment, A.ATTENDED_ENGAGED)
    with pytest.raises(ValidationError) as error:
        _flag(clinician, session, "heightened_risk", ["threats"])
    assert "sharing contract" in error.value.message_dict["kind"][0]
    enrolment_services.consent_record(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        consent_signed_on=enrolment.consent_signed_on,
        shares_risk_indicators=True,
    )
    absent = _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=0)
    with pytest.raises(ValidationError) as error:
        _flag(clinician, absent, "non_attendance")  # compliance no longer shared
    assert set(error.value.message_dict) == {"kind"}
    assert not ComplianceFlag.objects.exists() and not Notification.objects.exists()
    flag = _flag(clinician, session, "heightened_risk", ["victim_contact", "threats"])
    assert flag.indicators == ["threats", "victim_contact"]


def test_bad_input_is_refused_at_the_field_and_nothing_is_sent(world, clinician, case):
    enrolment = _enrolment(clinician, case)
    attended = _session(clinician, enrolment, A.ATTENDED_ENGAGED)
    booked = book(clinician, enrolment, at(timezone.localdate() + timedelta(days=2)))
    cases = [
        (booked, "non_attendance", [], {"kind"}),
        (attended, "non_attendance", [], {"kind"}),
        (attended, "shouting", [], {"kind"}),
        (attended, "poor_engagement", ["threats"], {"indicators"}),
        (attended, "poor_engagement", ["gossip"], {"indicators"}),
    ]
    for session, kind, indicators, fields in cases:
        with pytest.raises(ValidationError) as error:
            _flag(clinician, session, kind, indicators)
        assert set(error.value.message_dict) == fields, (kind, indicators)
    _flag(clinician, attended, "poor_engagement")
    with pytest.raises(ValidationError):
        _flag(clinician, attended, "poor_engagement")  # once per session and kind
    assert ComplianceFlag.objects.count() == 1


def test_no_one_to_tell_is_refused(world, clinician):
    case = open_case(world.members[Role.INVESTIGATOR], shared_with=[world.agencies["health"]])
    enrolment = _enrolment(clinician, case)
    session = _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE)
    with pytest.raises(ValidationError) as error:
        _flag(clinician, session, "non_attendance")
    assert "officer in charge" in error.value.message_dict["kind"][0]


@pytest.mark.parametrize(
    "pathway, alerts",
    [
        (Pathway.CONDITIONAL_CAUTION, 1),
        (Pathway.SPO_REQUIREMENT, 1),
        (Pathway.LICENCE_CONDITION, 1),
        (Pathway.REHABILITATIVE_ORDER, 1),
        (Pathway.VOLUNTARY, 0),
    ],
)
def test_the_automatic_alert_at_the_threshold_once(world, clinician, case, pathway, alerts):
    enrolment = _enrolment(clinician, case, pathway=pathway)
    _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=4)
    _session(clinician, enrolment, A.ACCEPTABLE_ABSENCE, weeks_ago=3)
    assert not ComplianceFlag.objects.exists()  # one unacceptable absence: below 2
    second = _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=2)
    _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=1)  # past it: no more
    flags = ComplianceFlag.objects.filter(automatic=True)
    assert flags.count() == alerts
    notified = Notification.objects.filter(kind=NotificationKind.COMPLIANCE_ALERT)
    if alerts:
        flag = flags.get()
        assert (flag.session, flag.kind) == (second, "non_attendance")
        assert set(notified.values_list("recipient_id", flat=True)) == {
            world.members[Role.INVESTIGATOR].user_id,
            world.members[Role.PROBATION_OFFICER].user_id,
        }
        assert (
            AccessEvent.objects.filter(action=Action.DISCLOSE, object_id=str(flag.pk)).count() == 2
        )
    else:
        assert not notified.exists()


def test_the_programme_sets_the_threshold(world, clinician, case):
    enrolment = _enrolment(clinician, case)
    programme = enrolment.programme
    programme.absence_alert_threshold = 3
    programme.save(update_fields=["absence_alert_threshold"])
    for weeks_ago in (3, 2):
        _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=weeks_ago)
    assert not ComplianceFlag.objects.exists()
    _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=1)
    assert ComplianceFlag.objects.filter(automatic=True).count() == 1


def test_recipients_see_the_flag_on_the_case_never_a_note(world, clinician, case, client, login):
    enrolment = _enrolment(clinician, case)
    _flag(clinician, _session(clinician, enrolment, A.ATTENDED_NOT_ENGAGED), "poor_engagement")
    url = reverse("interventions:case-interventions", args=[case.pk])
    for role in (Role.INVESTIGATOR, Role.PROBATION_OFFICER, Role.ADVOCATE):
        login(world.members[role])
        page = client.get(url).content.decode()
        assert NOTE not in page
        sees = "Poor engagement" in page and "Attended, did not engage" in page
        # Advocacy was not told: the flag was not disclosed to it.
        assert sees == (role != Role.ADVOCATE), role


def test_flag_page_and_api_refuse_bad_input_then_send(world, clinician, case, client, login):
    enrolment = _enrolment(clinician, case)
    absent = _session(clinician, enrolment, A.UNACCEPTABLE_ABSENCE, weeks_ago=2)
    attended = _session(clinician, enrolment, A.ATTENDED_NOT_ENGAGED, weeks_ago=1)
    login(clinician)
    url = reverse("interventions:session-flag", args=[absent.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "poor_engagement", "indicators": ["threats"]})
    assert bad.status_code == 400
    assert {"kind", "indicators"} <= set(bad.context["form"].errors)
    assert client.post(url, {}).status_code == 400
    assert not ComplianceFlag.objects.exists()
    sent = client.post(url, {"kind": "non_attendance"})
    assert sent.status_code == 302
    assert ComplianceFlag.objects.get().session_id == absent.pk
    api = reverse("api:interventions-compliance-flag-list", kwargs={"enrolment_pk": enrolment.pk})
    for body, fields in [
        ({"session": attended.pk, "kind": "non_attendance"}, {"kind"}),
        ({"session": 0, "kind": "poor_engagement"}, {"session"}),
        ({"session": attended.pk, "kind": "nope"}, {"kind"}),
    ]:
        refused = client.post(api, body, content_type="application/json")
        assert refused.status_code == 400 and set(refused.json()["errors"]) == fields, body
    created = client.post(
        api, {"session": attended.pk, "kind": "poor_engagement"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "poor_engagement"
    listed = client.get(api).json()
    assert [f["kind"] for f in listed] == ["poor_engagement", "non_attendance"]
    flags_disclosed = AccessEvent.objects.filter(
        action=Action.DISCLOSE, object_type="interventions.ComplianceFlag"
    )
    assert flags_disclosed.count() == 4  # two flags, each to police and probation
    detail = client.get(reverse("interventions:enrolment-detail", args=[enrolment.pk]))
    assert "Non-attendance" in detail.content.decode()
