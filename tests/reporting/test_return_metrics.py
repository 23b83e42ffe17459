"""The Home Office quarterly return's metrics (reporting.selectors.returns): each counting
rule at its edges, on rows made with the factories, with exact figures; and for every
metric, the figure equals the records it is made of."""

from datetime import date

import pytest

from accounts.roles import Role
from cases.models import CodeList, OrderDecision, OrderKind, PartyRole, ReferralStatus
from interventions.models import (
    Attendance,
    Delivery,
    Programme,
    ProgrammeKind,
    Recipient,
    WithdrawalReason,
)
from reporting.models import TrainingAudience
from reporting.periods import Quarter
from reporting.selectors.returns import (
    METRICS,
    METRICS_BY_KEY,
    RETURN_TABLES,
    definitions,
    figure_value,
    group_labels,
    metric_units,
)
from reporting.services.returns import compute, return_tables
from risk.models import AssessmentStatus, HistoricLevel, Instrument, InstrumentPurpose
from tests.factories import add_party, make_referral, open_case
from tests.factories_advocacy import second_advocacy_agency
from tests.factories_interventions import fact
from tests.factories_record import local_code, make_crime, make_order, national
from tests.factories_risk import make_assessment, national_version
from triage.models import Decision, MeetingKind

from .return_data import (
    cancelled,
    contact,
    discussed,
    enrolment,
    local_area,
    london,
    referral,
    rescheduled,
    scope_of,
    session,
    supported,
    training,
    triage_meeting,
    utc,
)

Q4_2024 = Quarter(2024, 4)  # January to March 2025
Q1 = Quarter(2025, 1)  # April to June 2025
Q2 = Quarter(2025, 2)  # July to September 2025


def figures(key, scope):
    """{group: figure} of one metric, "" for the total, zero groups included."""
    units = metric_units(METRICS_BY_KEY[key], scope)
    return {group: figure_value(rows) for group, rows in units.items()}


def counted(key, scope):
    """{group: figure} of one metric, only the groups that are not zero."""
    return {group: value for group, value in figures(key, scope).items() if value}


def records(key, scope, group=""):
    return sorted(units[0] for units in metric_units(METRICS_BY_KEY[key], scope)[group])


def close(case, on, code="risk_reduced"):
    case.closed_on = on
    case.closure_reason = national(CodeList.CLOSURE_REASON, code) if code else None
    case.save(update_fields=["closed_on", "closure_reason"])


# --- Quarter boundaries on London days -----------------------------------------------------


def test_a_contact_counts_in_the_quarter_of_its_london_day(world):
    case = world.own_case
    # 23:30 BST on 30 June is 22:30 UTC: still 30 June in London, so Q1.
    late_june = supported(world, case, utc(2025, 6, 30, 22, 30))
    # 00:30 BST on 1 July is 23:30 UTC on 30 June: 1 July in London, so Q2.
    early_july = supported(world, case, utc(2025, 6, 30, 23, 30))
    # 23:30 BST on 31 March (BST began on 30 March 2025) is 22:30 UTC: Q4 of 2024-25.
    end_of_march = supported(world, case, utc(2025, 3, 31, 22, 30))

    assert records("victims_supported", scope_of(world, Q1)) == [late_june.victim.person_id]
    assert records("victims_supported", scope_of(world, Q2)) == [early_july.victim.person_id]
    assert records("victims_supported", scope_of(world, Q4_2024)) == [end_of_march.victim.person_id]
    assert figures("victims_supported", scope_of(world, Q1)) == {"": 1}


def test_a_contact_attempt_is_not_support(world):
    supported(world, world.own_case, london(date(2025, 5, 1)), made=False)
    reached = supported(world, world.own_case, london(date(2025, 5, 2)))
    # An attempt in the period on an episode whose contact was made after it.
    contact(reached, london(date(2025, 4, 2)), made=False)

    assert records("victims_supported", scope_of(world, Q1)) == [reached.victim.person_id]


