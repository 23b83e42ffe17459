"""The end-of-intervention report (issue 12 item 7): outcomes per objective (overall and the
components covered), a shareable summary separate from the clinical notes, sent to the
police and probation agencies on the case (a disclosure row each) and seen there; a tagged
PDF of the shareable part. No clinical note or report note reaches any other agency, on the
page, in the API or in the PDF (asserted on marker strings)."""

import shutil
import subprocess
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import AccessEvent, Action
from interventions.models import Attendance, EndReport
from interventions.services import reports as report_services
from tests.factories import open_case
from tests.factories_interventions import at, attend, book, refer

pytestmark = pytest.mark.django_db

SESSION_NOTE = "MARKER-session-note-rumination"
REPORT_NOTE = "MARKER-report-clinical-formulation"
SUMMARY = "Attended all six sessions and completed a relapse-prevention plan."


@pytest.fixture
def clinician(world):
    return world.members[Role.CLINICIAN]


@pytest.fixture
def case(world):
    agencies = [world.agencies[k] for k in ("health", "probation", "advocacy", "cps")]
    investigator = world.members[Role.INVESTIGATOR]
    return open_case(investigator, shared_with=agencies, officer_in_charge=investigator.user)


def _completed(clinician, case, planned=4):
    start = timezone.localdate() - timedelta(days=7 * planned + 14)
    enrolment = refer(
        clinician, case, referred_on=start, consent_on=start, planned_sessions=planned
    )
    for week in range(1, planned + 1):
        session = book(clinician, enrolment, at(start + timedelta(days=7 * week)))
        components = ["open"] if week % 2 else ["engaged"]
        attend(
            clinician,
            session,
            Attendance.ATTENDED_ENGAGED,
            components=components,
            notes=SESSION_NOTE,
        )
    return enrolment


def _save(member, enrolment, **values):
    values.setdefault("outcomes", {"overall": "achieved", "open": "partly", "engaged": "achieved"})
    values.setdefault("summary", SUMMARY)
    values.setdefault("clinical_notes", REPORT_NOTE)
    return report_services.report_save(
        actor=member.user, membership=member, enrolment=enrolment, **values
    )


def _send(member, enrolment):
    return report_services.report_send(actor=member.user, membership=member, enrolment=enrolment)


def test_only_an_ended_intervention_gets_a_report_and_every_objective_is_rated(
    world, clinician, case
):
    start = timezone.localdate() - timedelta(days=10)
    running = refer(clinician, case, referred_on=start, consent_on=start)
    with pytest.raises(ValidationError) as error:
        _save(clinician, running)
    assert "ended" in error.value.message_dict["summary"][0]
    enrolment = _completed(clinician, case)
    with pytest.raises(ValidationError) as error:
        _save(
            clinician,
            enrolment,
            outcomes={"overall": "brilliant", "aware": "achieved"},
            summary="  ",
            clinical_notes="x" * 20001,
        )
    assert set(error.value.message_dict) == {
        "outcomes",
        "outcomes.overall",
        "outcomes.open",
        "outcomes.engaged",
        "summary",
        "clinical_notes",
    }
    assert not EndReport.objects.exists()
    report = _save(clinician, enrolment)
    assert report.outcomes["open"] == "partly" and not report.sent
    assert AccessEvent.objects.filter(
        action=Action.CREATE, object_type="interventions.EndReport", object_id=str(report.pk)
    ).exists()


def test_sent_to_police_and_probation_once_and_then_fixed(world, clinician, case):
    enrolment = _completed(clinician, case)
    with pytest.raises(ValidationError) as error:
        _send(clinician, enrolment)
    assert set(error.value.message_dict) == {"report"}
    _save(clinician, enrolment)
    report = _send(clinician, enrolment)
    police, probation = world.agencies["police"], world.agencies["probation"]
    assert sorted(report.sent_to_agency_ids) == sorted([police.pk, probation.pk])
    disclosed = AccessEvent.objects.filter(
        action=Action.DISCLOSE, object_type="interventions.EndReport", object_id=str(report.pk)
    )
    assert sorted(e.detail["recipient_agency_id"] for e in disclosed) == sorted(
        [police.pk, probation.pk]
    )
    with pytest.raises(ValidationError):
        _send(clinician, enrolment)
    with pytest.raises(ValidationError) as error:
        _save(clinician, enrolment, summary="Rewritten.")
    assert "sent" in error.value.message_dict["summary"][0]
    assert EndReport.objects.get().summary == SUMMARY


def test_not_sent_when_the_contract_does_not_share_progress(world, clinician, case):
    from interventions.services import enrolments as enrolment_services

    enrolment = _completed(clinician, case)
    enrolment_services.consent_record(
        actor=clinician.user,
        membership=clinician,
        enrolment=enrolment,
        consent_signed_on=enrolment.consent_signed_on,
        shares_compliance=True,
    )
    _save(clinician, enrolment)
    enrolment.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _send(clinician, enrolment)
    assert "progress" in error.value.message_dict["report"][0]


