"""Report runs end to end: ask, build (the job), files, figures and their records, download
audit, run again, the drill-down's access rule, the quarterly beat job, and the API."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import AccessEvent, Action
from config.jobs import JobStatus
from reporting.models import (
    LocalArea,
    Notification,
    NotificationKind,
    ReportFigure,
    ReportKind,
    ReportRun,
)
from reporting.periods import Quarter, first_working_day_after
from reporting.selectors.returns import METRICS
from reporting.services.reports import quarterly_returns_due, report_run_start
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

Q1 = Quarter(2025, 1)


def _referrals(world, count=3, day=date(2025, 5, 10)):
    investigator = world.members[Role.INVESTIGATOR]
    return [make_referral(investigator, case=world.own_case, received_on=day) for _ in range(count)]


def _start(world, role=Role.MANAGER, capture=None, **kwargs):
    member = world.members[role]
    arguments = {
        "kind": ReportKind.QUARTERLY_RETURN,
        "period_start": Q1.start,
        "period_end": Q1.end,
        **kwargs,
    }
    run = report_run_start(actor=member.user, membership=member, **arguments)
    return ReportRun.objects.get(pk=run.pk)


@pytest.fixture
def built(world, django_capture_on_commit_callbacks):
    _referrals(world)
    with django_capture_on_commit_callbacks(execute=True):
        run = _start(world)
    run.refresh_from_db()
    return run


def test_a_return_is_built_with_its_files_figures_and_records(built):
    assert built.status == JobStatus.SUCCEEDED
    assert built.progress == 100
    names = sorted(file.name for file in built.files.all())
    assert names == [
        "home-office-return-2025-04-01-to-2025-06-30.csv",
        "home-office-return-2025-04-01-to-2025-06-30.pdf",
        "home-office-return-2025-04-01-to-2025-06-30.xlsx",
    ]
    assert built.figures["referrals_received"][""] == 3
    total = ReportFigure.objects.get(run=built, metric="referrals_received", group="")
    assert total.value == len(total.units) == 3


def test_every_stored_figure_equals_its_records(built):
    for metric in METRICS:
        for figure in ReportFigure.objects.filter(run=built, metric=metric.key):
            assert figure.value == sum(weight for _record, _case, weight in figure.units)
            assert built.figures[metric.key][figure.group] == figure.value


def test_the_requester_is_told_once_with_a_link_only(built):
    notes = Notification.objects.filter(kind=NotificationKind.REPORT_READY)
    assert [note.recipient_id for note in notes] == [built.requested_by_id]
    assert notes[0].link == reverse("reporting:run-detail", args=[built.pk])
    assert len(mail.outbox) == 1
    assert notes[0].link in mail.outbox[0].body
    assert "Referral" not in mail.outbox[0].body
    assert built.notified_at is not None


def test_the_xlsx_has_a_styled_frozen_sheet_per_table_and_definitions(built):
    content = built.files.get(name__endswith=".xlsx").file.read()
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[-1] == "Definitions"
    headline = book["headline"]
    assert [cell.value for cell in headline[1]] == ["Figure", "Breakdown", "Value"]
    assert headline["A1"].font.bold
    assert headline.freeze_panes == "A2"
    rows = list(headline.iter_rows(min_row=2, values_only=True))
    assert ["Referrals received", "Total", 3] in [list(row) for row in rows]
    definitions = {row[0]: row[1] for row in book["Definitions"].iter_rows(values_only=True)}
    for metric in METRICS:
        assert definitions[metric.label] == metric.rule
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(value, str) and value.startswith("=") for value in row)


def test_the_csv_names_its_columns_and_carries_every_figure(built):
    text = built.files.get(name__endswith=".csv").file.read().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Table,Figure,Breakdown,Value"
    assert "Headline figures,Referrals received,Total,3" in lines


def test_the_pdf_carries_the_figures_and_the_definitions(built):
    content = built.files.get(name__endswith=".pdf").file.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Home Office quarterly return" in text
    assert "Referrals received" in text
    assert "Definitions" in text
    assert "1 April 2025 to 30 June 2025" in text


def test_a_download_is_audited(built, world, login):
    client = login(world.members[Role.MANAGER])
    report_file = built.files.get(name__endswith=".xlsx")
    response = client.get(reverse("reporting:run-file", args=[built.pk, report_file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    event = AccessEvent.objects.filter(action=Action.DOWNLOAD).latest("at")
    assert event.object_id == str(built.pk)
    assert event.detail["file"] == report_file.name


def test_the_run_page_shows_stored_figures_linked_to_their_records(built, world, login):
    client = login(world.members[Role.MANAGER])
    response = client.get(reverse("reporting:run-detail", args=[built.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    figure_url = reverse("reporting:run-figure", args=[built.pk, "referrals_received"])
    assert f'href="{figure_url}?group="' in page
    assert "Run again" in page


def test_running_again_marks_the_figures_that_changed(
    built, world, login, django_capture_on_commit_callbacks
):
    _referrals(world, count=2, day=date(2025, 6, 30))
    client = login(world.members[Role.MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:run-again", args=[built.pk]))
    again = ReportRun.objects.exclude(pk=built.pk).get()
    assert response.url == reverse("reporting:run-detail", args=[again.pk])
    assert again.previous_id == built.pk
    assert again.figures["referrals_received"][""] == 5
    page = client.get(response.url).content.decode()
    assert "Changed" in page
    # The first run's stored figures are not touched by the new records.
    built.refresh_from_db()
    assert built.figures["referrals_received"][""] == 3


def test_the_drill_down_lists_the_rows_a_reader_may_see(built, world, login):
    url = reverse("reporting:run-figure", args=[built.pk, "referrals_received"]) + "?group="
    admin = login(world.members[Role.PARTNERSHIP_ADMIN])
    page = admin.get(url).content.decode()
    assert page.count(world.own_case.reference) == 3
    assert 'id="hidden-rows"' not in page


def test_a_manager_without_case_access_gets_the_count_but_no_rows(built, world, login):
    url = reverse("reporting:run-figure", args=[built.pk, "referrals_received"]) + "?group="
    # The manager (a police-less agency in the fixture) may not see the police case.
    manager = world.members[Role.MANAGER]
    assert manager.agency != world.own_case.lead_agency
    response = login(manager).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="govuk-body-l" id="figure-value">3</p>' in page
    assert world.own_case.reference not in page
    assert 'id="hidden-rows"' in page


def test_an_unknown_figure_or_group_is_not_found(built, world, login):
    client = login(world.members[Role.MANAGER])
    assert client.get(reverse("reporting:run-figure", args=[built.pk, "nope"])).status_code == 404
    url = reverse("reporting:run-figure", args=[built.pk, "referrals_received"])
    assert client.get(url + "?group=not-a-group").status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2025-06-30", "2025-04-01", "end", "on or after the first day"),
        ("2019-01-01", "2025-01-01", "end", "at most 5 years"),
        ("", "2025-01-01", "start", "Choose a quarter, or enter the first day"),
    ],
)
def test_a_bad_period_is_refused_at_the_field(world, login, start, end, field, message):
    client = login(world.members[Role.MANAGER])
    response = client.post(
        reverse("reporting:reports"),
        {"kind": ReportKind.QUARTERLY_RETURN, "quarter": "", "start": start, "end": end},
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not ReportRun.objects.exists()


def test_a_quarter_can_be_chosen_instead_of_dates(world, login, django_capture_on_commit_callbacks):
    client = login(world.members[Role.MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:reports"),
            {"kind": ReportKind.QUARTERLY_RETURN, "quarter": "2025-4"},
        )
    run = ReportRun.objects.get()
    assert response.url == reverse("reporting:run-detail", args=[run.pk])
    assert (run.period_start, run.period_end) == (date(2026, 1, 1), date(2026, 3, 31))


def test_roles_without_reports_are_refused(world, login):
    for role in (Role.INVESTIGATOR, Role.ADVOCATE, Role.CLINICIAN):
        response = login(world.members[role]).get(reverse("reporting:reports"))
        assert response.status_code == 403


def test_another_partnerships_run_is_not_found(built, world, login):
    other = world.other_partnership_member
    other.role = Role.MANAGER
    other.save()
    response = login(other).get(reverse("reporting:run-detail", args=[built.pk]))
    assert response.status_code == 404


def test_a_research_extract_is_seen_only_by_its_requester_and_the_admins(world, login):
    run = _start(
        world,
        kind=ReportKind.RESEARCH_EXTRACT,
        purpose="UCL evaluation of the partnership, approved protocol 2025/14.",
    )
    assert run.status == JobStatus.PENDING and run.queued_at is None
    url = reverse("reporting:run-detail", args=[run.pk])
    assert login(world.members[Role.MANAGER]).get(url).status_code == 200
    assert login(world.members[Role.PARTNERSHIP_ADMIN]).get(url).status_code == 200
    assert login(world.members[Role.POLICE_SUPERVISOR]).get(url).status_code == 404


def test_a_second_build_replaces_what_the_first_left(built):
    from reporting.services.reports import report_run_build

    report_run_build(run_id=built.pk)
    assert built.files.count() == 3
    totals = ReportFigure.objects.filter(run=built, group="", metric="referrals_received")
    assert totals.count() == 1


# The quarterly beat job ------------------------------------------------------------


def test_the_beat_job_waits_for_the_first_working_day_after_the_quarter(world):
    quarter = Quarter(2025, 4)  # January to March 2026
    due = first_working_day_after(quarter)
    assert due == date(2026, 4, 1)
    before = quarterly_returns_due(today=due - timedelta(days=1))
    # The day before, the job only catches up the quarter before (missed if beat was down).
    assert {(run.period_start, run.period_end) for run in before} == {
        (date(2025, 10, 1), date(2025, 12, 31))
    }
    assert not ReportRun.objects.filter(period_start=quarter.start).exists()
    assert quarterly_returns_due(today=due)
    assert ReportRun.objects.filter(period_start=quarter.start).count() == 2


def test_the_beat_job_builds_each_return_once_and_tells_the_managers_once(
    world, django_capture_on_commit_callbacks
):
    area = LocalArea.objects.create(partnership=world.partnership, name="North")
    area.agencies.add(world.agencies["police"])
    due = date(2026, 4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        runs = quarterly_returns_due(today=due)
    partnerships = 2  # Northshire and the other partnership
    assert len(runs) == partnerships + 1
    mine = ReportRun.objects.filter(partnership=world.partnership)
    assert {run.local_area_id for run in mine} == {None, area.pk}
    assert all(run.status == JobStatus.SUCCEEDED and run.automatic for run in mine)
    managers = {
        world.members[Role.MANAGER].user_id,
        world.members[Role.PARTNERSHIP_ADMIN].user_id,
    }
    ready = Notification.objects.filter(kind=NotificationKind.REPORT_READY)
    assert {note.recipient_id for note in ready if note.partnership == world.partnership} == (
        managers
    )
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_returns_due(today=due) == []
        assert quarterly_returns_due(today=due + timedelta(days=9)) == []
    assert ReportRun.objects.count() == partnerships + 1
    assert len(mail.outbox) == sent


# The API ---------------------------------------------------------------------------


def test_the_api_starts_a_run_reports_its_status_and_downloads_a_file(
    world, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    _referrals(world)
    manager = world.members[Role.MANAGER]
    client = APIClient()
    client.force_authenticate(manager.user)
    headers = {"HTTP_X_AGENCY_ID": str(manager.agency_id)}
    url = reverse("api:report-run-list")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"kind": "quarterly_return", "period_start": "2025-04-01", "period_end": "2025-06-30"},
            format="json",
            **headers,
        )
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    detail = client.get(reverse("api:report-run-detail", args=[run_id]), **headers).json()
    assert detail["status"] == "succeeded"
    assert detail["figures"]["referrals_received"][""] == 3
    download = detail["files"][0]["download"]
    assert client.get(download, **headers).status_code == 200
    assert AccessEvent.objects.filter(action=Action.DOWNLOAD).count() == 1


def test_the_api_answers_a_bad_period_with_field_errors(world):
    from rest_framework.test import APIClient

    manager = world.members[Role.MANAGER]
    client = APIClient()
    client.force_authenticate(manager.user)
    response = client.post(
        reverse("api:report-run-list"),
        {"kind": "quarterly_return", "period_start": "2025-06-30", "period_end": "2025-04-01"},
        format="json",
        HTTP_X_AGENCY_ID=str(manager.agency_id),
    )
    assert response.status_code == 400
    assert response.json()["errors"]["period_end"] == [
        "The last day must be on or after the first day."
    ]


def test_running_a_pack_again_marks_the_tables_that_changed(
    world, login, django_capture_on_commit_callbacks
):
    _referrals(world, count=1)
    with django_capture_on_commit_callbacks(execute=True):
        pack = _start(world, kind=ReportKind.EVALUATION_PACK, parameters={"anchor": "referral"})
    pack.refresh_from_db()
    assert pack.status == JobStatus.SUCCEEDED
    _referrals(world, count=2, day=date(2025, 6, 1))
    client = login(world.members[Role.MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:run-again", args=[pack.pk]))
    page = client.get(response.url).content.decode()
    assert 'id="evaluation-referral_source"' in page
    caption = page.split('id="evaluation-referral_source"')[1].split("</caption>")[0]
    assert "Changed since the earlier run" in caption
    unchanged = page.split('id="evaluation-tier_by_gender"')[1].split("</caption>")[0]
    assert "Changed" not in unchanged


def test_the_run_page_lists_each_table_in_order_with_totals_first(built):
    from reporting.selectors.reports import figure_table

    tables = figure_table(ReportRun.objects.get(pk=built.pk))  # figures read back as stored
    assert tables[0][0] == "Headline figures"
    first = tables[0][1][0]
    assert (first["metric"].key, first["group"], first["value"]) == ("referrals_received", "", 3)
    for _title, rows in tables:
        seen = set()
        for row in rows:
            if row["group"]:
                assert row["metric"].key in seen, "a group is listed before its total"
            else:
                seen.add(row["metric"].key)


def test_an_extract_asked_for_through_the_api_waits_and_tells_the_admins(world):
    from rest_framework.test import APIClient

    manager = world.members[Role.MANAGER]
    client = APIClient()
    client.force_authenticate(manager.user)
    response = client.post(
        reverse("api:report-run-list"),
        {
            "kind": "research_extract",
            "period_start": "2025-04-01",
            "period_end": "2025-06-30",
            "purpose": "UCL evaluation of the partnership, DSA 2025/7 signed.",
        },
        format="json",
        HTTP_X_AGENCY_ID=str(manager.agency_id),
    )
    assert response.status_code == 201, response.content
    assert response.json()["approval"] == "requested"
    run = ReportRun.objects.get()
    assert run.queued_at is None
    told = Notification.objects.filter(kind=NotificationKind.EXTRACT_APPROVAL)
    assert [note.recipient_id for note in told] == [world.members[Role.PARTNERSHIP_ADMIN].user_id]