def test_a_referral_on_31_march_is_q4_and_on_1_april_is_q1(world):
    march = referral(world, on=date(2025, 3, 31), case=world.own_case)
    april = referral(world, on=date(2025, 4, 1), case=world.own_case)

    assert records("referrals_received", scope_of(world, Q4_2024)) == [march.pk]
    assert records("referrals_received", scope_of(world, Q1)) == [april.pk]


def test_a_referral_decided_at_2330_bst_on_31_march_is_decided_in_q4(world):
    decided = referral(
        world,
        on=date(2025, 3, 28),
        case=world.own_case,
        decision=ReferralStatus.ACCEPTED,
        decided_at=utc(2025, 3, 31, 22, 30),
        decided_by=world.members[Role.INVESTIGATOR].user,
    )

    assert records("referrals_decided", scope_of(world, Q4_2024)) == [decided.pk]
    assert records("referrals_decided", scope_of(world, Q1)) == []


# --- Referrals -----------------------------------------------------------------------------


def test_a_case_referred_twice_counts_twice_and_a_self_referral_under_its_source(world):
    first = referral(world, on=date(2025, 4, 3), case=world.own_case)
    second = referral(world, on=date(2025, 5, 20), case=world.own_case)
    self_referral = referral(
        world, on=date(2025, 6, 2), code="self_via_advocacy", agency="advocacy"
    )
    referral(world, on=date(2025, 7, 1), case=world.own_case)  # Q2
    # Another partnership's referral in the same quarter.
    other = world.other_partnership_member
    make_referral(other, case=world.other_partnership_case, received_on=date(2025, 4, 3))

    scope = scope_of(world, Q1)
    assert counted("referrals_received", scope) == {"": 3, "police": 2, "self_via_advocacy": 1}
    assert records("referrals_received", scope, "police") == sorted([first.pk, second.pk])
    assert records("referrals_received", scope, "self_via_advocacy") == [self_referral.pk]
    # Its units carry the case (none for the self-referral not linked to one).
    units = metric_units(METRICS_BY_KEY["referrals_received"], scope)
    assert sorted(units["self_via_advocacy"]) == [[self_referral.pk, None, 1]]
    assert sorted(units["police"]) == sorted(
        [[first.pk, world.own_case.pk, 1], [second.pk, world.own_case.pk, 1]]
    )


def test_referral_decisions_by_decision_withdrawals_and_undecided_not_counted(world):
    decider = world.members[Role.INVESTIGATOR].user
    for decision, hour in (
        (ReferralStatus.ACCEPTED, 9),
        (ReferralStatus.ACCEPTED, 10),
        (ReferralStatus.NOT_STALKING, 11),
        (ReferralStatus.DECLINED, 12),
        (ReferralStatus.WITHDRAWN, 13),
    ):
        referral(
            world,
            on=date(2025, 4, 1),
            case=world.own_case,
            decision=decision,
            decided_at=london(date(2025, 5, 1), hour),
            decided_by=decider,
        )
    referral(world, on=date(2025, 4, 1), case=world.own_case)  # not decided yet

    scope = scope_of(world, Q1)
    assert figures("referrals_decided", scope) == {
        "accepted": 2,
        "not_stalking": 1,
        "not_applicable": 0,
        "declined": 1,
        "": 4,
    }


def test_source_labels_are_the_partnerships_codes_in_use_in_the_period(world):
    # The partnership relabelled "police" with its own code, and retired "unit" before Q1
    # ("effective_to" is the first day not in use) and added a new source after it.
    local_code(
        world.partnership,
        CodeList.REFERRAL_SOURCE,
        code="police",
        label="Northshire Police",
        sort_order=1,
    )
    unit = national(CodeList.REFERRAL_SOURCE, "unit")
    unit.effective_to = date(2025, 4, 1)
    unit.save()
    local_code(
        world.partnership,
        CodeList.REFERRAL_SOURCE,
        code="schools",
        label="Schools",
        effective_from=date(2025, 7, 1),
    )
    scope = scope_of(world, Q1)
    labels = group_labels(METRICS_BY_KEY["referrals_received"], scope)

    assert labels["police"] == "Northshire Police"
    assert "unit" not in labels and "schools" not in labels
    assert list(labels) == [
        "police",
        "probation",
        "health",
        "advocacy",
        "marac",
        "helpline",
        "self_via_advocacy",
        "other",
    ]
    assert "unit" in group_labels(METRICS_BY_KEY["referrals_received"], scope_of(world, Q4_2024))


