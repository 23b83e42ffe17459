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


@pytest.mark.django_db
def test_demo_gives_the_investigator_a_crime_screen_worklist(client):
    from accounts.models import Membership
    from accounts.roles import Role
    from cases.models import CaseParty, CrimeScreenEntry, ImportRun

    call_command("seed_demo", cases=10, stdout=StringIO())
    call_command("seed_demo", cases=10, stdout=StringIO())  # idempotent: nothing doubled
    entries = CrimeScreenEntry.objects.filter(partnership__slug="northshire")
    assert entries.count() == 30
    # One crime (the oldest) is screened: the advocacy demo refers its victim to the ISAC
    # service from it (advocacy/demo.py); the rest wait on the worklist.
    screened = entries.exclude(screened_at=None)
    assert [action.kind for e in screened for action in e.actions.all()] == ["advocacy_referral"]
    assert ImportRun.objects.count() == 1
    investigator = Membership.objects.get(
        user__email="investigator@northshire.demo", role=Role.INVESTIGATOR
    )
    client.force_login(investigator.user)
    session = client.session
    session["membership_id"] = investigator.pk
    session.save()
    html = client.get("/screening/").content.decode()
    assert entries.first().crime_reference in html
    # The advocate has victims to support on cases shared with the advocacy service, and
    # one referral waiting in the queue (made once, whatever the number of runs).
    assert CaseParty.objects.filter(advocate__email="advocate@northshire.demo").exists()
    from advocacy.models import AdvocacyReferral

    waiting = AdvocacyReferral.objects.filter(partnership__slug="northshire")
    assert waiting.count() == 1 and waiting.get().status == "waiting"
    assert waiting.get().screening_entry == screened.get()
