"""Issue 13: victim advocacy support episodes brought in from a spreadsheet: the victim by
their person id (a victim party of the case), the advocacy agency by name, the first contact
day stored as that day's midday, idempotency, rollback, every refusal with nothing written,
the bulk service and API, and the advocacy compartment kept as it is."""

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import AgencyKind, Role
from advocacy.models import ClosureReason, EpisodeAllocation, ReferralRoute, SupportEpisode
from advocacy.selectors.episodes import episodes_visible_to
from cases.models import CaseParty
from imports import services
from imports.models import BatchStage, ImportedRecord
from tests.factories import AgencyFactory, MembershipFactory
from tests.imports.history import SOURCE, admin, bulk, check, commit, load, rollback

pytestmark = pytest.mark.django_db

HEADER = "Episode,Case,Victim,Service,Route,Referred,First contact,Consent,Closed,Reason\n"
CSV = (
    HEADER
    + "E1,C1,P1,advocacy agency,police_screening,12/05/2016,13/05/2016,20/05/2016,"
    + "01/12/2016,Support complete\n"
    + "E2,C1,P1,advocacy agency,Self-referral,2017-03-01,,,,\n"
)
COLUMNS = {
    "external_id": "Episode",
    "case": "Case",
    "victim": "Victim",
    "advocacy_agency": "Service",
    "referral_route": "Route",
    "referred_on": "Referred",
    "first_contact_made_on": "First contact",
    "support_consent_on": "Consent",
    "closed_on": "Closed",
    "closure_reason": "Reason",
}


def _load(world, data=CSV, values=None):
    return load(world, "advocacy_episodes", data, columns=COLUMNS, values=values)


def _check(world, data=CSV, values=None):
    return check(world, "advocacy_episodes", data, columns=COLUMNS, values=values)


def _midday(day):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def test_dry_run_counts_and_writes_nothing(history):
    batch = _check(history)
    assert batch.errors == [] and batch.stage == BatchStage.CHECKED
    assert (batch.created_n, batch.updated_n, batch.unchanged_n) == (2, 0, 0)
    assert not SupportEpisode.objects.exists()


def test_episodes_load_on_the_victim_party_with_no_advocate_or_allocation(history):
    batch = _load(history)
    assert batch.created_n == 2
    first = SupportEpisode.objects.get(external_source=SOURCE, external_id="E1")
    assert first.partnership == history.partnership and first.case == history.own_case
    assert first.victim == history.victim
    assert first.advocacy_agency == history.agencies["advocacy"]
    assert first.referral_route == ReferralRoute.POLICE_SCREENING
    assert first.referred_on == date(2016, 5, 12)
    assert first.first_contact_made_at == _midday(date(2016, 5, 13))
    assert first.first_contact_due_on > first.referred_on  # set by save()
    assert (first.support_consent_on, first.closed_on) == (date(2016, 5, 20), date(2016, 12, 1))
    assert first.closure_reason == ClosureReason.SUPPORT_COMPLETE
    assert first.advocate is None and first.created_by == admin(history).user
    second = SupportEpisode.objects.get(external_id="E2")
    assert second.referral_route == ReferralRoute.SELF
    assert second.first_contact_made_at is None and second.closed_on is None
    assert not EpisodeAllocation.objects.exists()
    entry = ImportedRecord.objects.get(model="advocacy.SupportEpisode", object_id=first.pk)
    assert entry.batch == batch and entry.row == 2


def test_loading_again_leaves_them_unchanged_and_a_changed_row_updates(history):
    _load(history)
    again = _load(history)
    assert (again.created_n, again.updated_n, again.unchanged_n) == (0, 0, 2)
    changed = _load(history, CSV.replace("13/05/2016", "14/05/2016"))
    assert (changed.created_n, changed.updated_n, changed.unchanged_n) == (0, 1, 1)
    first = SupportEpisode.objects.get(external_id="E1")
    assert first.first_contact_made_at == _midday(date(2016, 5, 14))
    assert SupportEpisode.objects.count() == 2