# --- Direct interventions with perpetrators ------------------------------------------------


def test_a_superseded_session_never_starts_an_intervention(world):
    rebooked = enrolment(world, world.own_case, planned=2)
    cancelled(rebooked, london(date(2025, 6, 2)))
    # Booked for 20 June (Q1), rescheduled to 3 July (Q2) and attended then.
    rescheduled(rebooked, london(date(2025, 6, 20)), to=london(date(2025, 7, 3)))
    session(rebooked, london(date(2025, 7, 10)))
    fact_key = str(fact().pk)

    assert counted("interventions_started", scope_of(world, Q1)) == {}
    assert counted("interventions_started", scope_of(world, Q2)) == {"": 1, fact_key: 1}
    assert records("interventions_completed", scope_of(world, Q2)) == [rebooked.pk]


def test_a_superseded_session_never_completes_an_intervention(world):
    # Two planned; one attended, the second rescheduled and its replacement not attended.
    short = enrolment(world, world.own_case, planned=2)
    session(short, london(date(2025, 5, 1)))
    rescheduled(
        short,
        london(date(2025, 5, 8)),
        to=london(date(2025, 5, 15)),
        attendance=Attendance.UNACCEPTABLE_ABSENCE,
    )

    assert records("interventions_started", scope_of(world, Q1)) == [short.pk]
    assert records("interventions_completed", scope_of(world, Q1)) == []


def test_started_in_one_quarter_and_completed_in_the_next(world):
    across = enrolment(world, world.own_case, planned=2)
    session(across, london(date(2025, 6, 10)))
    session(across, london(date(2025, 7, 8)), Attendance.LATE)
    running = enrolment(world, world.health_case, planned=3)
    session(running, london(date(2025, 6, 11)))
    session(running, london(date(2025, 6, 18)), Attendance.UNACCEPTABLE_ABSENCE)
    # Attended the planned sessions, then withdrawn: dropped out, not completed.
    withdrawn = enrolment(world, world.advocacy_case, planned=1)
    session(withdrawn, london(date(2025, 6, 12)))
    withdrawn.withdrawn_on = date(2025, 6, 20)
    withdrawn.withdrawal_reason = WithdrawalReason.CUSTODY
    withdrawn.save()

    q1, q2 = scope_of(world, Q1), scope_of(world, Q2)
    assert records("interventions_started", q1) == sorted([across.pk, running.pk, withdrawn.pk])
    assert records("interventions_started", q2) == []
    assert records("interventions_completed", q1) == []
    assert records("interventions_completed", q2) == [across.pk]
    units = metric_units(METRICS_BY_KEY["interventions_completed"], q2)
    assert units[str(fact().pk)] == [[across.pk, world.own_case.pk, 1]]


def test_only_direct_interventions_with_perpetrators_count(world):
    for recipient, delivery, code in (
        (Recipient.VICTIM, Delivery.DIRECT, "victim-sessions"),
        (Recipient.PERPETRATOR, Delivery.INDIRECT, "consultation"),
    ):
        programme = Programme.objects.create(
            partnership=world.partnership,
            code=code,
            name=code,
            recipient=recipient,
            delivery=delivery,
            kind=ProgrammeKind.CONSULTATION,
            sessions_min=1,
            sessions_max=1,
        )
        party = add_party(
            world.own_case,
            role=PartyRole.VICTIM if recipient == Recipient.VICTIM else PartyRole.PERPETRATOR,
        )
        other = enrolment(world, world.own_case, planned=1, programme=programme, party=party)
        session(other, london(date(2025, 5, 1)))
    direct = enrolment(world, world.own_case, planned=1)
    session(direct, london(date(2025, 5, 1)))

    scope = scope_of(world, Q1)
    assert records("interventions_started", scope) == [direct.pk]
    assert records("interventions_completed", scope) == [direct.pk]
    # Only direct perpetrator programmes are listed as groups.
    assert group_labels(METRICS_BY_KEY["interventions_started"], scope) == {
        str(fact().pk): fact().name
    }


