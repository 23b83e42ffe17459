"""Meeting minutes: per-reader versions (a case not shared with an agency never appears in
its HTML nor in its PDF text), no victim contact in any version, audited downloads, the
close → job → files flow, and idempotent generation."""

import io
import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import AccessEvent
from audit.models import Action as AuditAction
from cases.services import core as case_services
from tests.factories import add_party
from tests.factories_triage import (
    ActionFactory,
    AttendanceFactory,
    CaseDiscussionFactory,
    ClinicFactory,
    MeetingFactory,
)
from triage.models import AttendanceStatus, MeetingStatus, MinutesFile
from triage.selectors import minutes as selectors
from triage.services import minutes as services
from triage.tasks import generate_minutes

# Words that can only come from one case's minutes.
MARKERS = {
    "own_case": "Quokkasummary",  # police only
    "health_case": "Pelicansummary",  # police and health
    "advocacy_case": "Marmotsummary",  # advocacy and health
}
ACTION_MARKERS = {
    "own_case": "Checkquokka",
    "health_case": "Checkpelican",
    "advocacy_case": "Checkmarmot",
}
CONTACT = ["07700 900123", "Secret Street", "NT1 1AA", "victim@example.org", "Bakery"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def meeting(world):
    chair = world.members[Role.CLINIC_CHAIR]
    agencies = [world.agencies[k] for k in ("police", "health", "advocacy", "probation")]
    clinic = ClinicFactory(
        partnership=world.partnership,
        name="Northshire triage clinic",
        chair=chair.user,
        agencies=agencies,
    )
    meeting = MeetingFactory(
        clinic=clinic,
        held_on=timezone.localdate() - timedelta(days=1),
        status=MeetingStatus.IN_PROGRESS,
    )
    # Victims with every contact field filled in, on two cases.
    world.victim.person.email = "victim@example.org"
    world.victim.person.workplace = "Bakery on the High Street"
    world.victim.person.save()
    add_party(
        world.health_case,
        email="victim@example.org",
        workplace="Bakery on the High Street",
        given_names="Hazel",
        family_name="Victimname",
    )
    for key in MARKERS:
        case = getattr(world, key)
        discussion = CaseDiscussionFactory(
            case=case,
            meeting=meeting,
            recorded_by=chair.user,
            summary=f"{MARKERS[key]} known facts.",
            risk_rationale="Escalating contact.",
        )
        agency = "advocacy" if key == "advocacy_case" else "police"
        ActionFactory(
            case=case,
            discussion=discussion,
            owner_agency=world.agencies[agency],
            created_by=chair.user,
            description=f"{ACTION_MARKERS[key]} bail conditions",
        )
    AttendanceFactory(
        meeting=meeting, user=chair.user, agency=world.agencies["health"], status="present"
    )
    AttendanceFactory(
        meeting=meeting,
        user=None,
        name="Pat Guest",
        agency=world.agencies["probation"],
        status=AttendanceStatus.APOLOGIES,
    )
    return meeting


def _close(meeting, world):
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.closed_by = world.members[Role.CLINIC_CHAIR].user
    meeting.save()
    return meeting


def _pdf_text(response):
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


# Which cases each role's agency may see (world fixture): police see own + health cases,
# health sees health + advocacy cases, advocacy the advocacy case, probation none.
EXPECTED = {
    Role.INVESTIGATOR: {"own_case", "health_case"},
    Role.CLINICIAN: {"health_case", "advocacy_case"},
    Role.ADVOCATE: {"advocacy_case"},
    Role.PROBATION_OFFICER: set(),
    Role.CLINIC_CHAIR: {"own_case", "health_case", "advocacy_case"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_html_minutes_hold_only_the_readers_cases_and_no_contact(
    world, meeting, client, login, role
):
    _close(meeting, world)
    login(world.members[role])
    response = client.get(reverse("triage:meeting-minutes", args=[meeting.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for key, marker in MARKERS.items():
        case = getattr(world, key)
        shown = key in EXPECTED[role]
        assert (marker in body) is shown, (role, key)
        assert (ACTION_MARKERS[key] in body) is shown, (role, key)
        assert (case.reference in body) is shown, (role, key)
    for contact in CONTACT:
        assert contact not in body
    assert "Pat Guest" in body and "Apologies" in body
    event = AccessEvent.objects.filter(action=AuditAction.VIEW, object_type="triage.Meeting").get()
    assert event.detail["minutes"] == "html"
    assert sorted(event.detail["case_ids"]) == sorted(
        getattr(world, key).pk for key in EXPECTED[role]
    )


@pytest.mark.parametrize("role", list(EXPECTED))
def test_pdf_minutes_hold_only_the_readers_cases_and_no_contact(
    world, meeting, client, login, role
):
    _close(meeting, world)
    member = world.members[role]
    login(member)
    response = client.get(reverse("triage:meeting-minutes-pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text, pages = _pdf_text(response)
    for key, marker in MARKERS.items():
        shown = key in EXPECTED[role]
        assert (marker in text) is shown, (role, key)
        assert (ACTION_MARKERS[key] in text) is shown, (role, key)
        assert (getattr(world, key).reference in text) is shown, (role, key)
    for contact in CONTACT:
        assert contact not in text
    assert "OFFICIAL-SENSITIVE" in text
    assert f"Page 1 of {pages}" in text
    # The audience the file was made for, in the text and the footer.
    label = selectors.PARTNERSHIP_WIDE_LABEL if role == Role.CLINIC_CHAIR else member.agency.name
    assert f"Prepared for {label}" in text.replace("\n", " ")
    assert "Minutes: Northshire triage clinic" in text
    minutes = MinutesFile.objects.get(meeting=meeting)
    assert minutes.contact_withheld is True
    assert minutes.case_ids == sorted(getattr(world, key).pk for key in EXPECTED[role])
    assert minutes.page_count == pages


def test_every_download_is_audited(world, meeting, client, login):
    _close(meeting, world)
    clinician = world.members[Role.CLINICIAN]
    login(clinician)
    url = reverse("triage:meeting-minutes-pdf", args=[meeting.pk])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    events = AccessEvent.objects.filter(action=AuditAction.DOWNLOAD)
    assert events.count() == 2
    event = events.first()
    minutes = MinutesFile.objects.get()
    assert event.actor == clinician.user and event.agency == clinician.agency
    assert (event.object_type, event.object_id) == ("triage.MinutesFile", str(minutes.pk))
    assert event.detail["meeting"] == meeting.pk
    assert MinutesFile.objects.count() == 1  # the second download reused the file


def test_a_case_shared_after_closing_gets_a_new_version_on_download(world, meeting, client, login):
    _close(meeting, world)
    generate_minutes(meeting.pk)
    before = MinutesFile.objects.count()
    advocate = world.members[Role.ADVOCATE]
    investigator = world.members[Role.INVESTIGATOR]
    case_services.case_share(
        actor=investigator.user,
        membership=investigator,
        case=world.own_case,
        agency=world.agencies["advocacy"],
        reason="Advocate now supports the victim",
    )
    login(advocate)
    response = client.get(reverse("triage:meeting-minutes-pdf", args=[meeting.pk]))
    text, _pages = _pdf_text(response)
    assert MARKERS["own_case"] in text and MARKERS["advocacy_case"] in text
    assert MARKERS["health_case"] not in text
    assert MinutesFile.objects.count() == before + 1


def test_the_job_makes_one_file_per_audience_and_is_idempotent(world, meeting):
    _close(meeting, world)
    assert generate_minutes(meeting.pk) == 5  # all, police, health, advocacy, probation
    files = list(MinutesFile.objects.filter(meeting=meeting))
    assert len(files) == 5
    assert {tuple(f.case_ids) for f in files} == {
        tuple(sorted(getattr(world, k).pk for k in keys))
        for keys in (
            {"own_case", "health_case", "advocacy_case"},
            {"own_case", "health_case"},
            {"health_case", "advocacy_case"},
            {"advocacy_case"},
            set(),
        )
    }
    assert all(f.pdf.size > 1000 and f.contact_withheld for f in files)
    created = AccessEvent.objects.filter(
        action=AuditAction.CREATE, object_type="triage.MinutesFile"
    ).count()
    assert created == 5
    assert generate_minutes(meeting.pk) == 0  # the job has finished: nothing to do
    assert MinutesFile.objects.filter(meeting=meeting).count() == 5
    assert {f.pk for f in MinutesFile.objects.all()} == {f.pk for f in files}
    assert (
        AccessEvent.objects.filter(
            action=AuditAction.CREATE, object_type="triage.MinutesFile"
        ).count()
        == 5
    )


def test_the_job_ignores_meetings_that_are_not_closed(meeting):
    assert generate_minutes(meeting.pk) == 0
    assert generate_minutes(10**9) == 0
    assert not MinutesFile.objects.exists()


def test_closing_a_meeting_queues_the_minutes(
    world, meeting, client, login, django_capture_on_commit_callbacks
):
    """The chair closes the meeting on the meeting page (clinics); its meeting_closed
    signal, sent after commit, queues the minutes job, which makes every version."""
    chair = world.members[Role.CLINIC_CHAIR]
    login(chair)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("triage:meeting-close", args=[meeting.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 2  # meeting_closed, then the minutes job's send
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_by == chair.user
    files = MinutesFile.objects.filter(meeting=meeting)
    assert files.count() == 5
    assert (
        AccessEvent.objects.filter(
            action=AuditAction.CREATE, object_type="triage.MinutesFile"
        ).count()
        == 5
    )


def test_minutes_are_not_made_before_the_meeting_closes(world, meeting):
    from django.core.exceptions import ValidationError

    audience = selectors.audience_for(world.members[Role.CLINIC_CHAIR], meeting)
    with pytest.raises(ValidationError):
        services.minutes_generate(
            meeting=meeting,
            audience=audience,
        )
    assert not MinutesFile.objects.exists()


def test_minutes_before_closing_and_outside_scope(world, meeting, client, login):
    login(world.members[Role.CLINICIAN])
    response = client.get(reverse("triage:meeting-minutes", args=[meeting.pk]))
    assert response.status_code == 200
    assert "Minutes are produced when the chair closes the meeting." in response.content.decode()
    assert MARKERS["health_case"] not in response.content.decode()
    assert client.get(reverse("triage:meeting-minutes-pdf", args=[meeting.pk])).status_code == 404
    _close(meeting, world)
    # The CPS does not attend this clinic: no minutes, and no hint the meeting exists.
    login(world.members[Role.PARTNER])
    assert client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("triage:meeting-minutes-pdf", args=[meeting.pk])).status_code == 404
    login(world.other_partnership_member)
    assert client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).status_code == 404


def test_minutes_content_uses_a_fixed_number_of_queries(world, meeting):
    from tests.factories import open_case

    chair = world.members[Role.CLINIC_CHAIR]
    _close(meeting, world)

    def measure():
        audience = selectors.audience_for(chair, meeting)
        with CaptureQueriesContext(connection) as queries:
            content = selectors.minutes_content(meeting, audience)
        return len(queries), len(content.cases)

    few, count = measure()
    assert count == 3
    for _ in range(10):
        case = open_case(world.members[Role.INVESTIGATOR])
        add_party(case)
        discussion = CaseDiscussionFactory(case=case, meeting=meeting, recorded_by=chair.user)
        ActionFactory(
            case=case,
            discussion=discussion,
            owner_agency=world.agencies["police"],
            created_by=chair.user,
        )
    many, count = measure()
    assert count == 13 and many == few


def test_audience_key_depends_only_on_the_cases():
    assert selectors.audience_key([3, 1, 2]) == selectors.audience_key([1, 2, 3, 3])
    assert selectors.audience_key([1, 2]) != selectors.audience_key([1, 2, 3])
    assert len(selectors.audience_key([])) == 64


def test_a_broker_outage_does_not_break_closing(
    world, meeting, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from triage import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.generate_minutes, "delay", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_minutes(meeting=meeting)
    assert "Could not queue triage.tasks.generate_minutes" in caplog.text
    assert not MinutesFile.objects.exists()
    job = type(meeting.minutes_job).objects.get(meeting=meeting)
    assert job.status == "failed" and job.retryable


def test_a_readers_minutes_read_nothing_about_the_other_discussed_cases(world, meeting):
    """The content is built from the reader's audience only: no count (or other read) of
    the cases discussed at the meeting that their agency cannot see."""
    advocate = world.members[Role.ADVOCATE]
    _close(meeting, world)
    audience = selectors.audience_for(advocate, meeting)
    assert audience.case_ids == (world.advocacy_case.pk,)
    with CaptureQueriesContext(connection) as content_queries:
        content = selectors.minutes_content(meeting, audience)
    assert [c.case.pk for c in content.cases] == [world.advocacy_case.pk]
    assert not hasattr(content, "discussed_count")
    with CaptureQueriesContext(connection) as render_queries:
        services.render_minutes_html(meeting, audience, prepared_for="Advocacy")
    # Rendering reads what the content reads, and no unscoped list of discussed cases.
    assert len(render_queries) == len(content_queries)
    discussion_reads = [
        q["sql"] for q in render_queries if 'FROM "triage_casediscussion"' in q["sql"]
    ]
    assert discussion_reads and all('"case_id" IN' in sql for sql in discussion_reads)


# Who each audience's file is for (world: police see own + health, health sees health +
# advocacy, advocacy the advocacy case, probation none; the chair sees every case).
LABELS = {
    ("own_case", "health_case", "advocacy_case"): selectors.PARTNERSHIP_WIDE_LABEL,
    ("own_case", "health_case"): "police agency",
    ("health_case", "advocacy_case"): "health agency",
    ("advocacy_case",): "advocacy agency",
    (): "probation agency",
}


def test_each_file_names_exactly_the_agencies_whose_readers_get_it(world, meeting):
    _close(meeting, world)
    generate_minutes(meeting.pk)
    got = {tuple(f.case_ids): f for f in MinutesFile.objects.filter(meeting=meeting)}
    for keys, label in LABELS.items():
        ids = tuple(sorted(getattr(world, key).pk for key in keys))
        minutes = got[ids]
        assert minutes.prepared_for == label, keys
        assert minutes.partnership_wide is (len(keys) == 3)
        text = "\n".join(p.extract_text() for p in PdfReader(minutes.pdf.open("rb")).pages)
        assert f"Prepared for {label}" in text.replace("\n", " "), keys
    # Agencies named by id too, for the download lists: the chair's agency (health) is not
    # on the partnership-wide file just because the chair belongs to it.
    whole = got[
        tuple(sorted(c.pk for c in (world.own_case, world.health_case, world.advocacy_case)))
    ]
    assert whole.agency_ids == []
    assert got[(world.advocacy_case.pk,)].agency_ids == [world.agencies["advocacy"].pk]


def test_a_view_every_agency_shares_names_them_all(world):
    """When every attending agency sees every discussed case, the one file names them."""
    chair = world.members[Role.CLINIC_CHAIR]
    clinic = ClinicFactory(
        partnership=world.partnership,
        chair=chair.user,
        agencies=[world.agencies["police"], world.agencies["health"]],
    )
    meeting = MeetingFactory(clinic=clinic, status=MeetingStatus.CLOSED, closed_at=timezone.now())
    CaseDiscussionFactory(case=world.health_case, meeting=meeting, recorded_by=chair.user)
    audiences = selectors.audiences_of_meeting(meeting)
    assert len(audiences) == 1
    (_audience, readers) = next(iter(audiences.values()))
    assert readers.label == "health agency, police agency, partnership-wide roles"


def test_a_reader_with_a_view_of_their_own_is_counted_not_their_whole_agency(world, meeting):
    """A police reader who opened the advocacy case by break-glass has a view of their
    own: that file says how many of police's readers get it, and the police file too."""
    from audit.services import break_glass_open

    investigator = world.members[Role.INVESTIGATOR]
    break_glass_open(
        actor=investigator.user,
        membership=investigator,
        case=world.advocacy_case,
        reason="Urgent: the suspect was arrested tonight",
    )
    _close(meeting, world)
    labels = {
        readers.label for _audience, readers in selectors.audiences_of_meeting(meeting).values()
    }
    # investigator (break-glass) and supervisor: two police readers, two views. The
    # investigator's view is every case, the partnership-wide one.
    assert f"{selectors.PARTNERSHIP_WIDE_LABEL}; also police agency (1 of 2 readers)" in labels
    assert "police agency (1 of 2 readers)" in labels
    assert "police agency" not in labels


def test_html_page_and_download_list_name_the_same_audience(world, meeting, client, login):
    _close(meeting, world)
    generate_minutes(meeting.pk)
    for role, label in (
        (Role.CLINICIAN, "health agency"),
        (Role.CLINIC_CHAIR, selectors.PARTNERSHIP_WIDE_LABEL),
    ):
        login(world.members[role])
        page = client.get(reverse("triage:meeting-minutes", args=[meeting.pk])).content.decode()
        assert f'<strong class="minutes-prepared-for">{label}</strong>' in page
        assert f'<dd class="govuk-summary-list__value minutes-prepared-for">{label}</dd>' in page
        table = page.split('id="minutes-files"')[1].split("</table>")[0]
        if role == Role.CLINICIAN:
            # Only the file made for health's readers.
            assert table.count('<tr class="govuk-table__row">') == 2
            assert label in table and "police agency" not in table
        else:
            # The chair may download every audience's file; each row names its audience.
            for name in LABELS.values():
                assert name in table
    # The API says the same.
    login(world.members[Role.CLINICIAN])
    response = client.get(reverse("api:meeting-minutes-list", kwargs={"meeting_pk": meeting.pk}))
    assert response.json()[0]["prepared_for"] == "health agency"


def test_pdfs_are_tagged_for_accessibility(world, meeting, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdfinfo") is None:
        # .ci/run installs poppler-utils, so CI never skips this check.
        assert not os.environ.get("CI"), "pdfinfo (poppler-utils) is missing in CI"
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    _close(meeting, world)
    audience = selectors.audience_for(world.members[Role.CLINICIAN], meeting)
    minutes = services.minutes_generate(meeting=meeting, audience=audience)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(minutes.pdf.open("rb").read())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    fields = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in info.stdout.splitlines()
        if ":" in line
    }
    assert fields["Tagged"] == "yes"
    assert fields["Title"].startswith("Minutes: Northshire triage clinic")


def test_pdfs_carry_the_structure_tree_without_pdfinfo_too(world, meeting):
    """The same check read with pypdf, so it runs where poppler-utils is not installed:
    a tagged PDF marks itself (MarkInfo /Marked true), has a structure tree and names its
    language."""
    _close(meeting, world)
    audience = selectors.audience_for(world.members[Role.ADVOCATE], meeting)
    minutes = services.minutes_generate(meeting=meeting, audience=audience)
    root = PdfReader(minutes.pdf.open("rb")).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")
