"""Pages show a choice's label, never its stored code (issue 10 item 6): "Stalking", not
"stalking"; "Medium priority", not "medium"."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import Case
from tests.factories import make_referral
from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services


def _value_row(key, value):
    return (
        f'<dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd>'
    )


def test_case_discussion_shows_labels_not_codes(client, login, world):
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership,
        chair=chair.user,
        agencies=[world.agencies[key] for key in ("police", "health", "advocacy")],
    )
    meeting = MeetingFactory(clinic=clinic, held_on=timezone.localdate())
    clinic_services.meeting_start_run(
        actor=chair.user, membership=chair, meeting=meeting, confirm_early=True
    )
    item = AgendaItemFactory(meeting=meeting, case=world.own_case)
    discussion_services.discussion_record(
        actor=chair.user,
        membership=chair,
        item=item,
        summary="Ex-partner, 40 messages a day.",
        classification="not_stalking",
        risk_judgement="medium",
        priority="medium",
        tier="2",
        decision="accept",
        next_review_on=timezone.localdate() + timedelta(days=28),
    )
    login(chair)
    html = client.get(
        reverse("triage:clinic-case-discussions", args=[world.own_case.pk])
    ).content.decode()
    assert _value_row("Classification", "Not stalking") in html
    assert "not_stalking" not in html
    # Who recorded it: by name and agency, not by email.
    assert f"recorded by {chair.user.full_name} (health agency)" in html
    assert chair.user.email not in html.split("<main", 1)[1]
    assert _value_row("Priority and tier", "Medium; Tier 2") in html or "Medium;" in html
    assert _value_row("Classification", "not_stalking") not in html


def test_case_page_shows_the_classification_label(client, login, world):
    Case.objects.filter(pk=world.own_case.pk).update(
        classification="not_applicable", tier="2", priority="high"
    )
    login(world.members[Role.INVESTIGATOR])
    html = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert _value_row("Classification", "Not applicable") in html
    assert "not_applicable" not in html


def test_referral_list_shows_status_labels(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    make_referral(investigator)
    login(investigator)
    html = client.get(reverse("cases:referrals")).content.decode()
    assert ">Received</strong>" in html
    assert ">received<" not in html