# --- Victims supported ---------------------------------------------------------------------


def test_a_victim_supported_by_two_advocates_counts_once(world):
    victim = add_party(world.own_case)
    supported(world, world.own_case, london(date(2025, 4, 10)), victim=victim)
    second_agency, second_member = second_advocacy_agency(world.partnership)
    supported(world, world.own_case, london(date(2025, 5, 10)), victim=victim, agency=second_agency)
    # The same person is a victim on a second case too, supported there as well.
    again = add_party(world.health_case)
    again.person = victim.person
    again.save()
    supported(world, world.health_case, london(date(2025, 6, 10)), victim=again)
    other = supported(world, world.advocacy_case, london(date(2025, 6, 11)))

    units = metric_units(METRICS_BY_KEY["victims_supported"], scope_of(world, Q1))
    assert sorted(units[""]) == sorted(
        [
            [victim.person_id, min(world.own_case.pk, world.health_case.pk), 1],
            [other.victim.person_id, world.advocacy_case.pk, 1],
        ]
    )
    assert figure_value(units[""]) == 2


# --- People trained ------------------------------------------------------------------------


def test_people_trained_is_the_sum_of_attendees_by_audience(world):
    first = training(world, on=date(2025, 4, 1), attendees=12)
    second = training(world, on=date(2025, 6, 30), attendees=8)
    health = training(
        world, on=date(2025, 5, 5), attendees=30, audience=TrainingAudience.HEALTH, by="health"
    )
    training(world, on=date(2025, 3, 31), attendees=100)
    training(world, on=date(2025, 7, 1), attendees=100)

    scope = scope_of(world, Q1)
    assert counted("people_trained", scope) == {"": 50, "police": 20, "health": 30}
    units = metric_units(METRICS_BY_KEY["people_trained"], scope)
    assert sorted(units["police"]) == sorted([[first.pk, None, 12], [second.pk, None, 8]])
    assert units["health"] == [[health.pk, None, 30]]


# --- Clinic discussions, risk, orders, closures --------------------------------------------


def test_clinic_discussions_count_the_latest_version_at_each_meeting(world):
    first = triage_meeting(world, date(2025, 4, 15))
    second = triage_meeting(world, date(2025, 6, 30))
    later = triage_meeting(world, date(2025, 7, 1))
    discussed(world, world.own_case, first, Decision.ACCEPT)
    revised = discussed(world, world.own_case, first, Decision.MONITOR)  # saved again
    again = discussed(world, world.own_case, second, Decision.REFER_INTERVENTION)
    other = discussed(world, world.health_case, second, Decision.NOT_STALKING)
    discussed(world, world.health_case, later, Decision.CLOSE)
    morning = triage_meeting(world, date(2025, 5, 1))
    morning.clinic.kind = MeetingKind.MORNING_MEETING
    morning.clinic.save()
    discussed(world, world.advocacy_case, morning, Decision.ACCEPT)

    scope = scope_of(world, Q1)
    assert counted("clinic_discussions", scope) == {
        "": 3,
        "monitor": 1,
        "refer_intervention": 1,
        "not_stalking": 1,
    }
    assert records("clinic_discussions", scope) == sorted([revised.pk, again.pk, other.pk])


