"""Producing a closed meeting's minutes, one PDF per audience. The chair closes the
meeting with triage.services.clinics.meeting_close, whose meeting_closed signal queues
the job (queue_minutes).

An audience is the set of the meeting's discussed cases a reader may see
(triage.selectors.minutes.audience_for); readers with the same view share one
MinutesFile (unique per meeting and audience key), so producing minutes again adds
nothing. Victim contact details are never in minutes (see triage.selectors.minutes).
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action as AuditAction
from audit.services import record_event
from config.jobs import job_beat, job_queue
from triage.models import MeetingStatus, MinutesFile, MinutesJob
from triage.selectors import minutes as selectors

log = logging.getLogger(__name__)
JOB = "minutes job"


def queue_minutes(sender=None, *, meeting, **kwargs):
    """Receiver of triage.services.clinics.meeting_closed (sent after the closing
    transaction commits): queue the meeting's minutes job (its MinutesJob row). Connected
    in triage.apps. A broker that cannot take the job marks the row FAILED (the chair sees
    it with "Try again"); each reader's version is also made on first download."""
    try:
        job, _ = MinutesJob.objects.get_or_create(meeting=meeting)
        job_queue(job)
    except Exception:
        # The meeting is closed already (this runs after commit): never an error page.
        log.exception("Could not queue the minutes of meeting %s", meeting.pk)


def minutes_retry(*, actor, membership, meeting):
    """The chair's "Try again" on a failed minutes job: queue it again."""
    if not can(membership, Cap.RUN_CLINIC):
        raise PermissionDenied("Only a clinic chair runs meetings.")
    if meeting.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's meeting.")
    job = MinutesJob.objects.filter(meeting=meeting).first()
    if meeting.status != MeetingStatus.CLOSED or job is None or not job.can_retry:
        raise ValidationError({"minutes": "The minutes job has not failed: nothing to retry."})
    with transaction.atomic():
        job_queue(job)
        record_event(
            action=AuditAction.UPDATE,
            actor=actor,
            membership=membership,
            obj=meeting,
            detail={"minutes": "retry", "attempts": job.attempts},
        )
    return job


def render_minutes_html(meeting, audience, *, prepared_for, generated_at=None, document=True):
    """The minutes as HTML: a standalone print document (for the PDF) or the page body."""
    content = selectors.minutes_content(meeting, audience)
    return render_to_string(
        "triage/minutes_document.html" if document else "triage/minutes_body.html",
        {
            "m": content,
            "meeting": meeting,
            "prepared_for": prepared_for,
            "minutes_version": meeting.minutes_version,
            "generated_at": generated_at or timezone.now(),
        },
    )


def minutes_generate(*, meeting, audience, readers=None):
    """The MinutesFile for this audience, rendering it only if it does not exist yet. The
    file names its readers (selectors.Readers), in the PDF and on the file row alike."""
    existing = selectors.minutes_file_for(meeting, audience)
    if existing is not None:
        return existing
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError({"status": "Minutes are produced once the meeting is closed."})
    from config.pdf import render_pdf

    if readers is None:
        readers = selectors.readers_of(meeting, audience)
    generated_at = timezone.now()
    html = render_minutes_html(
        meeting, audience, prepared_for=readers.label, generated_at=generated_at
    )
    pdf, pages = render_pdf(html)
    name = f"minutes-{meeting.pk}-v{meeting.minutes_version}-{audience.key[:16]}.pdf"
    try:
        with transaction.atomic():
            minutes = MinutesFile(
                meeting=meeting,
                audience_key=audience.key,
                case_ids=list(audience.case_ids),
                contact_withheld=True,
                prepared_for=readers.label,
                agency_ids=list(readers.agency_ids),
                partnership_wide=readers.partnership_wide,
                version=meeting.minutes_version,
                page_count=pages,
                generated_at=generated_at,
            )
            minutes.pdf.save(name, ContentFile(pdf), save=False)
            minutes.save()
            record_event(
                action=AuditAction.CREATE,
                obj=minutes,
                actor_email=JOB,
                detail={
                    "meeting": meeting.pk,
                    "case_ids": list(audience.case_ids),
                    "prepared_for": readers.label,
                    "version": meeting.minutes_version,
                },
            )
    except IntegrityError:
        # Another worker made the same audience's file first: keep theirs.
        minutes.pdf.delete(save=False)
        return selectors.minutes_file_for(meeting, audience)
    return minutes


def minutes_generate_all(*, meeting, token=None):
    """Every audience of the attending agencies' members and the partnership-wide one.
    Under the minutes job (``token``), the job row beats after each audience."""
    files = []
    for audience, readers in selectors.audiences_of_meeting(meeting).values():
        files.append(minutes_generate(meeting=meeting, audience=audience, readers=readers))
        if token is not None:
            job_beat(MinutesJob, meeting.pk)
    log.info("Minutes of meeting %s: %s audience(s)", meeting.pk, len(files))
    return files


def download_name(meeting, minutes):
    """The file name a download gets: clinic, date, version (and "superseded")."""
    superseded = "-superseded" if minutes.superseded else ""
    return (
        f"minutes-{slugify(meeting.clinic.name)}-{meeting.held_on:%Y-%m-%d}"
        f"-v{minutes.version}{superseded}.pdf"
    )


def minutes_for_reader(*, membership, meeting):
    """The reader's version: made now if missing (a case shared after the meeting closed
    gives the reader a view nobody had when the job ran)."""
    audience = selectors.audience_for(membership, meeting)
    return minutes_generate(meeting=meeting, audience=audience)
