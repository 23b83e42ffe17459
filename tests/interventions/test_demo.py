"""The demo seed gives the demo clinician an active fACT enrolment (eligible, three attended,
a compliance flag, one booked), one awaiting consent and one completed with its end report
sent; a second run adds nothing."""

from accounts.roles import Role
from cases.models import PartyRole
from interventions import demo
from interventions.models import (
    ComplianceFlag,
    EndReport,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from tests.factories import add_party, open_case


def test_seed_makes_three_enrolments_once(world):
    police = world.members[Role.INVESTIGATOR]
    for oic in (None, None, police.user):
        case = open_case(
            police,
            shared_with=[world.agencies["health"], world.agencies["probation"]],
            officer_in_charge=oic,
        )
        add_party(case, role=PartyRole.PERPETRATOR)
    agencies = list(world.agencies.values())
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    enrolments = list(Enrolment.objects.prefetch_related("sessions").order_by("referred_on"))
    assert sorted(e.status for e in enrolments) == sorted(
        [EnrolmentStatus.ACTIVE, EnrolmentStatus.AWAITING_CONSENT, EnrolmentStatus.COMPLETED]
    )
    active = next(e for e in enrolments if e.status == EnrolmentStatus.ACTIVE)
    assert active.attended_count == 3
    assert active.sessions.filter(status=SessionStatus.SCHEDULED).count() == 1
    completed = next(e for e in enrolments if e.status == EnrolmentStatus.COMPLETED)
    assert completed.attended_count == 6
    assert completed.sessions.filter(status=SessionStatus.RESCHEDULED).count() == 1
    from interventions.models import Measure

    pre, post = (Measure.objects.get(enrolment=completed, timing=t) for t in ("pre", "post"))
    assert (pre.instrument.code, pre.score, post.score) == ("aaq-ii", 39, 24)
    assert completed.end_report.sent and completed.end_report.outcomes["aware"] == "partly"
    assert all(e.eligibility.eligible for e in (active, completed))
    # The active one is on the case with an officer in charge: its flag was sent.
    flag = ComplianceFlag.objects.get()
    assert flag.enrolment == active and flag.kind == "heightened_risk"
    assert flag.recipient_agency_ids
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    assert Enrolment.objects.count() == 3
    assert Measure.objects.count() == 2
    assert Session.objects.count() == 4 + 7
    assert ComplianceFlag.objects.count() == EndReport.objects.count() == 1


def test_seed_demo_gives_the_demo_clinician_the_three(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    enrolments = Enrolment.objects.filter(
        practitioner__email="clinician@northshire.demo"
    ).prefetch_related("sessions")
    assert sorted(e.status for e in enrolments) == sorted(
        [EnrolmentStatus.ACTIVE, EnrolmentStatus.AWAITING_CONSENT, EnrolmentStatus.COMPLETED]
    )
    assert enrolments[0].provider_agency.kind == "health"