def test_risk_assessments_by_tool_and_level_with_historic_ratings(world):
    member = world.members[Role.INVESTIGATOR]
    dash, sash = national_version("dash"), national_version("sash")
    high = make_assessment(
        world.own_case, member, version=dash, level="high", assessed_on=date(2025, 4, 2)
    )
    make_assessment(
        world.own_case,
        member,
        version=dash,
        level="high",
        status=AssessmentStatus.DRAFT,
        assessed_on=date(2025, 4, 3),
    )
    # Assessed on 31 March, typed in on 2 April: counted on the day assessed.
    backdated = make_assessment(
        world.health_case,
        member,
        version=dash,
        level="low",
        assessed_on=date(2025, 3, 31),
        completed_at=london(date(2025, 4, 2)),
    )
    historic = make_assessment(
        world.health_case,
        member,
        version=sash,
        level="high",
        assessed_on=date(2025, 5, 1),
        completed_at=london(date(2026, 1, 5)),
    )
    historic.historic, historic.recorded_level = True, HistoricLevel.MODERATE_HIGH
    historic.save()
    not_completed = make_assessment(
        world.advocacy_case, member, version=sash, level="", assessed_on=date(2025, 5, 2)
    )
    not_completed.historic, not_completed.recorded_level = True, HistoricLevel.NOT_COMPLETED
    not_completed.save()

    dash_pk, sash_pk = dash.instrument_id, sash.instrument_id
    assert counted("risk_assessments", scope_of(world, Q1)) == {
        "": 2,
        f"{dash_pk}:high": 1,
        f"{sash_pk}:high": 1,
    }
    assert records("risk_assessments", scope_of(world, Q1)) == sorted([high.pk, historic.pk])
    assert records("risk_assessments", scope_of(world, Q4_2024)) == [backdated.pk]
    labels = group_labels(METRICS_BY_KEY["risk_assessments"], scope_of(world, Q1))
    assert labels[f"{dash_pk}:high"] == f"{dash.instrument.name}: High"
    # Every risk tool is listed, no psychometric measure or victim questionnaire.
    tools = Instrument.objects.filter(purpose=InstrumentPurpose.RISK, active=True)
    assert {int(key.split(":")[0]) for key in labels} == set(tools.values_list("pk", flat=True))


def test_stalking_protection_orders_applied_for_and_granted(world):
    interim = make_order(
        world.own_case,
        kind=OrderKind.SPO_INTERIM,
        applied_on=date(2025, 6, 27),
        decided_on=date(2025, 7, 2),
    )
    refused = make_order(
        world.health_case,
        kind=OrderKind.SPO_FULL,
        decision=OrderDecision.REFUSED,
        applied_on=date(2025, 4, 1),
        decided_on=date(2025, 5, 1),
    )
    granted = make_order(
        world.health_case,
        kind=OrderKind.SPO_FULL,
        applied_on=date(2025, 3, 3),
        decided_on=date(2025, 4, 4),
    )
    pending = make_order(
        world.advocacy_case,
        kind=OrderKind.SPO_FULL,
        decision=OrderDecision.PENDING,
        applied_on=date(2025, 6, 30),
    )
    make_order(
        world.own_case,
        kind=OrderKind.RESTRAINING,
        applied_on=date(2025, 5, 5),
        decided_on=date(2025, 5, 6),
    )

    q1, q2 = scope_of(world, Q1), scope_of(world, Q2)
    assert figures("spos_applied", q1) == {"spo_interim": 1, "spo_full": 2, "": 3}
    assert records("spos_applied", q1) == sorted([interim.pk, refused.pk, pending.pk])
    assert figures("spos_granted", q1) == {"spo_interim": 0, "spo_full": 1, "": 1}
    assert records("spos_granted", q1) == [granted.pk]
    assert records("spos_granted", q2) == [interim.pk]


