"""Meeting minutes: the HTML version for the reader, the PDF download (audited each time)
and closing a meeting (which queues the minutes job)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from triage.selectors import minutes as selectors
from triage.services import minutes as services


@member_required(Cap.VIEW_CASES)
def meeting_minutes(request, pk):
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    closed = selectors.is_closed(meeting)
    context = {
        "meeting": meeting,
        "closed": closed,
        "can_close": can(membership, Cap.RUN_CLINIC),
    }
    if closed:
        discussed = selectors.discussed_case_ids(meeting)
        audience = selectors.audience_for(membership, meeting, discussed)
        context["m"] = selectors.minutes_content(meeting, audience, discussed_count=len(discussed))
        record_event(
            action=AuditAction.VIEW,
            actor=request.user,
            obj=meeting,
            detail={"minutes": "html", "case_ids": list(audience.case_ids)},
        )
    return render(request, "triage/minutes.html", context)


@member_required(Cap.VIEW_CASES)
def meeting_minutes_pdf(request, pk):
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    if not selectors.is_closed(meeting):
        raise Http404("The meeting has no minutes yet.")
    minutes = services.minutes_for_reader(membership=membership, meeting=meeting)
    record_event(
        action=AuditAction.DOWNLOAD,
        actor=request.user,
        obj=minutes,
        detail={"meeting": meeting.pk, "case_ids": minutes.case_ids},
    )
    filename = f"minutes-{slugify(meeting.clinic.name)}-{meeting.held_on:%Y-%m-%d}.pdf"
    return FileResponse(
        minutes.pdf.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@require_POST
@member_required(Cap.RUN_CLINIC)
def meeting_close(request, pk):
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    try:
        services.meeting_close(actor=request.user, meeting=meeting, membership=request.membership)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "Meeting closed. The minutes are being produced.")
    return redirect("triage:meeting-minutes", meeting.pk)
