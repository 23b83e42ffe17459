"""Pages of the end-of-intervention report: write it, send it, download its PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import form_status
from interventions.forms.reports import PREFIX, EndReportForm, SendReportForm
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import reports as report_selectors
from interventions.services import reports as report_services

from .enrolments import (
    _enrolment_context,
    _form_page,
    _record_read,
    _saved,
    provider_member,
)


@provider_member
def enrolment_report(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    objectives = report_selectors.objectives_of(enrolment)
    current = report_selectors.report_of(enrolment)
    initial = {}
    if current is not None:
        # The draft's clinical notes are on the form: a read of the compartment.
        _record_read(request, current, enrolment.case, "end-report")
        initial = {PREFIX + code: rating for code, rating in current.outcomes.items()}
        initial.update(summary=current.summary, clinical_notes=current.clinical_notes)
    form = EndReportForm(
        request.POST if request.method == "POST" else None,
        enrolment=enrolment,
        objectives=objectives,
        initial=initial,
    )
    if _saved(
        request,
        form,
        report_services.report_save,
        "End report saved as a draft.",
        form.values,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    context["intro"] = (
        "Rate the outcomes and write the summary the police and probation will read. "
        "Your clinical notes stay with your agency."
    )
    return _form_page(request, context, form, "End-of-intervention report", "Save draft")


@provider_member
def enrolment_report_send(request, pk):
    membership = request.membership
    enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
    form = SendReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.report_send(
                actor=request.user, membership=membership, enrolment=enrolment
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "End report sent.")
            return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    blocked = report_services.send_errors(enrolment).get("report", "")
    context.update(
        form=form,
        heading="Send the end report",
        happens=[
            "The outcomes and summary go to: "
            + (", ".join(a.name for a in report_services.report_recipients(enrolment)) or "nobody")
            + ".",
            "They see them on the case's Interventions section and can download the PDF.",
            "Your clinical notes are not sent.",
        ],
        cannot_undo="Once sent, the report can no longer change.",
        submit_label="Send report",
        blocked="" if form.errors else blocked,
    )
    return render(request, "includes/confirm_page.html", context, status=form_status(request, form))


@member_required(Cap.VIEW_CASES)
def end_report_pdf(request, pk):
    """The report's shareable part as a PDF: for the provider, and for the agencies it was
    sent to. The download is audited."""
    report = report_selectors.report_for_reader_or_404(request.membership, pk)
    return pdf_response(request, report)


def pdf_response(request, report, **detail):
    """The report's shareable PDF as an attachment; the download is audited."""
    enrolment = report.enrolment
    pdf, name = report_services.report_pdf(
        report, objectives=report_selectors.objectives_of(enrolment)
    )
    record_event(
        action=Action.DOWNLOAD,
        actor=request.user,
        obj=report,
        case=enrolment.case,
        detail={"end_report_pdf": enrolment.pk, **detail},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