def test_cases_closed_by_reason(world):
    close(world.own_case, date(2025, 4, 1))
    close(world.health_case, date(2025, 6, 30), "victim_declined")
    close(world.advocacy_case, date(2025, 5, 5), None)  # an import without a reason
    close(world.other_partnership_case, date(2025, 5, 5))

    scope = scope_of(world, Q1)
    assert counted("cases_closed", scope) == {
        "": 3,
        "risk_reduced": 1,
        "victim_declined": 1,
        "not_recorded": 1,
    }
    units = metric_units(METRICS_BY_KEY["cases_closed"], scope)
    assert units["risk_reduced"] == [[world.own_case.pk, world.own_case.pk, 1]]
    labels = group_labels(METRICS_BY_KEY["cases_closed"], scope)
    assert labels["victim_declined"] == "Victim declined support"
    assert list(labels)[-1] == "not_recorded"


# --- Local areas ---------------------------------------------------------------------------


def test_local_area_counts_cases_by_lead_agency_and_police_area(world):
    area = local_area(world, agencies=("police",), police_areas=("Northtown",))
    chair = world.members[Role.CLINIC_CHAIR]
    screened_in_area = open_case(chair, lead_agency=world.agencies["advocacy"])
    make_crime(screened_in_area, location_area="Northtown")
    screened_elsewhere = open_case(chair, lead_agency=world.agencies["advocacy"])
    make_crime(screened_elsewhere, location_area="Southtown")
    for case in (world.own_case, world.advocacy_case, screened_in_area, screened_elsewhere):
        close(case, date(2025, 5, 1))
        referral(world, on=date(2025, 5, 1), case=case)
    # Not linked to a case: counted where the referring agency belongs.
    by_police = referral(world, on=date(2025, 5, 2))
    referral(world, on=date(2025, 5, 2), agency="advocacy")

    in_area = scope_of(world, Q1, local_area=area)
    assert records("cases_closed", in_area) == sorted([world.own_case.pk, screened_in_area.pk])
    assert figures("cases_closed", scope_of(world, Q1))[""] == 4
    assert figures("referrals_received", in_area)[""] == 3
    units = metric_units(METRICS_BY_KEY["referrals_received"], in_area)[""]
    assert {unit[1] for unit in units} == {world.own_case.pk, screened_in_area.pk, None}
    assert by_police.pk in records("referrals_received", in_area)
    assert figures("referrals_received", scope_of(world, Q1))[""] == 6


def test_local_area_training_rule(world):
    area = local_area(world, agencies=("police",))
    elsewhere = local_area(world, agencies=("advocacy",), name="South")
    for_area = training(world, on=date(2025, 5, 1), attendees=5, by="advocacy", area=area)
    by_area_agency = training(world, on=date(2025, 5, 2), attendees=7, by="police")
    training(world, on=date(2025, 5, 3), attendees=11, by="advocacy")
    training(world, on=date(2025, 5, 4), attendees=13, by="police", area=elsewhere)

    assert records("people_trained", scope_of(world, Q1, local_area=area)) == sorted(
        [for_area.pk, by_area_agency.pk]
    )
    assert figures("people_trained", scope_of(world, Q1, local_area=area))[""] == 12
    assert figures("people_trained", scope_of(world, Q1, local_area=elsewhere))[""] == 24
    assert figures("people_trained", scope_of(world, Q1))[""] == 36


def test_local_area_victims_and_interventions_follow_the_case(world):
    area = local_area(world, agencies=("police",), police_areas=())
    inside = supported(world, world.own_case, london(date(2025, 5, 1)))
    supported(world, world.advocacy_case, london(date(2025, 5, 1)))
    started_inside = enrolment(world, world.own_case, planned=1)
    session(started_inside, london(date(2025, 5, 1)))
    outside = enrolment(world, world.advocacy_case, planned=1)
    session(outside, london(date(2025, 5, 1)))

    scope = scope_of(world, Q1, local_area=area)
    assert records("victims_supported", scope) == [inside.victim.person_id]
    assert records("interventions_started", scope) == [started_inside.pk]
    assert records("interventions_completed", scope) == [started_inside.pk]


