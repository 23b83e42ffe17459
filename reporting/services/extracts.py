"""The pseudonymised research extract: asking for one, the partnership admin's decision,
and the build (the job, through reporting.services.reports.report_run_build).

The rules:
- Any member who runs reports may ask, with a period, an optional local area and a typed
  purpose (20 characters or more): reporting.services.reports.report_run_start makes the
  run, which waits (approval REQUESTED, not queued), and ``report_extract_requested``
  notifies the partnership's admins (link and title only).
- A partnership admin approves or refuses it with a note. Two people see every extract of
  personal data: the admin who decides is never the person who asked. An admin's own
  request waits for another admin; in a partnership with a single admin it cannot be
  approved until a second admin is appointed (the pages say so). Nothing lets anyone
  approve their own request.
- Approved: the job is queued and the requester is told when it is ready (report_run_build).
  Refused: the run is ended (FAILED, the refusal in its message, never retryable), it is
  never built, and the requester is told.
- The build writes the CSV and the data dictionary from one column list and records an
  EXPORT event with the row count."""

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import can
from accounts.models import Membership
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from config.jobs import JobStatus, job_queue
from config.spreadsheets import csv_writer
from reporting.documents import CSV_TYPE, Built, OutputFile
from reporting.models import ApprovalStatus, NotificationKind, ReportKind, ReportRun
from reporting.selectors.extracts import (
    COLUMN_NAMES,
    approver_ids,
    dictionary_rows,
    extract_rows,
    pseudonym_key,
)
from reporting.selectors.scope import Scope
from reporting.services.notifications import notify_now

DICTIONARY_NAME = "data-dictionary.csv"


def extract_file_name(run):
    return f"research-extract-{run.period_start:%Y-%m-%d}-to-{run.period_end:%Y-%m-%d}.csv"


def report_extract_requested(*, run):
    """Tell the partnership's admins (never the requester) that ``run`` waits for their
    decision: title and link only. Called by report_run_start, in its transaction, for the
    run it made (approval REQUESTED, not queued) after its audit row."""
    if run.kind != ReportKind.RESEARCH_EXTRACT or run.approval != ApprovalStatus.REQUESTED:
        raise ValidationError({"run": "Only a research extract waiting for approval."})
    return notify_now(
        partnership=run.partnership,
        recipient_ids=approver_ids(run.partnership_id, excluding_user_id=run.requested_by_id),
        kind=NotificationKind.EXTRACT_APPROVAL,
        event_key=f"extract-approval:{run.pk}",
        title="A research extract is waiting for your approval",
        link=reverse("reporting:extract-decide", args=[run.pk]),
    )


def decision_errors(*, actor, run):
    """{field: message} when ``actor`` cannot decide ``run`` now (empty when they can)."""
    if run.kind != ReportKind.RESEARCH_EXTRACT:
        return {"decision": "Only a research extract needs approval."}
    if run.approval != ApprovalStatus.REQUESTED:
        decided = run.get_approval_display().lower()
        return {"decision": f"This request has already been decided ({decided})."}
    if run.requested_by_id == actor.pk:
        return {"decision": "You asked for this extract: another partnership admin must decide it."}
    return {}


def report_extract_decide(*, actor, membership, run, approve, note):
    """Approve (queue the build) or refuse an extract request, with a note that is the
    audit row's reason. Raises PermissionDenied for a member who is not the partnership's
    admin and ValidationError for a request that cannot be decided or a missing note."""
    if membership is None or not can(membership, Cap.MANAGE_PARTNERSHIP):
        raise PermissionDenied("Only a partnership admin decides research extracts.")
    if run.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not one of this partnership's extracts.")
    note = (note or "").strip()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        errors = decision_errors(actor=actor, run=run)
        if not note:
            errors["note"] = (
                "Say why you approve it (the agreement it falls under)."
                if approve
                else "Say why you refuse it: the person who asked is told."
            )
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        run.approval = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
        run.decided_by = actor
        run.decided_at = now
        run.decision_note = note
        fields = ["approval", "decided_by", "decided_at", "decision_note"]
        if not approve:
            run.status = JobStatus.FAILED
            run.message = "The partnership admin refused this extract."
            run.retryable = False
            run.finished_at = now
            fields += ["status", "message", "retryable", "finished_at"]
        run.save(update_fields=fields)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=run,
            reason=note,
            detail={"approval": run.approval},
        )
        if approve:
            job_queue(run)
        else:
            notify_now(
                partnership=membership.agency.partnership,
                recipient_ids=[run.requested_by_id],
                kind=NotificationKind.EXTRACT_APPROVAL,
                event_key=f"extract-refused:{run.pk}",
                title="Your research extract request was refused",
                link=reverse("reporting:extract-list"),
            )
    return run


def _requester_membership(run):
    """The requester's membership in the run's partnership (for the audit row's agency)."""
    if run.requested_by_id is None:
        return None
    return (
        Membership.objects.filter(
            user_id=run.requested_by_id, agency__partnership_id=run.partnership_id
        )
        .select_related("agency")
        .order_by("-active", "pk")
        .first()
    )


def build(run, progress):
    """The job's builder: the extract's CSV and its data dictionary, and the EXPORT audit
    row with the number of rows. Only an approved extract is ever built."""
    if run.kind != ReportKind.RESEARCH_EXTRACT or run.approval != ApprovalStatus.APPROVED:
        raise PermissionDenied("A research extract is built only once it is approved.")
    secret = pseudonym_key(run.partnership)
    scope = Scope.of_run(run)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    rows = 0
    for row in extract_rows(scope, secret, progress=progress):
        writer.writerow(row)
        rows += 1
    extract = out.getvalue().encode("utf-8")
    del out
    dictionary = io.StringIO()
    dictionary.write("\ufeff")
    dictionary_writer = csv_writer(dictionary, lineterminator="\r\n")
    dictionary_writer.writerow(["column", "meaning", "values"])
    dictionary_writer.writerows(dictionary_rows(run.partnership_id))
    record_event(
        action=Action.EXPORT,
        actor=run.requested_by,
        membership=_requester_membership(run),
        obj=run,
        reason=run.purpose,
        detail={"rows": rows, "run": run.pk, "kind": run.kind},
    )
    return Built(
        figures={"rows": {"": rows}},
        files=[
            OutputFile(extract_file_name(run), CSV_TYPE, extract),
            OutputFile(DICTIONARY_NAME, CSV_TYPE, dictionary.getvalue().encode("utf-8")),
        ],
        row_count=rows,
    )
