"""The demo shows the "tell the victim" duty: events on the demo advocate's case (one told,
one pending) and a pending task for the officer in charge on a case with no advocate; the
back-dated demo closures were told in time, so nothing is overdue on first sign-in."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import CaseEvent, NotificationOutcome, VictimNotification


@pytest.mark.django_db
def test_demo_has_told_and_pending_notifications_for_advocate_and_oic():
    call_command("seed_demo", cases=20, stdout=StringIO())
    call_command("seed_demo", cases=20, stdout=StringIO())  # nothing doubled
    tasks = VictimNotification.objects.filter(partnership__slug="northshire")
    advocate = tasks.filter(responsible__email="advocate@northshire.demo")
    assert advocate.filter(outcome=NotificationOutcome.INFORMED, trigger="charged").count() == 1
    assert advocate.filter(outcome=NotificationOutcome.PENDING, trigger="bailed").count() == 1
    oic = tasks.filter(responsible__email="investigator@northshire.demo", trigger="arrested")
    assert oic.filter(outcome=NotificationOutcome.PENDING).count() == 1
    assert CaseEvent.objects.filter(case__partnership__slug="northshire").count() == 3
    overdue = tasks.filter(outcome=NotificationOutcome.PENDING, due_on__lt=timezone.localdate())
    assert not overdue.exists()