def test_agency_scope_counts_its_cases_and_what_it_did(world):
    health = world.agencies["health"].pk
    # health_case is led by the police and shared with health; own_case is not shared.
    for case in (world.own_case, world.health_case):
        close(case, date(2025, 5, 1))
    from_health = referral(world, on=date(2025, 5, 2), agency="health")
    referral(world, on=date(2025, 5, 2), agency="police")
    by_health = training(world, on=date(2025, 5, 3), attendees=9, by="health")
    training(world, on=date(2025, 5, 3), attendees=4, by="police")

    scope = scope_of(world, Q1, agency_id=health)
    assert records("cases_closed", scope) == [world.health_case.pk]
    assert records("referrals_received", scope) == [from_health.pk]
    assert records("people_trained", scope) == [by_health.pk]


# --- Zero groups, figure == rows for every metric, the build ------------------------------


def test_zero_groups_are_listed(world):
    scope = scope_of(world, Q1)
    sources = figures("referrals_received", scope)
    assert sources == {
        "police": 0,
        "probation": 0,
        "health": 0,
        "advocacy": 0,
        "marac": 0,
        "helpline": 0,
        "self_via_advocacy": 0,
        "unit": 0,
        "other": 0,
        "": 0,
    }
    assert list(figures("people_trained", scope)) == [*TrainingAudience.values, ""]
    assert list(figures("clinic_discussions", scope)) == [*Decision.values, ""]
    assert figures("spos_granted", scope) == {"spo_interim": 0, "spo_full": 0, "": 0}
    assert figures("interventions_started", scope) == {str(fact().pk): 0, "": 0}
    risk = figures("risk_assessments", scope)
    dash = national_version("dash").instrument_id
    assert {f"{dash}:low", f"{dash}:medium", f"{dash}:high"} <= set(risk)
    assert set(risk.values()) == {0}
    for metric in METRICS:
        units = metric_units(metric, scope)
        assert list(units)[:-1] == [group for group, _label in metric.groups(scope)]
        assert all(rows == [] for rows in units.values())


@pytest.fixture
def quarter_of_work(world):
    """At least one record for every metric in Q1 2025-26, several for most."""
    member = world.members[Role.INVESTIGATOR]
    for case in (world.own_case, world.health_case):
        referral(
            world,
            on=date(2025, 4, 2),
            case=case,
            decision=ReferralStatus.ACCEPTED,
            decided_at=london(date(2025, 4, 9)),
            decided_by=member.user,
        )
    referral(world, on=date(2025, 5, 2), code="marac", agency="probation")
    across = enrolment(world, world.own_case, planned=2)
    session(across, london(date(2025, 4, 7)))
    rescheduled(across, london(date(2025, 4, 14)), to=london(date(2025, 4, 21)))
    started = enrolment(world, world.health_case, planned=4)
    session(started, london(date(2025, 5, 7)))
    training(world, on=date(2025, 4, 8), attendees=20)
    training(world, on=date(2025, 4, 9), attendees=6, audience=TrainingAudience.CPS)
    victim = add_party(world.own_case)
    episode = supported(world, world.own_case, london(date(2025, 4, 3)), victim=victim)
    contact(episode, london(date(2025, 4, 4)))
    supported(world, world.health_case, london(date(2025, 4, 5)))
    meeting = triage_meeting(world, date(2025, 4, 22))
    discussed(world, world.own_case, meeting, Decision.ACCEPT)
    discussed(world, world.health_case, meeting, Decision.REFER_MARAC_MAPPA)
    make_assessment(world.own_case, member, level="high", assessed_on=date(2025, 4, 23))
    make_assessment(world.health_case, member, level="medium", assessed_on=date(2025, 4, 24))
    make_order(
        world.own_case,
        kind=OrderKind.SPO_INTERIM,
        applied_on=date(2025, 4, 24),
        decided_on=date(2025, 4, 25),
    )
    close(world.advocacy_case, date(2025, 6, 1), "not_stalking")
    return scope_of(world, Q1)


