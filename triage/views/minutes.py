"""Meeting minutes: the HTML version for the reader and the PDF download (audited each
time). Closing a meeting is on the meeting page (triage.views_clinics.meeting_close)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
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
        "is_chair": can(membership, Cap.RUN_CLINIC),
    }
    if closed:
        audience = selectors.audience_for(membership, meeting)
        context["m"] = selectors.minutes_content(meeting, audience)
        context["files"] = selectors.minutes_files_for_reader(membership, meeting, audience)
        current = next(
            (
                f
                for f in context["files"]
                if f.audience_key == audience.key and f.version == meeting.minutes_version
            ),
            None,
        )
        # The label the reader's PDF carries (or will carry, once made on first download).
        context["prepared_for"] = (
            current.prepared_for if current else selectors.readers_of(meeting, audience).label
        )
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
    return _download(request, meeting, minutes)


def _download(request, meeting, minutes):
    record_event(
        action=AuditAction.DOWNLOAD,
        actor=request.user,
        obj=minutes,
        detail={
            "meeting": meeting.pk,
            "case_ids": minutes.case_ids,
            "version": minutes.version,
            "superseded": minutes.superseded,
            "prepared_for": minutes.prepared_for,
        },
    )
    return FileResponse(
        minutes.pdf.open("rb"),
        as_attachment=True,
        filename=services.download_name(meeting, minutes),
        content_type="application/pdf",
    )


@member_required(Cap.VIEW_CASES)
def meeting_minutes_file(request, pk, file_pk):
    """One file from the reader's download list (an earlier, superseded version too)."""
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    minutes = selectors.get_minutes_file_or_404(membership, meeting, file_pk)
    return _download(request, meeting, minutes)


@require_POST
@member_required(Cap.RUN_CLINIC)
def meeting_minutes_retry(request, pk):
    """The chair's "Try again" on a failed minutes job."""
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    try:
        services.minutes_retry(actor=request.user, membership=request.membership, meeting=meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The minutes are being prepared again.")
    return redirect("triage:meeting-minutes", pk=meeting.pk)
