"""Recording a referral on question pages, and its lifecycle on the referral page."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CaseAgency, CaseParty, Person, ReferenceCode, Referral
from cases.selectors.core import cases_visible_to
from tests.factories import make_referral
from tests.factories_people import person_in_case


def _source(code="probation"):
    return ReferenceCode.objects.get(code_list="referral_source", code=code, partnership=None)


def _step(name):
    return reverse("cases:referral-step", args=[name])


def _answer(client, step, data, follow_to=None):
    response = client.post(_step(step), data)
    assert response.status_code == 302, (
        getattr(response, "context", {}) and response.context["form"].errors
    )
    return response["Location"]


def _fill(client, *, perpetrator=None, victim=None, sharing=None):
    client.get(reverse("cases:referral-new"))
    assert _answer(client, "source", {"source": _source().pk}) == _step("received")
    assert _answer(client, "received", {"received_on": "1/4/2026"}) == _step("reason")
    assert _answer(client, "reason", {"reason": "Licence breach: contact"}) == _step("perpetrator")
    after = _answer(
        client,
        "perpetrator",
        perpetrator or {"given_names": "", "family_name": ""},
    )
    if after == _step("perpetrator-match"):
        after = client.get(after)["Location"] if perpetrator is None else after
    return after


def test_question_pages_then_check_answers_then_saved(client, login, world):
    member = world.members[Role.PROBATION_OFFICER]
    login(member)
    before = Referral.objects.count(), Person.objects.count()
    _fill(
        client,
        perpetrator={"given_names": "Carl", "family_name": "Voss", "date_of_birth": "2/3/1970"},
    )
    # No likely matches: the match page passes straight on to the victim.
    assert client.get(_step("perpetrator-match"))["Location"] == _step("victim")
    assert _answer(
        client,
        "victim",
        {"given_names": "Dana", "family_name": "Moss", "date_of_birth_not_known": "on"},
    ) == _step("victim-match")
    assert _answer(
        client, "sharing", {"sharing_basis": "consent", "consent_recorded_on": "30/3/2026"}
    ) == reverse("cases:referral-check")
    check = client.get(reverse("cases:referral-check"))
    body = check.content.decode()
    for text in (
        "Probation",
        "1 April 2026",
        "Licence breach",
        "Carl Voss (new record)",
        "Dana Moss (new record)",
        "Consent of the person",
        "30 March 2026",
    ):
        assert text in body
    assert f'href="{_step("reason")}?change=1"' in body
    assert (Referral.objects.count(), Person.objects.count()) == before  # nothing saved yet
    response = client.post(reverse("cases:referral-check"))
    referral = Referral.objects.get(reason="Licence breach: contact")
    assert response["Location"] == reverse("cases:referral-detail", args=[referral.pk])
    assert referral.referring_agency == member.agency
    assert referral.received_on == date(2026, 4, 1)
    assert referral.sharing_basis == "consent" and referral.consent_recorded_on == date(2026, 3, 30)
    assert referral.perpetrator.full_name == "Carl Voss"
    assert referral.perpetrator.date_of_birth == date(1970, 3, 2)
    assert referral.victim.date_of_birth_not_known
    assert referral.status == "received"
    event = AccessEvent.objects.get(action=Action.CREATE, object_type="cases.Referral")
    assert event.object_id == str(referral.pk) and event.actor == member.user
    assert AccessEvent.objects.filter(action=Action.CREATE, object_type="cases.Person").count() == 2
    # The answers are gone: the check page starts again.
    assert client.get(reverse("cases:referral-check"))["Location"] == _step("source")


def test_each_question_page_validates(client, login, world):
    login(world.members[Role.ADVOCATE])
    client.get(reverse("cases:referral-new"))
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).strftime("%d/%m/%Y")
    cases = [
        ("source", {}, "source", "Choose where the referral came from."),
        ("source", {"source": "999999"}, "source", "Choose one of the listed sources."),
        ("received", {}, "received_on", "Enter the date the referral was received."),
        (
            "received",
            {"received_on": "31/2/2026"},
            "received_on",
            "Enter a real date, like 27/3/2025.",
        ),
        (
            "received",
            {"received_on": tomorrow},
            "received_on",
            "The date must be today or in the past.",
        ),
        ("reason", {"reason": ""}, "reason", "Enter the reason for the referral."),
        (
            "perpetrator",
            {"given_names": "Al"},
            "family_name",
            "Enter the perpetrator's family name.",
        ),
        (
            "perpetrator",
            {"given_names": "Al", "family_name": "Bo"},
            "date_of_birth",
            "Enter the date of birth, or select “Date of birth is not known”.",
        ),
        (
            "victim",
            {"family_name": "Bo", "date_of_birth": "1/1/1990", "date_of_birth_not_known": "on"},
            "date_of_birth",
            "Give a date of birth or say it is not known, not both.",
        ),
        (
            "victim",
            {"nhs_number": "1234567890"},
            "family_name",
            "Enter the victim's name, or clear the other answers.",
        ),
        ("sharing", {}, "sharing_basis", "Choose the basis for sharing this information."),
        (
            "sharing",
            {"sharing_basis": "consent"},
            "consent_recorded_on",
            "Enter the date consent was given.",
        ),
        (
            "sharing",
            {"sharing_basis": "public_task", "consent_recorded_on": "1/1/2026"},
            "consent_recorded_on",
            "Give a consent date only when the basis is consent.",
        ),
    ]
    for step, data, field, message in cases:
        response = client.post(_step(step), data)
        assert response.status_code == 400, (step, data)
        assert message in response.context["form"].errors[field], (
            step,
            response.context["form"].errors,
        )
        assert "There is a problem" in response.content.decode()
    assert client.get(_step("nonsense")).status_code == 404
    assert Referral.objects.count() == 0


def test_back_links_follow_the_questions(client, login, world):
    login(world.members[Role.PROBATION_OFFICER])
    client.get(reverse("cases:referral-new"))
    assert client.get(_step("source")).context["back_url"] == reverse("cases:referrals")
    assert client.get(_step("received")).context["back_url"] == _step("source")
    assert client.get(_step("victim")).context["back_url"] == _step("perpetrator")
    assert client.get(_step("sharing")).context["back_url"] == _step("victim")
    assert client.get(_step("reason") + "?change=1").context["back_url"] == reverse(
        "cases:referral-check"
    )
    # An answer given earlier is shown again on its page.
    _answer(client, "reason", {"reason": "Follows her home"})
    assert "Follows her home" in client.get(_step("reason")).content.decode()


def test_check_answers_sends_you_to_the_first_unanswered_question(client, login, world):
    login(world.members[Role.PROBATION_OFFICER])
    client.get(reverse("cases:referral-new"))
    _answer(client, "source", {"source": _source().pk})
    assert client.get(reverse("cases:referral-check"))["Location"] == _step("received")
    assert client.post(reverse("cases:referral-check"))["Location"] == _step("received")
    assert Referral.objects.count() == 0


def test_change_from_check_answers_returns_to_check(client, login, world):
    login(world.members[Role.PROBATION_OFFICER])
    _fill(client)
    _answer(client, "victim", {})
    _answer(client, "sharing", {"sharing_basis": "safeguarding"})
    response = client.post(_step("reason") + "?change=1", {"reason": "Changed reason"})
    assert response["Location"] == reverse("cases:referral-check")
    assert "Changed reason" in client.get(reverse("cases:referral-check")).content.decode()


def test_referral_people_are_matched_and_chosen(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    known = person_in_case(
        world.own_case, given_names="Carl", family_name="Voss", date_of_birth=date(1970, 3, 2)
    )
    login(investigator)
    after = _fill(
        client,
        perpetrator={"given_names": "Karl", "family_name": "Voss", "date_of_birth": "2/3/1970"},
    )
    assert after == _step("perpetrator-match")
    page = client.get(after)
    assert "Use Carl Voss as the perpetrator" in page.content.decode()
    assert client.post(after, {}).status_code == 400
    # Skipping the choice: check answers sends you back to it.
    _answer(client, "victim", {})
    _answer(client, "sharing", {"sharing_basis": "public_task"})
    assert client.get(reverse("cases:referral-check"))["Location"] == _step("perpetrator-match")
    assert client.post(after, {"choice": known.pk})["Location"] == _step("victim")
    people = Person.objects.count()
    assert (
        "Carl Voss (existing record)"
        in client.get(reverse("cases:referral-check")).content.decode()
    )
    client.post(reverse("cases:referral-check"))
    referral = Referral.objects.get()
    assert referral.perpetrator == known and referral.victim is None
    assert Person.objects.count() == people


def test_referral_list_filters_by_status_and_is_scoped(client, login, world):
    police_ref = make_referral(
        world.members[Role.INVESTIGATOR], case=world.own_case, reason="Police-only referral"
    )
    own_ref = make_referral(world.members[Role.PROBATION_OFFICER], reason="Our referral")
    screened = make_referral(
        world.members[Role.PROBATION_OFFICER],
        reason="Screened one",
        screened_at=timezone.now(),
        screened_by=world.members[Role.INVESTIGATOR].user,
    )
    login(world.members[Role.PROBATION_OFFICER])
    shown = set(client.get(reverse("cases:referrals")).context["page"].object_list)
    assert {own_ref, screened} == shown and police_ref not in shown
    received = client.get(reverse("cases:referrals"), {"status": "received"})
    assert list(received.context["page"].object_list) == [own_ref]
    assert list(
        client.get(reverse("cases:referrals"), {"status": "screened"}).context["page"].object_list
    ) == [screened]
    login(world.members[Role.INVESTIGATOR])
    shown = set(client.get(reverse("cases:referrals")).context["page"].object_list)
    assert {own_ref, police_ref, screened} <= shown


def test_referral_list_query_count_is_fixed(client, login, world):
    member = world.members[Role.INVESTIGATOR]
    login(member)
    for _ in range(3):
        make_referral(member, case=world.own_case)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:referrals"))
    for _ in range(30):
        make_referral(member, case=world.own_case)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("cases:referrals")).status_code == 200
    assert len(few) == len(many)


def _today():
    return timezone.localdate().strftime("%d/%m/%Y")


def _screen(client, referral, note=""):
    return client.post(
        reverse("cases:referral-screen", args=[referral.pk]),
        {"note": note, "screened_on": _today()},
    )


def _decide(client, referral, **data):
    data.setdefault("decided_on", _today())
    return client.post(reverse("cases:referral-decide", args=[referral.pk]), data)


@pytest.fixture
def probation_referral(world):
    probation = world.members[Role.PROBATION_OFFICER]
    perp = Person.objects.create(
        partnership=world.partnership, given_names="Carl", family_name="Voss"
    )
    victim = Person.objects.create(
        partnership=world.partnership, given_names="Dana", family_name="Moss"
    )
    return make_referral(probation, perpetrator=perp, victim=victim, reason="Breach of licence")


def test_accept_opens_a_case_shared_with_the_referrer(client, login, world, probation_referral):
    referral = probation_referral
    probation = world.members[Role.PROBATION_OFFICER]
    assert not cases_visible_to(probation).exists() or True
    login(world.members[Role.INVESTIGATOR])
    assert _decide(client, referral, decision="accepted").status_code == 400  # not screened
    assert _screen(client, referral, "Checked PNC")["Location"] == reverse(
        "cases:referral-detail", args=[referral.pk]
    )
    referral.refresh_from_db()
    assert referral.status == "screened" and referral.screening_note == "Checked PNC"
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, object_id=str(referral.pk), detail__lifecycle="screened"
    ).exists()
    again = _screen(client, referral)
    assert again.status_code == 400 and "already been screened" in again.content.decode()
    assert client.get(reverse("cases:referral-decide", args=[referral.pk])).status_code == 200
    response = _decide(client, referral, decision="accepted")
    assert response.status_code == 302
    referral.refresh_from_db()
    case = referral.case
    assert (
        referral.status == "accepted"
        and referral.decided_by == world.members[Role.INVESTIGATOR].user
    )
    assert set(CaseAgency.objects.filter(case=case).values_list("agency__name", flat=True)) == {
        "police agency",
        "probation agency",
    }
    assert {(p.person.family_name, p.role) for p in CaseParty.objects.filter(case=case)} == {
        ("Voss", "perpetrator"),
        ("Moss", "victim"),
    }
    assert case in cases_visible_to(probation)
    login(probation)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    event = AccessEvent.objects.get(
        action=Action.UPDATE, object_id=str(referral.pk), detail__lifecycle="decided"
    )
    assert event.detail["decision"] == "accepted" and event.detail["case_opened"] is True
    assert AccessEvent.objects.filter(
        action=Action.DISCLOSE, case=case, detail__recipient_agency="probation agency"
    ).exists()
    # Deciding twice is refused.
    login(world.members[Role.INVESTIGATOR])
    twice = _decide(client, referral, decision="declined", reason="Changed mind")
    assert twice.status_code == 400 and "already decided" in twice.content.decode()
    referral.refresh_from_db()
    assert referral.decision == "accepted"


def test_accept_joins_an_existing_visible_case(client, login, world, probation_referral):
    referral = probation_referral
    login(world.members[Role.CLINIC_CHAIR])
    _screen(client, referral)
    hidden_for_police = world.advocacy_case
    login(world.members[Role.INVESTIGATOR])
    bad = _decide(client, referral, decision="accepted", case_reference=hidden_for_police.reference)
    assert bad.status_code == 400
    assert bad.context["form"].errors["case_reference"] == [
        "No case you can see has that reference."
    ]
    cases_before = cases_visible_to(world.members[Role.CLINIC_CHAIR]).count()
    ok = _decide(
        client, referral, decision="accepted", case_reference=world.own_case.reference.lower()
    )
    assert ok.status_code == 302
    referral.refresh_from_db()
    assert referral.case == world.own_case
    assert cases_visible_to(world.members[Role.CLINIC_CHAIR]).count() == cases_before
    assert CaseAgency.objects.filter(
        case=world.own_case, agency=world.agencies["probation"]
    ).exists()
    assert CaseParty.objects.filter(
        case=world.own_case, person=referral.perpetrator, role="perpetrator"
    ).exists()


@pytest.mark.parametrize("decision", ["not_stalking", "not_applicable", "declined"])
def test_negative_decisions_need_a_reason(client, login, world, probation_referral, decision):
    referral = probation_referral
    login(world.members[Role.POLICE_SUPERVISOR])
    _screen(client, referral)
    response = _decide(client, referral, decision=decision)
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Enter the reason for this decision."]
    referral.refresh_from_db()
    assert referral.decision == ""
    joined = _decide(
        client, referral, decision=decision, reason="x", case_reference=world.own_case.reference
    )
    assert "case_reference" in joined.context["form"].errors
    assert _decide(client, referral, decision=decision, reason="Harassment only")["Location"]
    referral.refresh_from_db()
    assert (
        referral.status == decision
        and referral.decision_reason == "Harassment only"
        and referral.case is None
    )
    assert AccessEvent.objects.filter(
        object_id=str(referral.pk), detail__decision=decision, reason="Harassment only"
    ).exists()


def test_decide_form_bad_input(client, login, world, probation_referral):
    login(world.members[Role.INVESTIGATOR])
    _screen(client, probation_referral)
    response = _decide(client, probation_referral, decision="maybe")
    assert response.context["form"].errors["decision"] == ["Choose a decision."]
    assert 'href="#id_decision_0"' in response.content.decode()


def test_only_police_and_the_chair_screen_and_decide(client, login, world, probation_referral):
    for role in (
        Role.PROBATION_OFFICER,
        Role.CLINICIAN,
        Role.ADVOCATE,
        Role.MANAGER,
        Role.PARTNERSHIP_ADMIN,
    ):
        login(world.members[role])
        assert _screen(client, probation_referral).status_code == 403
        assert _decide(client, probation_referral, decision="accepted").status_code == 403
    probation_referral.refresh_from_db()
    assert probation_referral.screened_at is None


def test_detail_page_shows_history_and_is_scoped(client, login, world, probation_referral):
    login(world.members[Role.INVESTIGATOR])
    _screen(client, probation_referral, "Looked at it")
    _decide(client, probation_referral, decision="declined", reason="Outside the area")
    login(world.members[Role.PROBATION_OFFICER])
    body = client.get(
        reverse("cases:referral-detail", args=[probation_referral.pk])
    ).content.decode()
    for text in (
        "Received",
        "Screened",
        "Looked at it",
        "Declined",
        "Outside the area",
        "Carl Voss",
    ):
        assert text in body
    assert "Mark as screened" not in body
    login(world.members[Role.CLINICIAN])
    assert (
        client.get(reverse("cases:referral-detail", args=[probation_referral.pk])).status_code
        == 404
    )
    assert AccessEvent.objects.filter(
        action=Action.DENIAL, object_type="cases.Referral", object_id=str(probation_referral.pk)
    ).exists()