def test_their_route_reason_and_agency_names_are_mapped_to_ours(history):
    data = HEADER + "E1,C1,P1,Northshire Advocacy,Police,2016-05-12,,,2016-06-01,Done\n"
    batch = _load(
        history,
        data,
        values={
            "advocacy_agency": {"Northshire Advocacy": "advocacy agency"},
            "referral_route": {"Police": "police_screening"},
            "closure_reason": {"Done": "Support complete"},
        },
    )
    assert batch.created_n == 1
    episode = SupportEpisode.objects.get()
    assert episode.advocacy_agency == history.agencies["advocacy"]
    assert (episode.referral_route, episode.closure_reason) == (
        ReferralRoute.POLICE_SCREENING,
        ClosureReason.SUPPORT_COMPLETE,
    )


def _row(**cells):
    values = {
        "id": "E3",
        "case": "C1",
        "victim": "P1",
        "agency": "advocacy agency",
        "route": "clinic",
        "referred": "01/06/2016",
        "contact": "",
        "consent": "",
        "closed": "02/06/2016",
        "reason": "declined",
    }
    values.update(cells)
    return ",".join(values.values())


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        (_row(case="C9"), "Case", "load the case file first"),
        (_row(victim="P9"), "Victim", "load the person file first"),
        (_row(victim="P2"), "Victim", "not a victim on the case"),
        (_row(victim="P3"), "Victim", "not a victim on the case"),
        (_row(agency="police agency"), "Service", "not one of our values"),
        (_row(agency=""), "Service", "Enter the advocacy agency"),
        (_row(route="fax"), "Route", "not one of our values"),
        (_row(route=""), "Route", "Enter the referral route"),
        (_row(referred=""), "Referred", "Enter the date referred"),
        (_row(referred="31/02/2016"), "Referred", "not a date"),
        (_row(referred="01/06/2999"), "Referred", "cannot be in the future"),
        (_row(referred="01/06/1999", closed="02/06/1999"), "Referred", "1 January 2000"),
        (_row(contact="31/05/2016"), "First contact", "before the referral (1 June 2016)"),
        (_row(consent="31/05/2016"), "Consent", "before the referral"),
        (_row(closed="31/05/2016"), "Closed", "before the referral"),
        (_row(reason=""), "Reason", "Give the reason"),
        (_row(closed=""), "Closed", "Give the date the support was closed"),
        (_row(reason="bored"), "Reason", "not one of our values"),
        (_row(id="E1"), "Episode", "also on row 2"),
        (_row(closed="", reason=""), "Victim", "open episode with this agency on row 3"),
    ],
)
def test_every_row_error_is_listed_by_row_and_column_and_nothing_is_committed(
    history, line, column, text
):
    batch = _check(history, CSV + line + "\n")
    [error] = batch.errors
    assert (error["row"], error["column"]) == (4, column)
    assert text in error["message"]
    assert batch.stage == BatchStage.UPLOADED
    with pytest.raises(ValidationError):
        commit(history, batch)
    assert not SupportEpisode.objects.exists()


def test_an_agency_of_another_partnership_is_not_a_choice(history):
    AgencyFactory(kind=AgencyKind.ADVOCACY, name="Southmoor advocacy")
    [error] = _check(history, CSV + _row(agency="Southmoor advocacy") + "\n").errors
    assert (error["row"], error["column"]) == (4, "Service")


def test_a_second_open_episode_next_to_a_stored_one_is_refused(history):
    _load(history)
    data = HEADER + "E9,C1,P1,advocacy agency,clinic,2018-01-01,,,,\n"
    [error] = _check(history, data).errors
    assert (error["row"], error["column"]) == (2, "Victim")
    assert "already has an open episode" in error["message"]
    assert SupportEpisode.objects.count() == 2


def test_a_secondary_victim_is_a_victim(history):
    CaseParty.objects.create(
        case=history.own_case, person=history.perpetrator.person, role="secondary_victim"
    )
    _load(history, HEADER + "E1,C1,P2,advocacy agency,clinic,2018-01-01,,,,\n")
    assert SupportEpisode.objects.get().victim.role == "secondary_victim"


def test_rollback_removes_what_it_created_and_restores_what_it_changed(history):
    first = _load(history)
    second = _load(
        history,
        CSV.replace("13/05/2016", "16/05/2016")
        + "E3,C1,P1,advocacy agency,clinic,2015-01-01,,,2015-02-01,moved_away\n",
    )
    rollback(history, second)
    episode = SupportEpisode.objects.get(external_id="E1")
    assert episode.first_contact_made_at == _midday(date(2016, 5, 13))
    assert not SupportEpisode.objects.filter(external_id="E3").exists()
    rollback(history, first)
    assert not SupportEpisode.objects.exists()