EXPECTED_Q1 = {
    "referrals_received": {"police": 2, "marac": 1, "": 3},
    "interventions_started": {"fact": 2, "": 2},
    "interventions_completed": {"fact": 1, "": 1},
    "people_trained": {"police": 20, "cps": 6, "": 26},
    "victims_supported": {"": 2},
    "referrals_decided": {"accepted": 2, "": 2},
    "clinic_discussions": {"accept": 1, "refer_marac_mappa": 1, "": 2},
    "risk_assessments": {"dash:high": 1, "dash:medium": 1, "": 2},
    "spos_applied": {"spo_interim": 1, "": 1},
    "spos_granted": {"spo_interim": 1, "": 1},
    "cases_closed": {"not_stalking": 1, "": 1},
}


def _readable(key, values):
    """Figures with programme and tool ids named by code, zeros dropped."""
    dash = str(national_version("dash").instrument_id)
    named = {}
    for group, value in values.items():
        if not value:
            continue
        group = "fact" if group == str(fact().pk) else group
        named[group.replace(f"{dash}:", "dash:")] = value
    return named


def test_every_figure_equals_its_records(quarter_of_work, django_assert_max_num_queries):
    scope = quarter_of_work
    with django_assert_max_num_queries(2 * len(METRICS)):
        figures_by_metric, figure_rows = compute(scope)

    assert {key: _readable(key, values) for key, values in figures_by_metric.items()} == (
        EXPECTED_Q1
    )
    for metric in METRICS:
        rows = list(metric.units(scope))
        stored = {(m, g): (value, units) for m, g, value, units in figure_rows if m == metric.key}
        # The total: each record once, its weight counted once.
        weights = {record: weight for _group, record, _case, weight in rows}
        value, units = stored[metric.key, ""]
        assert value == sum(weights.values()) == figure_value(units), metric.key
        assert sorted(unit[0] for unit in units) == sorted(weights), metric.key
        # Each group: the records of that group, and only those.
        for group in {group for group, *_ in rows}:
            in_group = {record: weight for g, record, _case, weight in rows if g == group}
            value, units = stored[metric.key, group]
            assert value == sum(in_group.values()) == figure_value(units), (metric.key, group)
            assert sorted(unit[0] for unit in units) == sorted(in_group), (metric.key, group)
        # Groups split the total (none overlaps) where a metric has groups.
        if metric.groups(scope):
            group_sum = sum(v for (m, g), (v, _u) in stored.items() if g)
            assert group_sum == stored[metric.key, ""][0], metric.key
        # Every unit names its case, except training (no case).
        cases = {case for _g, _r, case, _w in rows}
        if metric.key == "people_trained":
            assert cases == {None}
        elif metric.key != "referrals_received":
            assert None not in cases, metric.key


def test_the_return_builds_its_tables_from_the_metrics(quarter_of_work):
    scope = quarter_of_work
    figures_by_metric, _rows = compute(scope)
    tables = return_tables(figures_by_metric, scope)

    assert [table.key for table in tables] == [key for key, _title in RETURN_TABLES]
    headline = tables[0]
    assert ["Referrals received", "Total", 3] in headline.rows
    assert ["Referrals received", "MARAC", 1] in headline.rows
    assert ["Referrals received", "Helpline", 0] in headline.rows
    assert ["People trained", "Crown Prosecution Service", 6] in headline.rows
    assert ["Victims supported by an advocate", "Total", 2] in headline.rows
    closures = dict(table for table in zip(RETURN_TABLES, tables, strict=True))
    assert ["Cases closed", "Not stalking after assessment", 1] in closures[
        ("closures", "Cases closed")
    ].rows
    # Every metric is in a table of the return, and has a written rule.
    assert {metric.table for metric in METRICS} <= {key for key, _ in RETURN_TABLES}
    assert [row[0] for row in definitions()] == [metric.label for metric in METRICS]
    assert all(len(rule) > 40 for _label, rule in definitions())
