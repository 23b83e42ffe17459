"""The demo reads like real work: referral statuses follow their cases, closed cases say
why, and self-referrals are led by the advocacy service that recorded them."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.roles import AgencyKind
from cases.models import Case, Referral, ReferralStatus


@pytest.mark.django_db
def test_demo_cases_referrals_and_closures_agree():
    call_command("seed_demo", cases=20, stdout=StringIO())
    cases = Case.objects.filter(partnership__slug="northshire")
    closed = cases.exclude(closed_on=None)
    assert closed.exists()
    assert not closed.filter(closure_reason=None).exists()
    referrals = Referral.objects.filter(case__in=cases).select_related("source", "case")
    assert referrals.exists()
    assert {r.status for r in referrals} == {ReferralStatus.ACCEPTED}
    self_referrals = [r for r in referrals if r.source.code == "self_via_advocacy"]
    assert self_referrals
    assert all(r.case.lead_agency.kind == AgencyKind.ADVOCACY for r in self_referrals)
