"""The pseudonymised research extract (issue 14 item 5): what it holds and never holds, its
pseudonyms, age bands, the approval rules, the pages and the audit trail."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import AgencyKind, Role
from advocacy.models import SupportEpisode
from audit.models import AccessEvent, Action
from cases.models import (
    Case,
    CaseParty,
    Classification,
    CodeList,
    CrimeScreenEntry,
    CriminalJusticeOutcome,
    IdentifierKind,
    OffenceLevel,
    OrderBreach,
    PartyRole,
    Person,
    PersonAlias,
    PersonIdentifier,
    Priority,
    ProtectiveOrder,
    ReferenceCode,
    Referral,
    ReoffendingEvent,
    Tier,
)
from config.jobs import JobStatus
from interventions.models import Attendance, Enrolment
from reporting.models import (
    ApprovalStatus,
    LocalArea,
    Notification,
    NotificationKind,
    PseudonymKey,
    ReportKind,
    ReportRun,
)
from reporting.selectors import extracts as selectors
from reporting.selectors.scope import Scope
from reporting.services import extracts as services
from reporting.services.reports import report_run_build, report_run_start
from risk.models import Assessment
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    add_party,
    make_referral,
    open_case,
)
from tests.factories_advocacy import raw_episode
from tests.factories_interventions import enrolment_with_sessions, fact
from tests.factories_people import make_person
from tests.factories_record import (
    make_breach,
    make_crime,
    make_order,
    make_outcome,
    make_reoffending,
    national,
)
from tests.factories_risk import make_assessment, national_version

START, END = date(2025, 4, 1), date(2025, 6, 30)
REFERRED = date(2025, 6, 15)
PSEUDONYM = re.compile(r"^[PC]-[0-9a-f]{16}$")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "research-extract.md"


# --- helpers -------------------------------------------------------------------------------


def _request(member, *, start=START, end=END, purpose="UCL evaluation of the pilot, DSA 2025/7"):
    run = report_run_start(
        actor=member.user,
        membership=member,
        kind=ReportKind.RESEARCH_EXTRACT,
        period_start=start,
        period_end=end,
        purpose=purpose,
    )
    return run


def _approve(admin, run, django_capture_on_commit_callbacks, note="Within DSA 2025/7."):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_extract_decide(
            actor=admin.user, membership=admin, run=run, approve=True, note=note
        )
    run.refresh_from_db()
    return run


def _files(run):
    files = {}
    for stored in run.files.all():
        with stored.file.open("rb") as handle:
            text = handle.read().decode("utf-8-sig")
        files[stored.name] = list(csv.reader(io.StringIO(text)))
    return files


def _extract(run):
    files = _files(run)
    rows = files[services.extract_file_name(run)]
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _built(world, django_capture_on_commit_callbacks, requester=None):
    requester = requester or world.members[Role.MANAGER]
    run = _request(requester)
    return _approve(world.members[Role.PARTNERSHIP_ADMIN], run, django_capture_on_commit_callbacks)


def _second_admin(world):
    return MembershipFactory(
        agency=world.agencies["health"], role=Role.PARTNERSHIP_ADMIN, user__email="a2@example.org"
    )


def _referred_case(member, on=REFERRED, **case_fields):
    case = open_case(member, opened_on=on)
    if case_fields:
        Case.objects.filter(pk=case.pk).update(**case_fields)
    make_referral(member, case=case, received_on=on)
    return case


# --- the dataset with a distinctive value in every personal field ----------------------------


@pytest.fixture
def rich(world):
    """world.health_case (police lead, shared with health) referred in the period, with a
    distinctive value in every field that must never reach the extract."""
    investigator = world.members[Role.INVESTIGATOR]
    clinician = world.members[Role.CLINICIAN]
    case = world.health_case
    partnership = world.partnership
    perpetrator = make_person(
        partnership,
        given_names="Zebediah",
        family_name="Quillfeather",
        date_of_birth=date(1961, 2, 3),
        gender="male",
        address="77 Hollowmere Lane, Grimsby",
        postcode="GX9 8QZ",
        phone="07700 911222",
        email="zeb.quill@example.net",
        workplace="Marlowe Cartography Ltd",
        external_source="Old SPS",
        external_id="SPS-PERP-55501",
        aliases=["Zeb Quillby"],
        identifiers={
            IdentifierKind.PNC: "1961/0012345X",
            IdentifierKind.NHS: "943 476 5919",
            IdentifierKind.FORCE_NOMINAL: "NOM-880221",
        },
    )
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    victim = make_person(
        partnership,
        given_names="Philippa",
        family_name="Wintersgill",
        date_of_birth=date(1979, 11, 12),
        gender="female",
        address="3 Larkspur Mews, Cleethorpes",
        postcode="DN35 7YY",
        phone="07700 933444",
        email="p.wintersgill@example.com",
        workplace="Humber Ferry Office",
        identifiers={IdentifierKind.NHS: "401 023 2137"},
    )
    victim_party = CaseParty.objects.create(case=case, person=victim, role=PartyRole.VICTIM)
    second_victim = make_person(partnership, given_names="Ottoline", family_name="Brackenbury")
    CaseParty.objects.create(case=case, person=second_victim, role=PartyRole.SECONDARY_VICTIM)
    Case.objects.filter(pk=case.pk).update(
        opened_on=date(2025, 6, 1),
        classification=Classification.STALKING,
        classification_reason="Fixated on the victim after Tuesday choir practice",
        tier="3",
        priority=Priority.HIGH,
        offence_level=OffenceLevel.S4A,
        relationship=ReferenceCode.objects.filter(code_list=CodeList.RELATIONSHIP).first(),
        closed_on=date(2025, 9, 1),
        closure_reason=ReferenceCode.objects.filter(code_list=CodeList.CLOSURE_REASON).first(),
        closure_note="Closed after the Marlowe hearing concluded",
        external_source="Old SPS",
        external_id="SPS-CASE-44410",
    )
    typologies = list(ReferenceCode.objects.filter(code_list=CodeList.TYPOLOGY)[:2])
    case.typologies.set(typologies)
    entry = make_crime(
        case,
        crime_reference="NX/77123/25",
        suspect_name="Zebediah Quillfeather",
        victim_name="Philippa Wintersgill",
        summary="Left dead flowers at the Larkspur address",
        offence_description="Stalking involving fear of violence",
        officer_in_charge="DC Tamsin Ollerenshaw",
        recorded_on=date(2025, 6, 10),
    )
    make_referral(
        investigator,
        case=case,
        received_on=REFERRED,
        reason="Victim reports the suspect waits outside Humber Ferry Office",
        perpetrator=perpetrator,
        victim=victim,
        crime_screen_entry=entry,
        external_source="Old SPS",
        external_id="SPS-REF-33301",
    )
    # A second referral in the period and one before it.
    make_referral(investigator, case=case, received_on=date(2025, 6, 20))
    make_referral(investigator, case=case, received_on=date(2025, 1, 5))
    dash = make_assessment(case, investigator, level="high", assessed_on=date(2025, 6, 2))
    Assessment.objects.filter(pk=dash.pk).update(note="Threatened to burn the Larkspur car")
    make_assessment(case, investigator, level="low", assessed_on=date(2025, 6, 12))
    sash = national_version("sash")
    if sash is not None:
        make_assessment(
            case, investigator, version=sash, level="medium", assessed_on=date(2025, 5, 1)
        )
    order = make_order(
        case,
        subject=perpetrator,
        applied_on=date(2025, 6, 16),
        decided_on=date(2025, 6, 23),
        conditions="Not to enter Larkspur Mews",
        positive_requirements="Attend the Marlowe programme",
    )
    make_breach(order, crime_reference="NX/88001/25", note="Seen on Larkspur Mews at dawn")
    make_outcome(
        case,
        person=perpetrator,
        crime_reference="NX/99002/25",
        charge="Stalking with fear of violence s4A",
        sentence="Suspended, Quillfeather to attend",
    )
    make_reoffending(
        case,
        perpetrator=perpetrator,
        occurred_on=date(2025, 8, 1),
        victim="same",
        crime_reference="NX/55003/25",
        note="Messaged Philippa from a new number",
    )
    make_reoffending(case, perpetrator=perpetrator, occurred_on=date(2025, 7, 20), victim="new")
    perpetrator_party = CaseParty.objects.get(case=case, person=perpetrator)
    enrolment = enrolment_with_sessions(
        clinician,
        case,
        [Attendance.ATTENDED_ENGAGED] * 2,
        start=date(2025, 6, 16),
        party=perpetrator_party,
    )
    episode = raw_episode(
        case, world.agencies["advocacy"], created_by=investigator.user, victim=victim_party
    )
    SupportEpisode.objects.filter(pk=episode.pk).update(
        referred_on=date(2025, 6, 16),
        first_contact_made_at=timezone.make_aware(datetime(2025, 6, 17, 23, 30)),
        share_consent_with="Cleethorpes housing officer Ms Abernathy",
        share_consent_purpose="Rehousing away from Larkspur Mews",
        closed_on=date(2025, 8, 30),
        closure_reason="support_complete",
    )
    return {
        "case": case,
        "perpetrator": perpetrator,
        "victim": victim,
        "enrolment": Enrolment.objects.get(pk=enrolment.pk),
        "typologies": sorted(t.code for t in typologies),
    }


def _forbidden(partnership):
    """Every personal value the records hold: names, dates of birth, contact details,
    identifiers, references and free text (5 characters or more)."""
    values = set()

    def add(*items):
        for item in items:
            if isinstance(item, date):
                values.update({item.isoformat(), f"{item:%d/%m/%Y}", f"{item:%-d/%-m/%Y}"})
            elif item and len(str(item).strip()) >= 5:
                values.add(str(item).strip())

    for p in Person.objects.filter(partnership=partnership):
        add(p.given_names, p.family_name, p.full_name, p.address, p.postcode, p.phone)
        add(p.email, p.workplace, p.external_id, p.date_of_birth)
    add(*PersonAlias.objects.filter(person__partnership=partnership).values_list("name", flat=True))
    add(*PersonIdentifier.objects.filter(partnership=partnership).values_list("value", flat=True))
    for c in Case.objects.filter(partnership=partnership):
        add(c.reference, c.summary, c.classification_reason, c.closure_note, c.external_id)
    for r in Referral.objects.filter(partnership=partnership):
        add(r.reason, r.screening_note, r.decision_reason, r.external_id)
    for e in CrimeScreenEntry.objects.filter(partnership=partnership):
        add(e.crime_reference, e.summary, e.suspect_name, e.victim_name)
        add(e.offence_description, e.officer_in_charge, e.external_id)
    for o in ProtectiveOrder.objects.filter(case__partnership=partnership):
        add(o.conditions, o.positive_requirements)
    for b in OrderBreach.objects.filter(order__case__partnership=partnership):
        add(b.crime_reference, b.note)
    for o in CriminalJusticeOutcome.objects.filter(partnership=partnership):
        add(o.crime_reference, o.charge, o.sentence)
    for e in ReoffendingEvent.objects.filter(partnership=partnership):
        add(e.crime_reference, e.note)
    for a in Assessment.objects.filter(partnership=partnership):
        add(a.note, a.override_reason)
    for s in SupportEpisode.objects.filter(partnership=partnership):
        add(s.share_consent_with, s.share_consent_purpose)
    for u in User.objects.filter(memberships__agency__partnership=partnership):
        add(u.full_name, u.email)
    return values


# --- what the extract holds ----------------------------------------------------------------


def test_no_personal_value_in_any_cell(world, rich, django_capture_on_commit_callbacks):
    run = _built(world, django_capture_on_commit_callbacks)
    header, rows = _extract(run)
    forbidden = _forbidden(world.partnership)
    # The scan is only worth something if it holds the distinctive values.
    for value in (
        "Zebediah", "Quillfeather", "1961-02-03", "77 Hollowmere Lane, Grimsby", "GX9 8QZ",
        "07700 911222", "zeb.quill@example.net", "1961/0012345X", "943 476 5919",
        "NX/77123/25", "SPS-CASE-44410", rich["case"].reference, "Zeb Quillby",
        "Left dead flowers at the Larkspur address", "Messaged Philippa from a new number",
    ):  # fmt: skip
        assert value in forbidden
    assert rows, "the extract is empty"
    leaks = []
    for row in rows:
        for column, cell in row.items():
            if column.endswith("_pseudonym"):
                assert cell == "" or PSEUDONYM.match(cell), (column, cell)
                continue
            for value in forbidden:
                if value.lower() in cell.lower():
                    leaks.append((column, cell, value))
    assert leaks == []


def test_the_case_row(world, rich, django_capture_on_commit_callbacks):
    run = _built(world, django_capture_on_commit_callbacks)
    header, rows = _extract(run)
    assert header == selectors.COLUMN_NAMES
    secret = PseudonymKey.objects.get(partnership=world.partnership).secret
    case = rich["case"]
    row = next(
        r for r in rows if r["case_pseudonym"] == selectors.pseudonym(secret, "case", case.pk)
    )
    case.refresh_from_db()
    assert row["perpetrator_pseudonym"] == selectors.pseudonym(
        secret, "person", rich["perpetrator"].pk
    )
    assert row["victim_pseudonym"] == selectors.pseudonym(secret, "person", rich["victim"].pk)
    assert row["perpetrators_n"] == "1"
    assert row["victims_n"] == "2"  # the victim and the secondary victim
    assert row["referral_received_on"] == "2025-06-15"
    assert row["referral_source"] == "police"
    assert row["referrals_in_period_n"] == "2"  # the January referral is outside the period
    assert row["case_opened_on"] == "2025-06-01"
    assert (row["classification"], row["tier"], row["priority"], row["offence_level"]) == (
        "stalking", "3", "high", "s4a",
    )  # fmt: skip
    assert row["perpetrator_gender"] == "male"
    assert row["perpetrator_age_band"] == "55-64"  # 64 on 15 June 2025
    assert row["victim_gender"] == "female"
    assert row["relationship"] == case.relationship.code
    assert row["typologies"] == ";".join(rich["typologies"])
    assert "dash=low" in row["risk_latest"].split(";")  # the later of the two DASH
    assert row["spo_applied_on"] == "2025-06-16"
    assert row["spo_granted"] == "yes"
    enrolment = rich["enrolment"]
    assert row["interventions"] == enrolment.programme.kind
    assert row["intervention_statuses"] == enrolment.status
    assert row["intervention_started_on"] == "2025-06-23"  # the first session attended
    assert row["intervention_withdrawn_on"] == ""
    assert row["advocacy_episodes_n"] == "1"
    assert row["advocacy_first_contact_on"] == "2025-06-17"  # 23:30 London
    assert row["advocacy_closure_reasons"] == "support_complete"
    assert (row["reoffending_n"], row["reoffending_same_victim_n"]) == ("2", "1")
    assert row["reoffending_new_victim_n"] == "1"
    assert row["reoffending_first_on"] == "2025-07-20"
    assert row["closed_on"] == "2025-09-01"
    assert row["closure_reason"] == case.closure_reason.code


def test_only_cases_referred_in_the_period_and_the_area(world, django_capture_on_commit_callbacks):
    investigator = world.members[Role.INVESTIGATOR]
    inside = _referred_case(investigator)
    before = _referred_case(investigator, on=date(2025, 3, 31))
    after = open_case(investigator)
    make_referral(investigator, case=after, received_on=date(2025, 7, 1))
    make_referral(investigator, received_on=REFERRED)  # no case: not a row
    other = world.other_partnership_member
    theirs = open_case(other)
    make_referral(other, case=theirs, received_on=REFERRED)
    secret = selectors.pseudonym_key(world.partnership)
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    assert selectors.extract_case_ids(scope) == [inside.pk]
    assert before.pk not in selectors.extract_case_ids(scope)
    # A local area: only the cases led by its agencies.
    area = LocalArea.objects.create(partnership=world.partnership, name="North")
    area.agencies.set([world.agencies["advocacy"]])
    led_there = _referred_case(
        world.members[Role.CLINIC_CHAIR], lead_agency=world.agencies["advocacy"]
    )
    area_scope = Scope(partnership_id=world.partnership.pk, start=START, end=END, local_area=area)
    assert selectors.extract_case_ids(area_scope) == [led_there.pk]
    rows = list(selectors.extract_rows(area_scope, secret))
    assert [r[0] for r in rows] == [selectors.pseudonym(secret, "case", led_there.pk)]


def test_every_row_has_every_column(world, rich):
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    _referred_case(world.members[Role.INVESTIGATOR])  # a case with nothing else recorded
    rows = list(selectors.extract_rows(scope, "k"))
    assert len(rows) == 2
    assert all(len(row) == len(selectors.COLUMNS) for row in rows)


def test_a_fixed_number_of_queries_per_chunk(world, monkeypatch):
    investigator = world.members[Role.INVESTIGATOR]
    cases = [_referred_case(investigator) for _ in range(5)]
    for case in cases:
        add_party(case, role=PartyRole.PERPETRATOR, date_of_birth=date(1990, 1, 1))
        add_party(case)
        make_reoffending(case)
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    ids = selectors.extract_case_ids(scope)
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 2)
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.extract_rows(scope, "k", case_ids=ids))
    assert len(rows) == 5
    assert len(queries) == 3 * selectors.CHUNK_QUERIES  # 3 chunks of at most 2 cases


# --- pseudonyms ----------------------------------------------------------------------------


def test_pseudonyms_are_stable_across_extracts_and_differ_between_partnerships(
    world, rich, django_capture_on_commit_callbacks
):
    first = _built(world, django_capture_on_commit_callbacks)
    second = _built(world, django_capture_on_commit_callbacks)
    _header, rows_1 = _extract(first)
    _header, rows_2 = _extract(second)
    assert rows_1 and rows_1 == rows_2
    assert PseudonymKey.objects.filter(partnership=world.partnership).count() == 1

    # Another partnership's key gives the same record ids other pseudonyms.
    other = world.other_partnership_member.agency.partnership
    ours = selectors.pseudonym_key(world.partnership)
    theirs = selectors.pseudonym_key(other)
    assert ours != theirs
    person = rich["perpetrator"].pk
    assert selectors.pseudonym(ours, "person", person) != selectors.pseudonym(
        theirs, "person", person
    )
    assert selectors.pseudonym(ours, "person", person) != selectors.pseudonym(ours, "case", person)
    assert PSEUDONYM.match(selectors.pseudonym(ours, "person", person))


def test_the_same_person_has_one_pseudonym_in_every_case(world):
    investigator = world.members[Role.INVESTIGATOR]
    person = make_person(world.partnership, given_names="Same", family_name="Person")
    first, second = _referred_case(investigator), _referred_case(investigator)
    for case in (first, second):
        CaseParty.objects.create(case=case, person=person, role=PartyRole.PERPETRATOR)
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    rows = list(selectors.extract_rows(scope, "key"))
    assert rows[0][1] == rows[1][1] == selectors.pseudonym("key", "person", person.pk)
    assert rows[0][0] != rows[1][0]


# --- age bands -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2000, 6, 16), "<25"),  # 24 on the referral day: 25 the day after
        (date(2000, 6, 15), "25-34"),  # 25 on the referral day
        (date(1990, 6, 16), "25-34"),
        (date(1990, 6, 15), "35-44"),
        (date(1960, 6, 15), "65+"),
        (date(1960, 6, 16), "55-64"),
        (None, "unknown"),
    ],
)
def test_age_band_at_referral(born, band):
    assert selectors.age_band(born, REFERRED) == band


def test_age_band_in_the_extract(world):
    investigator = world.members[Role.INVESTIGATOR]
    for born in (date(2000, 6, 16), date(2000, 6, 15), None):
        case = _referred_case(investigator)
        add_party(case, role=PartyRole.PERPETRATOR, date_of_birth=born)
    no_perpetrator = _referred_case(investigator)
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    index = selectors.COLUMN_NAMES.index("perpetrator_age_band")
    bands = {row[0]: row[index] for row in selectors.extract_rows(scope, "k")}
    assert sorted(bands.values()) == ["25-34", "<25", "unknown", "unknown"]
    assert bands[selectors.pseudonym("k", "case", no_perpetrator.pk)] == "unknown"


# --- the data dictionary -------------------------------------------------------------------


def test_the_dictionary_names_every_column_in_order(
    world, rich, django_capture_on_commit_callbacks
):
    run = _built(world, django_capture_on_commit_callbacks)
    files = _files(run)
    dictionary = files[services.DICTIONARY_NAME]
    assert dictionary[0] == ["column", "meaning", "values"]
    assert [row[0] for row in dictionary[1:]] == files[services.extract_file_name(run)][0]
    assert all(row[1] and row[2] for row in dictionary[1:])
    values = {row[0]: row[2] for row in dictionary[1:]}
    assert "police" in values["referral_source"]  # the partnership's code list
    assert set(files) == {"research-extract-2025-04-01-to-2025-06-30.csv", "data-dictionary.csv"}


def test_the_documentation_describes_every_column():
    text = DOCS.read_text()
    missing = [name for name in selectors.COLUMN_NAMES if f"`{name}`" not in text]
    assert missing == []


# --- request, approval, build, audit -------------------------------------------------------


def test_request_waits_for_approval_and_tells_the_admins(world):
    manager = world.members[Role.MANAGER]
    second = _second_admin(world)
    run = _request(manager)
    assert run.approval == ApprovalStatus.REQUESTED
    assert run.queued_at is None and run.status == JobStatus.PENDING
    notified = Notification.objects.filter(kind=NotificationKind.EXTRACT_APPROVAL)
    assert set(notified.values_list("recipient_id", flat=True)) == {
        world.members[Role.PARTNERSHIP_ADMIN].user_id,
        second.user_id,
    }
    note = notified.first()
    assert note.link == reverse("reporting:extract-decide", args=[run.pk])
    assert "UCL" not in note.title and note.body == ""
    event = AccessEvent.objects.get(
        action=Action.CREATE, object_id=str(run.pk), object_type="reporting.ReportRun"
    )
    assert event.reason == run.purpose
    assert event.actor == manager.user


def test_an_admins_own_request_is_not_sent_to_them(world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    second = _second_admin(world)
    _request(admin)
    recipients = Notification.objects.filter(kind=NotificationKind.EXTRACT_APPROVAL)
    assert list(recipients.values_list("recipient_id", flat=True)) == [second.user_id]


def test_purpose_and_period_are_checked(world):
    manager = world.members[Role.MANAGER]
    with pytest.raises(ValidationError) as error:
        _request(manager, purpose="too short")
    assert "purpose" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _request(manager, start=END, end=START)
    assert "period_end" in error.value.message_dict
    assert not ReportRun.objects.exists()


def test_approval_builds_and_audits_the_export(world, rich, django_capture_on_commit_callbacks):
    manager = world.members[Role.MANAGER]
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    run = _request(manager)
    run = _approve(admin, run, django_capture_on_commit_callbacks, note="Within DSA 2025/7.")
    assert run.approval == ApprovalStatus.APPROVED
    assert (run.decided_by, run.decision_note) == (admin.user, "Within DSA 2025/7.")
    assert run.decided_at is not None
    assert run.status == JobStatus.SUCCEEDED
    assert run.row_count == 1
    decision = AccessEvent.objects.get(
        action=Action.UPDATE, object_id=str(run.pk), object_type="reporting.ReportRun"
    )
    assert decision.reason == "Within DSA 2025/7."
    assert decision.actor == admin.user
    assert decision.detail == {"approval": "approved"}
    export = AccessEvent.objects.get(
        action=Action.EXPORT, object_id=str(run.pk), object_type="reporting.ReportRun"
    )
    assert export.detail["rows"] == 1 and export.detail["run"] == run.pk
    assert export.actor == manager.user
    assert export.partnership_id == world.partnership.pk
    _header, rows = _extract(run)
    assert len(rows) == run.row_count
    # The requester is told it is ready (the report job's notification).
    assert Notification.objects.filter(
        recipient=manager.user, kind=NotificationKind.REPORT_READY
    ).exists()


def test_requester_cannot_approve_their_own_request(world, django_capture_on_commit_callbacks):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    run = _request(admin)
    with pytest.raises(ValidationError) as error:
        services.report_extract_decide(
            actor=admin.user, membership=admin, run=run, approve=True, note="Fine by me."
        )
    assert "another partnership admin" in str(error.value.message_dict["decision"])
    run.refresh_from_db()
    assert run.approval == ApprovalStatus.REQUESTED
    # A second admin can.
    second = _second_admin(world)
    run = _approve(second, run, django_capture_on_commit_callbacks)
    assert run.approval == ApprovalStatus.APPROVED and run.decided_by == second.user


def test_only_an_admin_of_the_partnership_decides(world):
    run = _request(world.members[Role.MANAGER])
    for member in (world.members[Role.MANAGER], world.members[Role.POLICE_SUPERVISOR]):
        with pytest.raises(PermissionDenied):
            services.report_extract_decide(
                actor=member.user, membership=member, run=run, approve=True, note="Yes."
            )
    elsewhere = MembershipFactory(
        agency=world.other_partnership_member.agency, role=Role.PARTNERSHIP_ADMIN
    )
    with pytest.raises(PermissionDenied):
        services.report_extract_decide(
            actor=elsewhere.user, membership=elsewhere, run=run, approve=True, note="Yes."
        )


def test_a_note_is_required_and_a_decision_is_final(world, django_capture_on_commit_callbacks):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    run = _request(world.members[Role.MANAGER])
    with pytest.raises(ValidationError) as error:
        services.report_extract_decide(
            actor=admin.user, membership=admin, run=run, approve=False, note="  "
        )
    assert "note" in error.value.message_dict
    run = _approve(admin, run, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        services.report_extract_decide(
            actor=admin.user, membership=admin, run=run, approve=False, note="Changed my mind"
        )
    assert "already been decided" in str(error.value.message_dict["decision"])


def test_a_refused_run_is_never_built(world, rich, django_capture_on_commit_callbacks):
    manager = world.members[Role.MANAGER]
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    run = _request(manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.report_extract_decide(
            actor=admin.user, membership=admin, run=run, approve=False, note="No DSA covers it."
        )
    run.refresh_from_db()
    assert run.approval == ApprovalStatus.REFUSED
    assert run.status == JobStatus.FAILED and not run.retryable
    assert run.queued_at is None
    assert not any("build_report_run" in repr(c) for c in callbacks)
    # The job, if it ever ran, builds nothing; the builder itself refuses.
    report_run_build(run_id=run.pk)
    assert not run.files.exists() and run.row_count == 0
    with pytest.raises(PermissionDenied):
        services.build(run, lambda percent: None)
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()
    refusal = AccessEvent.objects.get(
        action=Action.UPDATE, object_id=str(run.pk), object_type="reporting.ReportRun"
    )
    assert refusal.reason == "No DSA covers it."
    told = Notification.objects.get(recipient=manager.user, kind=NotificationKind.EXTRACT_APPROVAL)
    assert "refused" in told.title and told.link == reverse("reporting:extract-list")


def test_a_waiting_run_is_never_built(world):
    run = _request(world.members[Role.MANAGER])
    report_run_build(run_id=run.pk)
    assert not run.files.exists()
    with pytest.raises(PermissionDenied):
        services.build(run, lambda percent: None)


# --- pages ---------------------------------------------------------------------------------


def test_request_page(world, login):
    manager = world.members[Role.MANAGER]
    client = login(manager)
    url = reverse("reporting:extract-new")
    assert client.get(url).status_code == 200
    response = client.post(url, {"start": "1/4/2025", "end": "30/6/2025", "purpose": "short"})
    assert response.status_code == 400
    assert "20 characters or more" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(url, {"start": "30/6/2025", "end": "1/4/2025", "purpose": "x" * 30})
    assert response.status_code == 400
    assert response.context["form"].errors["end"] == [
        "The last day must be on or after the first day."
    ]
    assert not ReportRun.objects.exists()
    response = client.post(
        url,
        {"start": "1/4/2025", "end": "30/6/2025", "purpose": "UCL evaluation, DSA 2025/7 signed"},
    )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.kind, run.approval, run.requested_by) == (
        ReportKind.RESEARCH_EXTRACT, ApprovalStatus.REQUESTED, manager.user,
    )  # fmt: skip
    assert Notification.objects.filter(
        recipient=world.members[Role.PARTNERSHIP_ADMIN].user,
        kind=NotificationKind.EXTRACT_APPROVAL,
    ).exists()


def test_request_page_refuses_another_partnerships_area(world, login):
    client = login(world.members[Role.MANAGER])
    theirs = LocalArea.objects.create(
        partnership=world.other_partnership_member.agency.partnership, name="South"
    )
    LocalArea.objects.create(partnership=world.partnership, name="North")
    response = client.post(
        reverse("reporting:extract-new"),
        {"start": "1/4/2025", "end": "30/6/2025", "purpose": "x" * 30, "local_area": theirs.pk},
    )
    assert response.status_code == 400
    assert not ReportRun.objects.exists()


def test_list_shows_the_requesters_own_and_the_admin_everything(
    world, login, django_assert_max_num_queries
):
    manager = world.members[Role.MANAGER]
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    mine = [_request(manager) for _ in range(3)]
    theirs = _request(supervisor)
    client = login(manager)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("reporting:extract-list")).content.decode()
    assert all(f'id="extract-{run.pk}"' in page for run in mine)
    assert f'id="extract-{theirs.pk}"' not in page
    client.logout()
    client = login(world.members[Role.PARTNERSHIP_ADMIN])
    for _ in range(5):
        _request(supervisor)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("reporting:extract-list")).content.decode()
    assert f'id="extract-{theirs.pk}"' in page
    assert reverse("reporting:extract-decide", args=[theirs.pk]) in page
    assert AccessEvent.objects.filter(action=Action.LIST).count() == 2


def test_the_only_admin_is_told_their_request_needs_a_second_admin(world, login):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    run = _request(admin)
    page = login(admin).get(reverse("reporting:extract-list")).content.decode()
    assert "only admin" in page
    assert reverse("reporting:extract-decide", args=[run.pk]) not in page


def test_decide_page(world, login, django_capture_on_commit_callbacks):
    run = _request(world.members[Role.MANAGER])
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    client = login(admin)
    url = reverse("reporting:extract-decide", args=[run.pk])
    page = client.get(url)
    assert page.status_code == 200 and run.purpose in page.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.VIEW, object_id=str(run.pk), object_type="reporting.ReportRun"
    ).exists()
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 400
    assert "Enter a note" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "note": "DSA 2025/7 covers it."})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.approval == ApprovalStatus.APPROVED and run.status == JobStatus.SUCCEEDED
    # Decided: shown, no form, a second decision refused.
    page = client.get(url).content.decode()
    assert "already been decided" in page and 'name="decision"' not in page
    assert client.post(url, {"decision": "refuse", "note": "No."}).status_code == 400


def test_decide_page_refuses_the_requester_and_other_roles(world, login):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    own = _request(admin)
    client = login(admin)
    url = reverse("reporting:extract-decide", args=[own.pk])
    page = client.get(url).content.decode()
    assert "another partnership admin must decide" in page and 'name="decision"' not in page
    response = client.post(url, {"decision": "approve", "note": "Approving my own."})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.approval == ApprovalStatus.REQUESTED
    client.logout()
    run = _request(world.members[Role.MANAGER])
    url = reverse("reporting:extract-decide", args=[run.pk])
    assert login(world.members[Role.MANAGER]).get(url).status_code == 403
    client.logout()
    police = AgencyFactory(
        partnership=world.other_partnership_member.agency.partnership, kind=AgencyKind.POLICE
    )
    elsewhere = MembershipFactory(agency=police, role=Role.PARTNERSHIP_ADMIN)
    assert login(elsewhere).get(url).status_code == 404
    assert login(elsewhere).post(url, {"decision": "approve", "note": "x"}).status_code == 404
    run.refresh_from_db()
    assert run.approval == ApprovalStatus.REQUESTED


def test_the_build_reports_progress(world, monkeypatch):
    investigator = world.members[Role.INVESTIGATOR]
    for _ in range(3):
        _referred_case(investigator)
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 1)
    run = _request(world.members[Role.MANAGER])
    run.approval = ApprovalStatus.APPROVED  # as the decision leaves it
    ticks = []
    built = services.build(run, ticks.append)
    assert built.row_count == 3
    assert [round(t) for t in ticks] == [33, 67, 100]


def test_rows_survive_an_intervention_with_no_sessions(world):
    investigator = world.members[Role.INVESTIGATOR]
    case = _referred_case(investigator)
    party = add_party(case, role=PartyRole.PERPETRATOR)
    health = world.agencies["health"]
    Enrolment.objects.create(
        partnership=world.partnership,
        case=case,
        party=party,
        programme=fact(),
        provider_agency=health,
        referred_on=REFERRED,
        planned_sessions=4,
        withdrawn_on=REFERRED + timedelta(days=3),
        withdrawal_reason="declined",
        created_by=investigator.user,
    )
    scope = Scope(partnership_id=world.partnership.pk, start=START, end=END)
    row = dict(zip(selectors.COLUMN_NAMES, next(selectors.extract_rows(scope, "k")), strict=True))
    assert row["intervention_statuses"] == "dropped_out"
    assert row["intervention_started_on"] == ""
    assert row["intervention_withdrawn_on"] == "2025-06-18"
    assert row["spo_granted"] == ""
    assert row["reoffending_n"] == 0


def test_extract_columns_carry_no_forbidden_field_names():
    """A guard on the definition list itself: no column is named after a personal field."""
    banned = ("name", "birth", "dob", "address", "postcode", "phone", "email", "reference",
              "nhs", "pnc", "external", "note", "summary", "reason_text")  # fmt: skip
    assert [c for c in selectors.COLUMN_NAMES if any(b in c for b in banned)] == []


def test_national_instrument_codes_exist():
    # The rich dataset relies on DASH being loaded by migration.
    assert national_version("dash") is not None


@pytest.fixture(autouse=True)
def _data(db):
    """Reference data the tests read (typologies, relationships, closure reasons) is loaded
    by migration; fail loudly if it is not, rather than pass on an empty dataset."""
    assert ReferenceCode.objects.filter(code_list=CodeList.TYPOLOGY).exists()
    assert ReferenceCode.objects.filter(code_list=CodeList.CLOSURE_REASON).exists()
    assert ReferenceCode.objects.filter(code_list=CodeList.RELATIONSHIP).exists()
    assert national(CodeList.REFERRAL_SOURCE, "police")
    assert Tier.TIER_3 == "3"
