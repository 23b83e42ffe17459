"""The demo's clinic actions follow the rule the services enforce: each is owned by an agency
its case is shared with (reminders about it go to that agency's members)."""

from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import CaseAgency
from triage.models import Action


@pytest.mark.django_db
def test_demo_actions_are_owned_by_agencies_their_case_is_shared_with():
    call_command("seed_demo", cases=20, stdout=StringIO())
    actions = list(Action.objects.values_list("case_id", "owner_agency_id"))
    assert actions
    shared = set(CaseAgency.objects.values_list("case_id", "agency_id"))
    assert [pair for pair in actions if pair not in shared] == []
