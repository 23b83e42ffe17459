"""The daily screening worklist, entry page, screening actions and supervisor figures."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import CrimeScreenEntry, ReclassificationOutcome, ScreeningAction
from cases.selectors import screening as selectors
from cases.services import screening as services
from tests.factories import open_case
from tests.factories_screening import CrimeScreenEntryFactory, offence

NON_POLICE = [
    Role.CLINICIAN,
    Role.ADVOCATE,
    Role.PROBATION_OFFICER,
    Role.PARTNER,
    Role.MANAGER,
    Role.CLINIC_CHAIR,
    Role.PARTNERSHIP_ADMIN,
]


def entry(world, **kwargs):
    return CrimeScreenEntryFactory(partnership=world.partnership, **kwargs)


def record(world, target, kinds, role=Role.INVESTIGATOR, **kwargs):
    member = world.members[role]
    return services.actions_record(
        actor=member.user, membership=member, entry=target, kinds=kinds, **kwargs
    )


def _audit(obj, action=Action.UPDATE):
    return AccessEvent.objects.filter(
        action=action, object_type=obj._meta.label, object_id=str(obj.pk)
    )


# Who sees it -------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_POLICE)
def test_entries_are_police_only(world, client, login, role):
    target = entry(world, case=world.health_case)  # even on a case shared with health
    login(world.members[role])
    for url in (
        reverse("screening:worklist"),
        reverse("screening:entry", args=[target.pk]),
        reverse("screening:entry-actions", args=[target.pk]),
    ):
        assert client.get(url).status_code == 403
    assert not selectors.entries_visible_to(world.members[role]).exists()


def test_manager_in_a_police_agency_is_refused(world, client, login):
    from tests.factories import MembershipFactory

    manager = MembershipFactory(agency=world.agencies["police"], role=Role.MANAGER)
    login(manager)
    assert client.get(reverse("screening:worklist")).status_code == 403


def test_other_partnership_entries_are_not_found(world, client, login):
    other = CrimeScreenEntryFactory(
        partnership=world.other_partnership_member.agency.partnership, crime_reference="X/1"
    )
    login(world.members[Role.INVESTIGATOR])
    assert client.get(reverse("screening:entry", args=[other.pk])).status_code == 404
    page = client.get(reverse("screening:worklist")).content.decode()
    assert "X/1" not in page


# Worklist ----------------------------------------------------------------------------


def test_todays_unscreened_first_then_older_unscreened_then_screened(world):
    today = timezone.localdate()
    old_screened = entry(world, recorded_on=today - timedelta(days=1), crime_reference="A")
    record(world, old_screened, ["recorded_only"])
    screened_today = entry(world, recorded_on=today, crime_reference="B")
    record(world, screened_today, ["recorded_only"])
    old = entry(world, recorded_on=today - timedelta(days=3), crime_reference="C")
    new = entry(world, recorded_on=today, crime_reference="D")
    refs = [e.crime_reference for e in selectors.worklist(world.members[Role.INVESTIGATOR])]
    assert refs == [new.crime_reference, old.crime_reference, "B", "A"]


def test_filters(world, client, login):
    today = timezone.localdate()
    entry(
        world,
        crime_reference="STALK",
        offence=offence("008/66"),
        domestic_abuse=True,
        location_area="Riverside",
        officer_in_charge="DC 22 Eastwood",
        recorded_on=today - timedelta(days=10),
    )
    screened = entry(
        world, crime_reference="HARASS", location_area="Hillbrook", officer_in_charge="PC 1 Dunmore"
    )
    record(world, screened, ["recorded_only"])
    member = world.members[Role.INVESTIGATOR]
    login(member)

    def refs(**params):
        response = client.get(reverse("screening:worklist"), params)
        assert response.status_code == 200
        return {e.crime_reference for e in response.context["rows"]}

    assert refs() == {"STALK", "HARASS"}
    assert refs(offence=offence("008/66").pk) == {"STALK"}
    assert refs(da="yes") == {"STALK"}
    assert refs(da="no") == {"HARASS"}
    assert refs(area="riverside") == {"STALK"}
    assert refs(screened="yes") == {"HARASS"}
    assert refs(screened="no") == {"STALK"}
    assert refs(officer="eastwood") == {"STALK"}
    assert refs(recorded_from=(today - timedelta(days=2)).isoformat()) == {"HARASS"}
    assert refs(recorded_to=(today - timedelta(days=2)).strftime("%d/%m/%Y")) == {"STALK"}
    bad = client.get(reverse("screening:worklist"), {"recorded_from": "soon"})
    assert "Enter a real date" in bad.content.decode()
    event = AccessEvent.objects.filter(action=Action.LIST, actor=member.user).last()
    assert event.detail["list"] == "crime screen"


def test_summary_is_escaped_then_highlighted(world, client, login):
    entry(world, summary='<script>alert("x")</script> He kept FOLLOWING her & turned up daily.')
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:worklist")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark>FOLLOWING</mark>" in page and "<mark>turned up</mark>" in page
    assert "&amp;" in page


def test_highlight_keywords():
    marked = selectors.highlight_indicators(
        "Repeated calls, fixated, monitoring her phone; threatened; loitering; unwanted gifts"
    )
    for word in (
        "Repeated calls",
        "fixated",
        "monitoring",
        "threatened",
        "loitering",
        "unwanted gifts",
    ):
        assert f"<mark>{word}</mark>" in marked
    assert "<mark>" not in selectors.highlight_indicators("A dispute about parking.")
    assert selectors.highlight_indicators("a" * 400, limit=300).endswith("…")


def _worklist_queries(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_worklist_runs_a_fixed_number_of_queries(world, client, login):
    login(world.members[Role.POLICE_SUPERVISOR])
    url = reverse("screening:worklist")
    CrimeScreenEntryFactory.create_batch(5, partnership=world.partnership)
    few, shown_few = _worklist_queries(client, url)
    CrimeScreenEntryFactory.create_batch(45, partnership=world.partnership)
    many, shown_many = _worklist_queries(client, url)
    assert (shown_few, shown_many) == (5, 50)
    assert few == many


# Entry page and actions --------------------------------------------------------------


def test_entry_page_shows_the_crime_and_logs_the_view(world, client, login):
    target = entry(world, summary="He was watching the house.")
    member = world.members[Role.INVESTIGATOR]
    record(world, target, ["reclassification"], requested_offence=offence("008/66"))
    login(member)
    page = client.get(reverse("screening:entry", args=[target.pk])).content.decode()
    assert target.crime_reference in page and "<mark>watching</mark>" in page
    assert "Misclassified: reclassification requested" in page
    assert "Awaiting decision" in page
    assert _audit(target, Action.VIEW).filter(actor=member.user).exists()


def test_recording_actions_screens_the_entry(world, client, login):
    target = entry(world, recorded_on=timezone.localdate() - timedelta(days=5))
    member = world.members[Role.INVESTIGATOR]
    login(member)
    url = reverse("screening:entry-actions", args=[target.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kinds": ["refer_to_triage", "advocacy_referral", "spo_interim"],
            "acted_on": (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y"),
            "note": "Strong FOUR indicators.",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.screened_at is not None
    assert timezone.localtime(target.screened_at).date() == timezone.localdate() - timedelta(days=1)
    assert set(ScreeningAction.objects.filter(entry=target).values_list("kind", flat=True)) == {
        "refer_to_triage",
        "advocacy_referral",
        "spo_interim",
    }
    event = _audit(target, Action.CREATE).get()
    assert event.actor == member.user and event.detail["screened"] is True
    assert len(event.detail["screening_actions"]) == 3
    # A later action does not move the screened date.
    first = target.screened_at
    record(world, target, ["custody_hit"])
    target.refresh_from_db()
    assert target.screened_at == first


def test_no_further_action_needs_a_reason(world, client, login):
    target = entry(world)
    login(world.members[Role.INVESTIGATOR])
    url = reverse("screening:entry-actions", args=[target.pk])
    response = client.post(
        url, {"kinds": ["no_further_action"], "acted_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert "Enter why no further action is being taken." in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    target.refresh_from_db()
    assert target.screened_at is None and not ScreeningAction.objects.exists()
    ok = client.post(
        url,
        {
            "kinds": ["no_further_action"],
            "acted_on": timezone.localdate().isoformat(),
            "reason": "Single incident; no course of conduct.",
        },
    )
    assert ok.status_code == 302
    assert ScreeningAction.objects.get().reason == "Single incident; no course of conduct."


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["no_further_action", "recorded_only"], "reason": "x"}, "kinds"),
        ({"kinds": ["reclassification"]}, "requested_offence"),
        ({"kinds": ["reclassification"], "requested_offence": "8L"}, "requested_offence"),
        ({"kinds": ["recorded_only"], "acted_on": "future"}, "acted_on"),
        ({"kinds": ["recorded_only"], "acted_on": "before"}, "acted_on"),
    ],
)
def test_action_rules(world, kwargs, field):
    from django.core.exceptions import ValidationError

    target = entry(world, recorded_on=timezone.localdate() - timedelta(days=2))
    if kwargs.get("requested_offence"):
        kwargs["requested_offence"] = offence(kwargs["requested_offence"])
    if kwargs.get("acted_on") == "future":
        kwargs["acted_on"] = timezone.localdate() + timedelta(days=1)
    if kwargs.get("acted_on") == "before":
        kwargs["acted_on"] = timezone.localdate() - timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        record(world, target, **kwargs)
    assert field in error.value.message_dict
    assert not ScreeningAction.objects.exists()


def test_reclassification_is_decided_by_a_supervisor_only(world, client, login):
    target = entry(world)
    (request,) = record(world, target, ["reclassification"], requested_offence=offence("008/66"))
    assert request.reclassification_outcome == ReclassificationOutcome.PENDING
    url = reverse("screening:decide", args=[request.pk])
    login(world.members[Role.INVESTIGATOR])
    assert client.post(url, {"outcome": "accepted"}).status_code == 403
    client.logout()
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    login(supervisor)
    assert client.get(url).status_code == 200
    missing = client.post(url, {"decided_on": timezone.localdate().isoformat()})
    assert "Select accepted or refused." in missing.content.decode()
    response = client.post(
        url, {"outcome": "accepted", "decided_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.reclassification_outcome == ReclassificationOutcome.ACCEPTED
    assert request.decided_by == supervisor.user and request.decided_at is not None
    event = _audit(target).get()
    assert event.detail["outcome"] == "accepted" and event.actor == supervisor.user
    again = client.post(url, {"outcome": "refused", "decided_on": timezone.localdate()})
    assert "already been decided" in again.content.decode()
    request.refresh_from_db()
    assert request.reclassification_outcome == ReclassificationOutcome.ACCEPTED


def test_same_course_of_conduct_links_to_the_first_report(world, client, login):
    first, second, third = entry(world), entry(world), entry(world)
    login(world.members[Role.INVESTIGATOR])
    url = reverse("screening:entry-same-course", args=[second.pk])
    response = client.post(url, {"original": first.crime_reference.lower()})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.same_course_as == first
    assert _audit(second).get().detail["same_course_as"] == first.crime_reference
    # Linking to a duplicate links to its first report.
    client.post(
        reverse("screening:entry-same-course", args=[third.pk]),
        {"original": second.crime_reference},
    )
    third.refresh_from_db()
    assert third.same_course_as == first
    self_link = client.post(
        reverse("screening:entry-same-course", args=[first.pk]),
        {"original": second.crime_reference},
    )
    assert "cannot be a duplicate of itself" in self_link.content.decode()
    unknown = client.post(url, {"original": "NOPE"})
    assert "No crime in your partnership" in unknown.content.decode()
    client.post(url, {"original": ""})
    second.refresh_from_db()
    assert second.same_course_as is None


def test_link_to_a_case_the_user_can_see(world, client, login):
    target = entry(world)
    login(world.members[Role.INVESTIGATOR])
    url = reverse("screening:entry-link-case", args=[target.pk])
    hidden = client.post(url, {"case": world.advocacy_case.reference})
    assert "No case you can see" in hidden.content.decode()
    other = client.post(url, {"case": world.other_partnership_case.reference})
    assert "No case you can see" in other.content.decode()
    target.refresh_from_db()
    assert target.case is None
    response = client.post(url, {"case": world.own_case.reference})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.case == world.own_case
    event = _audit(target).get()
    assert event.case == world.own_case
    assert event.detail["linked_case"] == world.own_case.reference


# Supervisor figures ------------------------------------------------------------------


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_supervisor_figures_from_known_data(world, client, login):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    month_start = today.replace(day=1)
    investigator = world.members[Role.INVESTIGATOR]
    entries = [entry(world, recorded_on=month_start) for _ in range(4)]
    duplicate = entry(world, recorded_on=month_start, same_course_as=entries[0])
    assert duplicate.same_course_as_id
    for e, day, kinds in (
        (entries[0], yesterday, ["refer_to_triage", "spo_full"]),
        (entries[1], today, ["reclassification"]),
        (entries[2], today, ["reclassification"]),
        (entries[3], today, ["recorded_only"]),
    ):
        ScreeningAction.objects.bulk_create(
            ScreeningAction(
                entry=e,
                kind=k,
                acted_at=_at(day),
                actor=investigator.user,
                agency=investigator.agency,
                reclassification_outcome="pending" if k == "reclassification" else "",
            )
            for k in kinds
        )
        CrimeScreenEntry.objects.filter(pk=e.pk).update(screened_at=_at(day))
    ScreeningAction.objects.filter(entry=entries[1]).update(reclassification_outcome="accepted")
    ScreeningAction.objects.filter(entry=entries[2]).update(reclassification_outcome="refused")

    supervisor = world.members[Role.POLICE_SUPERVISOR]
    days = selectors.screened_per_day(supervisor, days=3)
    kinds = dict(
        zip(
            [
                "recorded_only",
                "reclassification",
                "refer_to_triage",
                "spo_interim",
                "spo_full",
                "advocacy_referral",
                "easi_candidate",
                "custody_hit",
                "no_further_action",
            ],
            range(9),
            strict=True,
        )
    )
    assert [d["day"] for d in days] == [today, yesterday, today - timedelta(days=2)]
    assert days[0]["screened"] == 3 and days[1]["screened"] == 1 and days[2]["screened"] == 0
    assert days[0]["kinds"][kinds["reclassification"]] == 2
    assert days[0]["kinds"][kinds["recorded_only"]] == 1
    assert days[1]["kinds"][kinds["refer_to_triage"]] == 1
    assert days[1]["kinds"][kinds["spo_full"]] == 1

    months = selectors.misclassification_by_month(supervisor, months=2)
    this_month = months[0]
    assert this_month["month"] == month_start
    assert this_month["recorded"] == 4  # the duplicate counts once, with its first report
    assert (this_month["requests"], this_month["accepted"], this_month["refused"]) == (2, 1, 1)
    assert this_month["rate"] == 50.0
    assert months[1]["recorded"] == 0 and months[1]["rate"] is None

    login(supervisor)
    page = client.get(reverse("screening:supervisor"))
    assert page.status_code == 200
    assert "50.0%" in page.content.decode()
    client.logout()
    login(investigator)
    assert client.get(reverse("screening:supervisor")).status_code == 403


def test_service_writes_refuse_non_police(world):
    from django.core.exceptions import PermissionDenied

    target = entry(world)
    clinician = world.members[Role.CLINICIAN]
    with pytest.raises(PermissionDenied):
        services.actions_record(
            actor=clinician.user, membership=clinician, entry=target, kinds=["recorded_only"]
        )
    with pytest.raises(PermissionDenied):
        services.entry_link_case(
            actor=clinician.user, membership=clinician, entry=target, case=world.health_case
        )
    investigator = world.members[Role.INVESTIGATOR]
    (request,) = record(world, target, ["reclassification"], requested_offence=offence("BSPO"))
    with pytest.raises(PermissionDenied):
        services.reclassification_decide(
            actor=investigator.user, membership=investigator, action=request, outcome="accepted"
        )


def test_the_case_link_is_shown_only_when_the_case_is_visible(world, client, login):
    case = open_case(world.members[Role.CLINIC_CHAIR], lead_agency=world.agencies["health"])
    target = entry(world, case=case)
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("screening:entry", args=[target.pk])).content.decode()
    assert "not shared with your agency" in page