def test_rollback_is_refused_when_an_episode_was_changed_since(history):
    batch = _load(history)
    SupportEpisode.objects.filter(external_id="E2").update(support_consent_on=date(2017, 3, 2))
    with pytest.raises(ValidationError) as refused:
        rollback(history, batch)
    assert "Row 3" in refused.value.messages[0]
    assert SupportEpisode.objects.count() == 2


def test_bulk_service_is_idempotent_and_all_or_nothing(history):
    rows = [
        {"external_id": "E1", "case": "C1", "victim": "P1",
         "advocacy_agency": "advocacy agency", "referral_route": "marac",
         "referred_on": "2016-05-12", "first_contact_made_on": "2016-05-13"},
    ]  # fmt: skip
    _, results = bulk(history, "advocacy_episodes", rows)
    assert [r["result"] for r in results] == ["created"]
    _, again = bulk(history, "advocacy_episodes", rows)
    assert [r["result"] for r in again] == ["unchanged"]
    bad = [*rows, {**rows[0], "external_id": "E2", "victim": "P2", "closed_on": "2016-06-01",
                   "closure_reason": "declined"}]  # fmt: skip
    with pytest.raises(services.BulkRejected) as rejected:
        bulk(history, "advocacy_episodes", bad)
    assert rejected.value.rows[0]["errors"] == {
        "victim": ["The person is not a victim on the case: load the cases file first."]
    }
    assert SupportEpisode.objects.count() == 1


def test_bulk_api_loads_and_refuses_with_field_errors(history, login):
    client = APIClient()
    login(admin(history), client)
    url = reverse("api:import-bulk-list", kwargs={"kind": "advocacy_episodes"})
    row = {
        "external_id": "E1",
        "case": "C1",
        "victim": "P1",
        "advocacy_agency": "advocacy agency",
        "referral_route": "helpline",
        "referred_on": "12/05/2016",
    }
    response = client.post(url, {"source_system": SOURCE, "rows": [row]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    row["closure_reason"] = "declined"
    refused = client.post(url, {"source_system": SOURCE, "rows": [row]}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["rows"][0]["errors"]) == ["closed_on"]
    assert SupportEpisode.objects.get().closure_reason == ""


def test_an_imported_episode_is_seen_only_by_its_advocacy_agency(history):
    other = AgencyFactory(
        partnership=history.partnership, kind=AgencyKind.ADVOCACY, name="Other advocacy"
    )
    other_advocate = MembershipFactory(agency=other, role=Role.ADVOCATE)
    _load(history, CSV.replace("E2,C1,P1,advocacy agency", "E2,C1,P1,Other advocacy"))
    ours = episodes_visible_to(history.members[Role.ADVOCATE])
    assert set(ours.values_list("external_id", flat=True)) == {"E1"}
    assert set(episodes_visible_to(other_advocate).values_list("external_id", flat=True)) == {"E2"}
    for role in (Role.PARTNERSHIP_ADMIN, Role.INVESTIGATOR, Role.CLINIC_CHAIR):
        assert not episodes_visible_to(history.members[role]).exists()


def test_a_row_without_its_closure_keeps_a_closed_episode_closed(history):
    _load(history)
    # E1 (closed) loaded again without its closure, next to the open E2: not a second open one.
    data = CSV.replace("01/12/2016,Support complete", ",")
    batch = _check(history, data)
    assert batch.errors == [] and batch.unchanged_n == 2
    assert SupportEpisode.objects.get(external_id="E1").closed_on == date(2016, 12, 1)


def test_the_episode_api_shows_and_filters_by_external_id_for_the_agency_only(history, login):
    _load(history)
    url = reverse("api:advocacy-episode-list")
    advocate = login(history.members[Role.ADVOCATE], APIClient())
    listed = advocate.get(url, {"external_source": SOURCE, "external_id": "E2"}).json()
    [episode] = listed["results"]
    assert (episode["external_source"], episode["external_id"]) == (SOURCE, "E2")
    assert len(advocate.get(url).json()["results"]) == 2
    assert advocate.get(url, {"external_id": "x" * 101}).status_code == 400
    police = login(history.members[Role.INVESTIGATOR], APIClient())
    assert police.get(url, {"external_id": "E2"}).status_code == 403