def _pdf_text(content, tmp_path):
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(content)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        return out.stdout
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_compartment_holds_on_the_case_page_the_pdf_and_the_api(
    world, clinician, case, client, login, tmp_path
):
    enrolment = _completed(clinician, case)
    _save(clinician, enrolment)
    pdf_url = reverse("interventions:end-report-pdf", args=[enrolment.pk])
    case_url = reverse("interventions:case-interventions", args=[case.pk])
    # Before sending, nobody outside the provider sees the draft.
    login(world.members[Role.PROBATION_OFFICER])
    assert SUMMARY not in client.get(case_url).content.decode()
    assert client.get(pdf_url).status_code == 404
    _send(clinician, enrolment)
    recipients = (Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.PROBATION_OFFICER)
    for role in (*recipients, Role.ADVOCATE, Role.PARTNER, Role.CLINIC_CHAIR):
        member = world.members[role]
        login(member)
        page = client.get(case_url).content.decode()
        assert SESSION_NOTE not in page and REPORT_NOTE not in page, role
        pdf = client.get(pdf_url)
        reads = role in recipients or member.agency_id == enrolment.provider_agency_id
        assert (SUMMARY in page) == reads, role
        assert pdf.status_code == (200 if reads else 404), role
        if reads:
            text = _pdf_text(pdf.content, tmp_path)
            assert "Attended all six sessions" in text
            assert SESSION_NOTE not in text and REPORT_NOTE not in text
        api = client.get(
            reverse("api:interventions-end-report-list", kwargs={"enrolment_pk": enrolment.pk})
        )
        if member.agency_id != enrolment.provider_agency_id:
            assert api.status_code in (403, 404), role
            assert REPORT_NOTE not in api.content.decode()
    downloads = AccessEvent.objects.filter(
        action=Action.DOWNLOAD, object_type="interventions.EndReport"
    )
    assert downloads.count() == 4  # the three recipients and the chair of the provider


def test_the_pdf_is_tagged(world, clinician, case, client, login):
    enrolment = _completed(clinician, case)
    _save(clinician, enrolment)
    login(clinician)
    pdf = client.get(reverse("interventions:end-report-pdf", args=[enrolment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    root = PdfReader(BytesIO(pdf.content)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")


def test_pages_refuse_bad_input_then_save_and_send(world, clinician, case, client, login):
    enrolment = _completed(clinician, case)
    login(clinician)
    url = reverse("interventions:end-report", args=[enrolment.pk])
    form = client.get(url)
    assert (
        form.status_code == 200
        and "Outcome: Open: acceptance and defusion" in form.content.decode()
    )
    bad = client.post(url, {"outcome_overall": "great", "summary": ""})
    assert bad.status_code == 400
    assert {"outcome_overall", "outcome_open", "outcome_engaged", "summary"} <= set(
        bad.context["form"].errors
    )
    assert not EndReport.objects.exists()
    saved = client.post(
        url,
        {
            "outcome_overall": "achieved",
            "outcome_open": "partly",
            "outcome_engaged": "not_achieved",
            "summary": SUMMARY,
            "clinical_notes": REPORT_NOTE,
        },
    )
    assert saved.status_code == 302
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(
        action=Action.VIEW, object_type="interventions.EndReport", detail__section="end-report"
    ).exists()
    send_url = reverse("interventions:end-report-send", args=[enrolment.pk])
    confirm = client.get(send_url).content.decode()
    assert "police agency" in confirm and "probation agency" in confirm
    assert client.post(send_url).status_code == 302
    assert EndReport.objects.get().sent
    again = client.post(send_url)
    assert again.status_code == 400


def test_api_refuses_bad_input_then_saves_sends_and_downloads(
    world, clinician, case, client, login
):
    enrolment = _completed(clinician, case)
    login(clinician)
    url = reverse("api:interventions-end-report-list", kwargs={"enrolment_pk": enrolment.pk})
    assert client.get(url).status_code == 404
    bad = client.post(
        url,
        {"outcomes": {"overall": "achieved"}, "summary": SUMMARY},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"outcomes.open", "outcomes.engaged"}
    body = {
        "outcomes": {"overall": "achieved", "open": "partly", "engaged": "achieved"},
        "summary": SUMMARY,
        "clinical_notes": REPORT_NOTE,
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["sent_at"] is None
    send = reverse("api:interventions-end-report-send", kwargs={"enrolment_pk": enrolment.pk})
    sent = client.post(send, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["sent_at"]
    assert client.post(send, content_type="application/json").status_code == 400
    pdf = client.get(
        reverse("api:interventions-end-report-pdf", kwargs={"enrolment_pk": enrolment.pk})
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_break_glass_never_opens_the_report(world, clinician, client, login):
    from audit.services import break_glass_open

    investigator = world.members[Role.INVESTIGATOR]
    hidden = open_case(
        investigator, shared_with=[world.agencies["health"]], officer_in_charge=investigator.user
    )
    enrolment = _completed(clinician, hidden)
    _save(clinician, enrolment)
    _send(clinician, enrolment)  # to the police only: probation is not on the case
    probation = world.members[Role.PROBATION_OFFICER]
    break_glass_open(
        actor=probation.user, membership=probation, case=hidden, reason="Urgent check out of hours"
    )
    login(probation)
    page = client.get(reverse("interventions:case-interventions", args=[hidden.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert SUMMARY not in body and REPORT_NOTE not in body and SESSION_NOTE not in body
    pdf = client.get(reverse("interventions:end-report-pdf", args=[enrolment.pk]))
    assert pdf.status_code == 404
