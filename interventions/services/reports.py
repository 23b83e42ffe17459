"""Writes of the end-of-intervention report: draft it, then send it.

Decisions the issue leaves open, as the agencies would want them:
- a report is written once the enrolment has ended (completed or dropped out): it is the
  end-of-intervention report;
- outcomes are rated achieved / partly / not achieved for "overall" and for each fACT
  component covered in a session attended (derived from the sessions); every one rated;
- the shareable summary is separate from the clinical notes, which never leave the
  provider (not on the case page, not in the API for other agencies, not in the PDF);
- "the agencies the contract names": the contract signed at consent shares progress with
  the criminal-justice agencies on the case, so sending needs ``shares_progress`` and goes
  to the police and probation agencies the case is shared with, one disclosure row each;
- once sent it no longer changes (a correction is a conversation, not a silent edit)."""

from django.db import transaction
from django.utils import timezone

from accounts.roles import AgencyKind
from audit.models import Action
from cases.selectors.core import shared_agencies
from interventions.models import EndReport, EnrolmentStatus, OutcomeRating
from interventions.selectors.reports import objectives_of, report_of

from .enrolments import _audit, _fresh, _raise, _require_provider

SUMMARY_MAX = 5000
NOTES_MAX = 20000
RECIPIENT_KINDS = (AgencyKind.POLICE, AgencyKind.PROBATION)


def report_errors(enrolment, *, outcomes, summary, clinical_notes=""):
    """Every problem with a report draft at once, {field: message}; errors on a rating are
    keyed ``outcomes.<objective code>``."""
    enrolment = _fresh(enrolment)
    errors = {}
    if enrolment.status not in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT):
        return {"summary": "Write the end report once the intervention has ended."}
    existing = report_of(enrolment)
    if existing is not None and existing.sent:
        return {"summary": "This report has been sent: it can no longer change."}
    outcomes = outcomes if isinstance(outcomes, dict) else {}
    objectives = objectives_of(enrolment)
    codes = {code for code, _ in objectives}
    if any(code not in codes for code in outcomes):
        errors["outcomes"] = "Rate only the overall outcome and the components covered."
    for code, label in objectives:
        if outcomes.get(code) not in OutcomeRating.values:
            errors[f"outcomes.{code}"] = f"Rate “{label}”: achieved, partly or not achieved."
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = "Enter the summary to share with the agencies."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary to {SUMMARY_MAX} characters or fewer."
    if len(clinical_notes or "") > NOTES_MAX:
        errors["clinical_notes"] = f"Keep the notes to {NOTES_MAX} characters or fewer."
    return errors


def report_save(*, actor, membership, enrolment, outcomes, summary, clinical_notes=""):
    """Write or rewrite the draft end report."""
    _require_provider(membership, enrolment)
    _raise(
        report_errors(enrolment, outcomes=outcomes, summary=summary, clinical_notes=clinical_notes)
    )
    with transaction.atomic():
        report, created = EndReport.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "outcomes": dict(outcomes),
                "summary": summary.strip(),
                "clinical_notes": (clinical_notes or "").strip(),
                "drafted_at": timezone.now(),
                "drafted_by": actor,
            },
        )
        _audit(
            actor=actor,
            membership=membership,
            obj=report,
            case=enrolment.case,
            action=Action.CREATE if created else Action.UPDATE,
        )
    return report


def report_recipients(enrolment):
    """The police and probation agencies the case is shared with."""
    return [
        link.agency
        for link in shared_agencies(enrolment.case)
        if link.agency.kind in RECIPIENT_KINDS and link.agency.active
    ]


def send_errors(enrolment):
    report = report_of(enrolment)
    if report is None:
        return {"report": "Write the end report before sending it."}
    if report.sent:
        return {"report": f"This report was sent on {timezone.localtime(report.sent_at):%d/%m/%Y}."}
    if not enrolment.shares_progress:
        return {"report": "The sharing contract does not share progress: it cannot be sent."}
    if not report_recipients(enrolment):
        return {"report": "The case is not shared with the police or probation: nobody to send to."}
    return {}


def report_send(*, actor, membership, enrolment):
    """Send the end report's shareable part to the agencies the contract names: they see
    it on the case's Interventions section and can download its PDF."""
    _require_provider(membership, enrolment)
    _raise(send_errors(enrolment))
    recipients = report_recipients(enrolment)
    with transaction.atomic():
        report = EndReport.objects.select_for_update().get(enrolment=enrolment)
        _raise(send_errors(enrolment))
        report.sent_at = timezone.now()
        report.sent_by = actor
        report.sent_to_agency_ids = sorted(agency.pk for agency in recipients)
        report.save(update_fields=["sent_at", "sent_by", "sent_to_agency_ids"])
        for agency in recipients:
            _audit(
                actor=actor,
                membership=membership,
                obj=report,
                case=enrolment.case,
                action=Action.DISCLOSE,
                recipient_agency=agency.name,
                recipient_agency_id=agency.pk,
            )
    return report


def report_pdf(report, *, objectives):
    """(pdf bytes, file name) of the report's shareable part: never the clinical notes."""
    from django.template.loader import render_to_string

    from config.pdf import render_pdf
    from interventions.selectors.reports import outcome_rows

    html = render_to_string(
        "interventions/end_report_document.html",
        {
            "report": report,
            "enrolment": report.enrolment,
            "outcomes": outcome_rows(report, objectives),
            "generated_at": timezone.now(),
        },
    )
    pdf, _pages = render_pdf(html)
    return pdf, f"end-report-{report.enrolment_id}.pdf"
