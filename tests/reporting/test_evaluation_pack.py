"""The evaluation pack (issue 14 item 3): each table's counting rule at its edges, the files
(CSV first row, XLSX cells), the HTML view, and build(run, progress) end to end."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from cases.models import CaseParty, CodeList, PartyRole
from interventions.models import (
    Attendance,
    Enrolment,
    Modality,
    Pathway,
    Programme,
    ProgrammeKind,
    Session,
    SessionStatus,
)
from reporting.models import ReportKind, ReportRun
from reporting.selectors.evaluation import TABLE_KEYS, age_band, evaluation_tables, one_dp
from reporting.selectors.scope import Scope
from reporting.services.evaluation import build
from reporting.services.reports import report_run_build
from risk.models import Assessment, AssessmentStatus
from tests.factories import PersonFactory, make_referral, open_case
from tests.factories_interventions import fact
from tests.factories_record import local_code, make_crime, make_reoffending, national
from tests.factories_risk import national_version

START, END = date(2025, 1, 1), date(2025, 3, 31)
REPORT_DATE = date(2025, 12, 31)


def member(world, role=Role.INVESTIGATOR):
    return world.members[role]


def referred_case(world, received_on=date(2025, 1, 15), *, source="police", who=None, **kwargs):
    who = who or member(world)
    case = open_case(who, **kwargs)
    make_referral(
        who,
        case,
        received_on=received_on,
        source=national(CodeList.REFERRAL_SOURCE, source),
    )
    return case


def perpetrator(case, **fields):
    person = PersonFactory(partnership=case.partnership, **fields)
    CaseParty.objects.create(case=case, person=person, role=PartyRole.PERPETRATOR)
    return person


def victim(case, **fields):
    person = PersonFactory(partnership=case.partnership, **fields)
    CaseParty.objects.create(case=case, person=person, role=PartyRole.VICTIM)
    return person


def pack(world, *, anchor="referral", report_date=REPORT_DATE, start=START, end=END, **scope):
    tables, count = evaluation_tables(
        Scope(partnership_id=world.partnership.pk, start=start, end=end, **scope),
        anchor=anchor,
        report_date=report_date,
    )
    return {table.key: table for table in tables}, count


def as_dicts(table):
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def by_first(table):
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def window(table, months):
    return next(row for row in as_dicts(table) if row["window_months"] == months)


# --- population ----------------------------------------------------------------------------


def test_pack_cases_are_the_cases_in_scope_referred_in_the_period(world):
    referred_case(world, date(2025, 3, 31))  # the period's last day
    referred_case(world, date(2025, 4, 1))  # the day after the period
    referred_case(world, date(2024, 12, 31))  # the day before
    twice = referred_case(world, date(2024, 6, 1))
    make_referral(member(world), twice, received_on=date(2025, 2, 1))
    other = world.other_partnership_case
    make_referral(world.other_partnership_member, other, received_on=date(2025, 2, 1))

    tables, count = pack(world)

    assert count == 2  # inside and the re-referred case; never another partnership's
    assert by_first(tables["referral_source"])["police"]["referrals"] == 2


def test_referral_sources_map_to_the_eight_buckets(world):
    for source in ["police", "self_via_advocacy", "marac", "unit", "other", "helpline"]:
        referred_case(world, source=source)
    local = local_code(world.partnership, CodeList.REFERRAL_SOURCE, code="gp_surgery")
    make_referral(member(world), None, received_on=date(2025, 2, 2), source=local)

    tables, _count = pack(world)

    counts = {row[0]: row[1] for row in tables["referral_source"].rows}
    assert list(counts) == [
        "police",
        "probation",
        "health",
        "advocacy",
        "MARAC",
        "helpline",
        "self",
        "other",
    ]
    assert counts == {
        "police": 1,
        "probation": 0,
        "health": 0,
        "advocacy": 0,
        "MARAC": 1,
        "helpline": 1,
        "self": 1,
        # the unit itself, other, and a local code (on a referral with no case yet)
        "other": 3,
    }


# --- re-offending windows ------------------------------------------------------------------


def test_windows_event_on_the_last_day_is_inside_the_day_after_is_not(world):
    on_edge = referred_case(world, date(2025, 1, 15))
    make_reoffending(on_edge, occurred_on=date(2025, 4, 15))  # anchor + 3 months exactly
    day_after = referred_case(world, date(2025, 1, 15))
    make_reoffending(day_after, occurred_on=date(2025, 4, 16))
    on_anchor = referred_case(world, date(2025, 1, 15))
    make_reoffending(on_anchor, occurred_on=date(2025, 1, 15))  # the anchor day: not after

    tables, _count = pack(world, report_date=date(2025, 4, 15))

    three = window(tables["reoffending_windows"], 3)
    assert (three["cases"], three["not_reached"], three["no"], three["yes"]) == (3, 0, 2, 1)
    six = window(tables["reoffending_windows"], 6)
    # 15 July is after the report date: not reached, whatever happened so far
    assert (six["not_reached"], six["no"], six["yes"]) == (3, 0, 0)


def test_window_not_reached_until_its_last_day_is_on_or_before_the_report_date(world):
    referred_case(world, date(2025, 1, 15))

    before, _ = pack(world, report_date=date(2025, 4, 14))
    on_the_day, _ = pack(world, report_date=date(2025, 4, 15))

    assert window(before["reoffending_windows"], 3)["not_reached"] == 1
    reached = window(on_the_day["reoffending_windows"], 3)
    assert (reached["not_reached"], reached["no"]) == (0, 1)


def test_window_ends_clamp_to_the_end_of_a_short_month(world):
    case = referred_case(world, date(2024, 11, 30))
    make_referral(member(world), case, received_on=date(2025, 1, 10))
    make_reoffending(case, occurred_on=date(2025, 2, 28))  # 30 Nov + 3 months = 28 Feb

    tables, _ = pack(world, report_date=date(2025, 2, 28))

    three = window(tables["reoffending_windows"], 3)
    assert (three["yes"], three["not_reached"]) == (1, 0)


def test_persistence_and_recurrence(world):
    same = referred_case(world)
    make_reoffending(same, occurred_on=date(2025, 2, 1), victim="same")
    new = referred_case(world)
    make_reoffending(new, occurred_on=date(2025, 3, 1), victim="new")
    both = referred_case(world)
    make_reoffending(both, occurred_on=date(2025, 2, 1), victim="same")
    make_reoffending(both, occurred_on=date(2025, 2, 2), victim="new")
    make_reoffending(both, occurred_on=date(2025, 2, 3), victim="new")  # counted once

    tables, _ = pack(world)

    nine = window(tables["reoffending_windows"], 9)
    assert (nine["yes"], nine["yes_persistence"], nine["yes_recurrence"]) == (3, 2, 2)
    assert window(tables["reoffending_windows"], 12)["not_reached"] == 3  # 15 Jan 2026


def test_monitoring_anchor_and_no_anchor(world):
    monitored = referred_case(world)
    monitored.closed_on = date(2025, 2, 1)
    monitored.monitoring_started_on = date(2025, 1, 20)
    monitored.save()
    closed = referred_case(world)
    closed.closed_on = date(2025, 3, 1)  # no recorded start: monitored from the closure
    closed.save()
    referred_case(world)  # still open: no anchor
    make_reoffending(monitored, occurred_on=date(2025, 4, 20))  # recorded start + 3 months
    make_reoffending(closed, occurred_on=date(2025, 6, 2))  # closure + 3 months + 1 day

    tables, _ = pack(world, anchor="monitoring_start")

    three = window(tables["reoffending_windows"], 3)
    assert (three["cases"], three["no_anchor"], three["yes"], three["no"]) == (3, 1, 1, 1)
    six = window(tables["reoffending_windows"], 6)
    assert (six["yes"], six["no"]) == (2, 0)
    completeness = {(row["agency"], row["field"]): row for row in as_dicts(tables["completeness"])}
    anchor = completeness["All agencies", "anchor_monitoring_start"]
    assert (anchor["n"], anchor["filled"], anchor["blank"]) == (3, 2, 1)


# --- interventions -------------------------------------------------------------------------


def programme(world, kind, code):
    return Programme.objects.create(
        partnership=world.partnership,
        code=code,
        name=f"Local {code}",
        recipient="victim",
        delivery="direct",
        kind=kind,
        sessions_min=1,
        sessions_max=4,
    )


def enrolment(world, case, prog, sessions, *, planned=2, attended=True):
    party = CaseParty.objects.filter(case=case).first() or CaseParty.objects.create(
        case=case, person=PersonFactory(partnership=case.partnership), role=PartyRole.PERPETRATOR
    )
    user = member(world).user
    made = Enrolment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        party=party,
        programme=prog,
        provider_agency=world.agencies["health"],
        referred_on=date(2025, 1, 16),
        consent_signed_on=date(2025, 1, 16),
        pathway=Pathway.VOLUNTARY,
        planned_sessions=planned,
        created_by=user,
    )
    for day in sessions:
        Session.objects.create(
            enrolment=made,
            scheduled_at=timezone.make_aware(datetime.combine(day, time(10))),
            modality=Modality.IN_PERSON,
            status=SessionStatus.RECORDED,
            attendance=Attendance.ATTENDED_ENGAGED if attended else Attendance.UNACCEPTABLE_ABSENCE,
            created_by=user,
        )
    return made


def test_overlapping_interventions_count_under_each_kind(world):
    hardening = programme(world, ProgrammeKind.TARGET_HARDENING, "locks")
    overlapping = referred_case(world)
    enrolment(world, overlapping, fact(), [date(2025, 2, 1)])
    enrolment(world, overlapping, hardening, [date(2025, 2, 2)])
    make_reoffending(overlapping, occurred_on=date(2025, 3, 1))
    fact_only = referred_case(world)
    enrolment(world, fact_only, fact(), [date(2025, 2, 1)])
    enrolment(world, fact_only, fact(), [date(2025, 3, 1)])  # same kind twice: no overlap
    not_started = referred_case(world)
    enrolment(world, not_started, hardening, [date(2025, 2, 1)], attended=False)

    tables, _ = pack(world)

    rows = {
        (row["intervention"], row["window_months"]): row
        for row in as_dicts(tables["interventions_by_reoffending"])
    }
    health = rows["Direct health intervention", 3]
    assert (health["cases"], health["overlapping"], health["yes"], health["no"]) == (2, 1, 1, 1)
    target = rows["Target hardening", 3]
    assert (target["cases"], target["overlapping"], target["yes"]) == (1, 1, 1)
    none = rows["no intervention", 3]
    assert (none["cases"], none["overlapping"]) == (1, 0)
    assert {months for _kind, months in rows} == {3, 6, 9, 12}
    assert len(tables["interventions_by_reoffending"].rows) == 3 * 4  # each kind once


def test_intervention_end_anchor_is_the_latest_ended_enrolment(world):
    case = referred_case(world)
    enrolment(world, case, fact(), [date(2025, 2, 1), date(2025, 2, 8)], planned=2)  # ends 8 Feb
    enrolment(world, case, fact(), [date(2025, 3, 1), date(2025, 3, 8)], planned=2)  # ends 8 Mar
    running = referred_case(world)
    enrolment(world, running, fact(), [date(2025, 2, 1)], planned=3)  # not ended: no anchor
    make_reoffending(case, occurred_on=date(2025, 3, 8))  # on the anchor: not after it
    make_reoffending(case, occurred_on=date(2025, 6, 9))  # anchor + 3 months + 1 day

    tables, _ = pack(world, anchor="intervention_end")

    three = window(tables["reoffending_windows"], 3)
    assert (three["no_anchor"], three["no"], three["yes"]) == (1, 1, 0)
    assert window(tables["reoffending_windows"], 6)["yes"] == 1


# --- disposal days -------------------------------------------------------------------------


def test_disposal_days_mean_to_one_decimal_place(world):
    case = referred_case(world)
    outside = open_case(member(world))  # not in the pack
    day = date(2025, 2, 1)
    for days in (1, 2):
        make_crime(
            case,
            recorded_on=day,
            disposal=national(CodeList.OUTCOME, "1"),
            disposal_on=date(2025, 2, 1 + days),
        )
    first = None
    for days in (1, 1, 2):
        crime = make_crime(
            case,
            recorded_on=day,
            disposal=national(CodeList.OUTCOME, "3"),
            disposal_on=date(2025, 2, 1 + days),
        )
        first = first or crime
    # a later report of the same course of conduct is not counted
    make_crime(
        case,
        recorded_on=day,
        disposal=national(CodeList.OUTCOME, "3"),
        disposal_on=date(2025, 3, 1),
        same_course_as=first,
    )
    make_crime(
        outside,
        recorded_on=day,
        disposal=national(CodeList.OUTCOME, "1"),
        disposal_on=date(2025, 6, 1),
    )
    make_crime(case, recorded_on=day)  # no outcome yet

    tables, _ = pack(world)

    rows = by_first(tables["disposal_days"])
    assert (
        rows["1"]["n"],
        rows["1"]["min_days"],
        rows["1"]["mean_days"],
        rows["1"]["max_days"],
    ) == (
        2,
        1,
        1.5,
        2,
    )
    assert (
        rows["3"]["n"],
        rows["3"]["min_days"],
        rows["3"]["mean_days"],
        rows["3"]["max_days"],
    ) == (
        3,
        1,
        1.3,
        2,
    )
    assert rows["8"]["n"] == 0 and rows["8"]["mean_days"] is None
    assert rows["1"]["outcome"] == "Charged or summonsed"


def test_one_dp_rounds_half_up():
    assert one_dp(5, 4) == 1.3  # 1.25: half up, not to even
    assert one_dp(3, 2) == 1.5
    assert one_dp(4, 3) == 1.3
    assert one_dp(1, 0) is None


def sash_rating(case, who, *, level, subject, assessed_on=None, historic=False, **kwargs):
    """A SASH row made directly: ``historic`` ones carry the level as recorded."""
    on = assessed_on or date(2025, 2, 1)
    status = kwargs.pop("status", AssessmentStatus.COMPLETE)
    return Assessment.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        instrument_version=national_version("sash"),
        subject=subject,
        assessor=who.user,
        agency=who.agency,
        assessed_on=on,
        status=status,
        level=level if status == AssessmentStatus.COMPLETE else "",
        historic=historic,
        completed_at=timezone.make_aware(datetime.combine(on, time(12))),
        **kwargs,
    )


# --- demographics ---------------------------------------------------------------------------


def test_age_bands_at_24_25_and_unknown(world):
    referral = date(2025, 2, 10)
    c24 = referred_case(world, referral)
    perpetrator(c24, date_of_birth=date(2000, 2, 11))  # 25 tomorrow: 24
    c25 = referred_case(world, referral)
    perpetrator(c25, date_of_birth=date(2000, 2, 10))  # 25 today
    c65 = referred_case(world, referral)
    perpetrator(c65, date_of_birth=date(1960, 2, 10))
    unknown = referred_case(world, referral)
    perpetrator(unknown, date_of_birth=None, date_of_birth_not_known=True)
    perpetrator(unknown, date_of_birth=None)

    tables, _ = pack(world)

    counts = {row[0]: row[1] for row in tables["age_band"].rows}
    assert counts == {
        "<25": 1,
        "25-34": 1,
        "35-44": 0,
        "45-54": 0,
        "55-64": 0,
        "65+": 1,
        "unknown": 2,
    }


def test_age_band_edges():
    on = date(2025, 2, 10)
    assert age_band(date(1990, 2, 11), on) == "25-34"  # 34
    assert age_band(date(1990, 2, 10), on) == "35-44"
    assert age_band(date(1960, 2, 11), on) == "55-64"
    assert age_band(None, on) == "unknown"
    assert age_band(date(2026, 1, 1), on) == "unknown"  # born after the referral: an error


def test_gender_not_known_and_not_recorded_are_listed_apart(world):
    case = referred_case(world)
    perpetrator(case, gender="male")
    perpetrator(case, gender="not_known")
    perpetrator(case, gender="")
    victim(case, gender="female")
    victim(case, gender="not_known")
    CaseParty.objects.create(
        case=case,
        person=PersonFactory(partnership=case.partnership, gender="male"),
        role=PartyRole.SECONDARY_VICTIM,
    )

    tables, _ = pack(world)

    perpetrators = {row[0]: row[1] for row in tables["perpetrator_gender"].rows}
    assert perpetrators == {
        "female": 0,
        "male": 1,
        "non-binary": 0,
        "other": 0,
        "not known": 1,
        "not recorded": 1,
    }
    victims = {row[0]: row[1] for row in tables["victim_gender"].rows}
    assert (victims["female"], victims["not known"], victims["male"]) == (1, 1, 0)


def test_sash_by_gender_latest_rating_moderate_high_and_not_completed(world):
    who = member(world)
    case = referred_case(world)
    rated = perpetrator(case, gender="male")
    sash_rating(case, who, level="high", subject=rated, assessed_on=date(2024, 5, 1))
    sash_rating(case, who, level="low", subject=rated, assessed_on=date(2025, 1, 20))  # the latest
    sash_rating(
        case,
        who,
        level="",
        subject=rated,
        historic=True,
        recorded_level="not_completed",
        assessed_on=date(2025, 2, 1),
    )  # rates nothing
    sash_rating(
        case,
        who,
        level="high",
        subject=rated,
        status=AssessmentStatus.DRAFT,
        assessed_on=date(2025, 3, 1),
    )  # not complete
    historic_case = referred_case(world)
    historic = perpetrator(historic_case, gender="female")
    sash_rating(
        historic_case,
        who,
        level="high",
        subject=historic,
        historic=True,
        recorded_level="moderate_high",
        assessed_on=date(2023, 1, 1),
    )
    none_case = referred_case(world)
    perpetrator(none_case, gender="female")
    tried_case = referred_case(world)
    tried = perpetrator(tried_case, gender="")
    sash_rating(
        tried_case,
        who,
        level="",
        subject=tried,
        historic=True,
        recorded_level="not_completed",
        assessed_on=date(2025, 1, 1),
    )
    general_case = referred_case(world)
    perpetrator(general_case, gender="male")
    sash_rating(general_case, who, level="medium", subject=None)

    tables, _ = pack(world)

    rows = by_first(tables["sash_by_gender"])
    assert (rows["male"]["low"], rows["male"]["moderate"], rows["male"]["high"]) == (1, 1, 0)
    assert (rows["female"]["moderate/high"], rows["female"]["not completed"]) == (1, 1)
    assert rows["not recorded"]["not completed"] == 1
    assert rows["total"]["total"] == 5
    completeness = {(row["agency"], row["field"]): row for row in as_dicts(tables["completeness"])}
    sash_row = completeness["All agencies", "perpetrator_sash"]
    assert (sash_row["filled"], sash_row["not_known"], sash_row["blank"]) == (3, 1, 1)


def test_tier_by_gender(world):
    for tier, gender in [("1", "male"), ("1", "female"), ("none", "male"), ("", "not_known")]:
        case = referred_case(world)
        case.tier = tier
        case.save()
        perpetrator(case, gender=gender)

    tables, _ = pack(world)

    rows = by_first(tables["tier_by_gender"])
    assert list(rows) == ["none", "1", "2", "3", "4", "not known", "not recorded", "total"]
    assert (rows["1"]["male"], rows["1"]["female"], rows["1"]["total"]) == (1, 1, 2)
    assert rows["none"]["male"] == 1
    assert rows["not recorded"]["not known"] == 1
    assert rows["total"]["total"] == 4


# --- completeness ----------------------------------------------------------------------------


def test_completeness_shares_per_lead_agency(world):
    police = referred_case(world)
    perpetrator(police, gender="male", date_of_birth=date(1980, 1, 1))
    perpetrator(police, gender="not_known", date_of_birth=None, date_of_birth_not_known=True)
    perpetrator(police, gender="", date_of_birth=None)
    chair = member(world, Role.CLINIC_CHAIR)
    advocacy = referred_case(world, who=chair, lead_agency=world.agencies["advocacy"])
    victim(advocacy, gender="female")

    tables, _ = pack(world)

    rows = {(row["agency"], row["field"]): row for row in as_dicts(tables["completeness"])}
    gender = rows["police agency", "perpetrator_gender"]
    assert (gender["n"], gender["filled"], gender["not_known"], gender["blank"]) == (3, 1, 1, 1)
    assert (gender["filled_pct"], gender["not_known_pct"], gender["blank_pct"]) == (
        33.3,
        33.3,
        33.3,
    )
    born = rows["police agency", "perpetrator_date_of_birth"]
    assert (born["filled"], born["not_known"], born["blank"]) == (1, 1, 1)
    recorded = rows["All agencies", "perpetrator_recorded"]
    assert (recorded["n"], recorded["filled"], recorded["filled_pct"], recorded["blank_pct"]) == (
        2,
        1,
        50.0,
        50.0,
    )
    assert rows["advocacy agency", "victim_gender"]["filled_pct"] == 100.0
    assert rows["advocacy agency", "perpetrator_gender"]["n"] == 0
    assert rows["advocacy agency", "perpetrator_gender"]["filled_pct"] is None
    assert rows["All agencies", "case_tier"]["blank"] == 2


# --- scope ------------------------------------------------------------------------------------


def test_agency_scope_keeps_the_agencys_cases(world):
    referred_case(world)
    chair = member(world, Role.CLINIC_CHAIR)
    referred_case(world, who=chair, lead_agency=world.agencies["advocacy"])

    _tables, count = pack(world, agency_id=world.agencies["advocacy"].pk)

    assert count == 1


def test_a_fixed_number_of_queries_whatever_the_number_of_cases(
    world, django_assert_max_num_queries
):
    for n in range(6):
        case = referred_case(world)
        perpetrator(case, gender="male")
        victim(case, gender="female")
        make_reoffending(case, occurred_on=date(2025, 2, 1 + n))
        enrolment(world, case, fact(), [date(2025, 2, 1)])
        make_crime(
            case,
            recorded_on=date(2025, 1, 20),
            disposal=national(CodeList.OUTCOME, "1"),
            disposal_on=date(2025, 2, 1),
        )
    # 11 reads, and the transaction: savepoint, SET LOCAL, release
    with django_assert_max_num_queries(14):
        pack(world)


# --- files and the run -----------------------------------------------------------------------


def pack_run(world, anchor="referral"):
    return ReportRun.objects.create(
        partnership=world.partnership,
        kind=ReportKind.EVALUATION_PACK,
        period_start=START,
        period_end=END,
        parameters={"anchor": anchor},
        requested_by=member(world, Role.MANAGER).user,
    )


def test_build_writes_a_csv_per_table_and_an_xlsx_with_definitions(world):
    case = referred_case(world)
    perpetrator(case, gender="male", date_of_birth=date(2001, 1, 1))
    make_reoffending(case, occurred_on=date(2025, 3, 1), victim="new")
    seen = []

    built = build(pack_run(world), seen.append, report_date=REPORT_DATE)

    assert built.row_count == 1
    assert seen and seen == sorted(seen) and max(seen) <= 99
    names = [output.name for output in built.files]
    assert names[:-1] == [f"{key}.csv" for key in TABLE_KEYS]
    assert names[-1] == "evaluation-pack-2025-01-01-to-2025-03-31.xlsx"
    files = {output.name: output.content for output in built.files}
    reader = csv.reader(io.StringIO(files["reoffending_windows.csv"].decode("utf-8-sig")))
    lines = list(reader)
    assert lines[0] == [
        "window_months",
        "cases",
        "no_anchor",
        "not_reached",
        "no",
        "yes",
        "yes_persistence",
        "yes_recurrence",
    ]
    assert lines[1] == ["3", "1", "0", "0", "0", "1", "0", "1"]
    for key in TABLE_KEYS:
        first = next(csv.reader(io.StringIO(files[f"{key}.csv"].decode("utf-8-sig"))))
        assert first == built.figures["tables"][key]["columns"]

    book = load_workbook(io.BytesIO(files[names[-1]]), read_only=True)
    assert book.sheetnames == [*TABLE_KEYS, "Definitions"]
    sheet = book["age_band"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == ["age_band", "perpetrators"]
    assert cells[1] == ["<25", 1]  # 24 on 15 January 2025
    disposal = [[c.value for c in row] for row in book["disposal_days"].iter_rows()]
    assert disposal[0] == ["outcome_code", "outcome", "n", "min_days", "mean_days", "max_days"]
    definitions = [[c.value for c in row] for row in book["Definitions"].iter_rows()]
    titles = [row[0] for row in definitions[1:]]
    assert "Perpetrators by age at referral" in titles and "Report date" in titles
    assert all(row[1] for row in definitions[1:])


def test_report_run_build_end_to_end(world):
    case = referred_case(world)
    perpetrator(case, gender="female")
    run = pack_run(world, anchor="monitoring_start")

    report_run_build(run_id=run.pk)

    run.refresh_from_db()
    assert run.progress == 100
    assert run.row_count == 1
    assert run.figures["anchor"] == "monitoring_start"
    assert list(run.figures["tables"]) and set(run.figures["tables"]) == set(TABLE_KEYS)
    windows = run.figures["tables"]["reoffending_windows"]
    assert windows["rows"][0][:3] == [3, 1, 1]  # one case, no monitoring start: no anchor
    assert run.files.count() == len(TABLE_KEYS) + 1
    stored = run.files.get(name="perpetrator_gender.csv")
    content = stored.file.read().decode("utf-8-sig").splitlines()
    assert content[0] == "gender,perpetrators"
    assert "female,1" in content


def test_html_view_shows_every_table_in_order(world):
    case = referred_case(world)
    perpetrator(case, gender="male")
    built = build(pack_run(world), lambda percent: None, report_date=REPORT_DATE)

    html = render_to_string(
        "reporting/_evaluation_tables.html", {"tables": built.figures["tables"]}
    )

    positions = [html.index(f'id="evaluation-{key}"') for key in TABLE_KEYS]
    assert positions == sorted(positions)
    assert html.count("<caption") == len(TABLE_KEYS)
    assert "Perpetrators by gender and latest SASH concern level" in html
    assert "govuk-table__cell--numeric" in html
    empty = render_to_string("reporting/_evaluation_tables.html", {"tables": {}})
    assert "appear here once it is built" in empty


@pytest.mark.parametrize("anchor", ["nonsense", None])
def test_an_unknown_anchor_is_the_referral_date(world, anchor):
    run = pack_run(world)
    run.parameters = {"anchor": anchor}
    built = build(run, lambda percent: None, report_date=REPORT_DATE)
    assert built.figures["anchor"] == "referral"
