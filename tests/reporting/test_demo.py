"""The demo gives reports something to show: local areas whose police areas are the demo
crime screen's, a year of training, staff FTE for every agency, and in the last full
quarter referrals from several sources with each decision, victims supported, orders and
closures. Loading it twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Agency
from advocacy.models import Contact
from cases.models import Case, CrimeScreenEntry, ProtectiveOrder, Referral, ReferralStatus
from reporting.models import LocalArea, StaffFte, TrainingEvent
from reporting.periods import quarter_just_ended, utc_bounds

pytestmark = pytest.mark.django_db


def _counts():
    return (
        LocalArea.objects.count(),
        TrainingEvent.objects.count(),
        StaffFte.objects.count(),
        Referral.objects.count(),
        ProtectiveOrder.objects.count(),
        Contact.objects.count(),
    )


def test_demo_has_report_inputs_and_a_busy_last_quarter_once():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first

    areas = LocalArea.objects.filter(partnership__slug="northshire")
    assert areas.count() == 2
    screened = set(
        CrimeScreenEntry.objects.filter(partnership__slug="northshire").values_list(
            "location_area", flat=True
        )
    )
    for area in areas:
        assert area.agencies.exists()
        assert area.police_areas and set(area.police_areas) <= screened

    quarter = quarter_just_ended(timezone.localdate())
    training = TrainingEvent.objects.filter(partnership__slug="northshire")
    assert training.count() == 12
    start = quarter.previous().previous().previous().start
    assert all(start <= event.delivered_on <= quarter.end for event in training)
    assert training.filter(delivered_on__gte=quarter.start).count() == 3

    agencies = Agency.objects.filter(partnership__slug="northshire")
    fte_agencies = set(StaffFte.objects.values_list("agency", flat=True))
    assert fte_agencies == set(agencies.values_list("pk", flat=True))

    in_quarter = Referral.objects.filter(
        partnership__slug="northshire", received_on__range=(quarter.start, quarter.end)
    )
    assert len(set(in_quarter.values_list("source__code", flat=True))) >= 3
    decisions = set(in_quarter.values_list("decision", flat=True))
    assert {ReferralStatus.ACCEPTED, ReferralStatus.NOT_STALKING, ReferralStatus.DECLINED} <= (
        decisions
    )
    assert ProtectiveOrder.objects.filter(
        applied_on__range=(quarter.start, quarter.end), kind__startswith="spo"
    ).exists()
    assert (
        Case.objects.filter(
            partnership__slug="northshire", closed_on__range=(quarter.start, quarter.end)
        ).count()
        >= 2
    )
    begin, end = utc_bounds(quarter)
    supported = (
        Contact.objects.filter(made=True, at__gte=begin, at__lt=end)
        .values("episode__victim")
        .distinct()
    )
    assert supported.count() >= 2
