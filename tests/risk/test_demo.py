"""The demo seed makes real, scored assessments with history and a local tool."""

from accounts.roles import Role
from risk import demo
from risk.models import Assessment, AssessmentStatus, Instrument
from risk.selectors import current_level_by_case
from tests.factories import open_case


def test_seed_makes_history_an_override_a_draft_and_a_local_tool(world):
    police = world.members[Role.INVESTIGATOR]
    agencies = list(world.agencies.values())
    open_case(police, shared_with=[world.agencies["health"]])
    open_case(police, shared_with=[world.agencies["health"]])
    demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)

    complete = Assessment.objects.filter(status=AssessmentStatus.COMPLETE)
    codes = set(complete.values_list("instrument_version__instrument__code", flat=True))
    assert {"dash", "sash", "srp", "scsq"} <= codes
    assert complete.exclude(override_level="").exists()
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT).count() == 1
    assert Instrument.objects.get(code="scsq").partnership == world.partnership
    first = world.health_case  # the first police + health case
    history = complete.filter(case=first).order_by("assessed_on")
    assert [a.level for a in history] == ["low", "medium", "high", "high"]
    assert current_level_by_case([first.pk]) == {first.pk: "high"}
