"""Report runs: ask for one, run it again, build it (the job), download its files, and the
quarterly beat job. Keyword-only; each call one transaction and its audit row.

A run's life: ``report_run_start`` validates the request and queues the job (a research
extract first waits for the partnership admin's approval: reporting.services.extracts).
The job (``report_run_build``) calls the kind's builder, which reports progress as it goes,
then stores the files, the figures and their records in one transaction and tells the
requester (link only). A second delivery of the job finds the row finished and does
nothing; a retry after a crash replaces whatever a half-finished attempt left."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.access import can
from accounts.models import Membership
from accounts.roles import Cap, Role
from audit.models import Action
from audit.services import record_event
from config.jobs import job_beat, job_holds, job_queue
from reporting.models import (
    ApprovalStatus,
    LocalArea,
    NotificationKind,
    ReportFigure,
    ReportFile,
    ReportKind,
    ReportRun,
)
from reporting.periods import first_working_day_after, period_errors, quarter_just_ended
from reporting.services.extracts import report_extract_requested
from reporting.services.notifications import notify_now


def _require_reports(membership):
    if membership is None or not can(membership, Cap.VIEW_REPORTS):
        raise PermissionDenied("Only managers and partnership admins run reports.")


# Each kind's builder, by dotted path: imported by the job that needs it (each reads many
# apps), and so that the builders' modules may use this one's services.
BUILDERS = {
    ReportKind.QUARTERLY_RETURN: "reporting.services.returns.build",
    ReportKind.EVALUATION_PACK: "reporting.services.evaluation.build",
    ReportKind.RESEARCH_EXTRACT: "reporting.services.extracts.build",
}


def _builder(kind):
    return import_string(BUILDERS[kind])


def run_errors(*, partnership, kind, period_start, period_end, local_area, agency, today):
    """{field: message} for a run that cannot be asked for."""
    period = period_errors(period_start, period_end, today=today)
    errors = {f"period_{field}": message for field, message in period.items()}
    if kind not in ReportKind.values:
        errors["kind"] = "Choose a report."
    if local_area is not None and local_area.partnership_id != partnership.pk:
        errors["local_area"] = "Choose one of the partnership's local areas."
    if agency is not None and agency.partnership_id != partnership.pk:
        errors["agency"] = "Choose one of the partnership's agencies."
    if local_area is not None and agency is not None:
        errors["agency"] = "Choose a local area or an agency, not both."
    return errors


@transaction.atomic
def report_run_start(
    *,
    actor,
    membership,
    kind,
    period_start,
    period_end,
    local_area=None,
    agency=None,
    parameters=None,
    purpose="",
    previous=None,
):
    """Ask for a report. Raises ValidationError ({field: message}) for a bad request."""
    _require_reports(membership)
    partnership = membership.agency.partnership
    errors = run_errors(
        partnership=partnership,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        local_area=local_area,
        agency=agency,
        today=timezone.localdate(),
    )
    needs_approval = kind == ReportKind.RESEARCH_EXTRACT
    if needs_approval and len(purpose.strip()) < 20:
        errors["purpose"] = (
            "Say what the extract is for and who will use it (20 characters or more)."
        )
    if errors:
        raise ValidationError(errors)
    run = ReportRun.objects.create(
        partnership=partnership,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        local_area=local_area,
        agency=agency,
        parameters=parameters or {},
        requested_by=actor,
        purpose=purpose.strip(),
        approval=ApprovalStatus.REQUESTED if needs_approval else ApprovalStatus.NOT_NEEDED,
        previous=previous,
    )
    record_event(
        action=Action.CREATE,
        actor=actor,
        membership=membership,
        obj=run,
        reason=run.purpose,
        detail={"kind": kind, "start": str(period_start), "end": str(period_end)},
    )
    if needs_approval:
        report_extract_requested(run=run)  # the admins are told; nothing is built yet
    else:
        job_queue(run)
    return run


def report_run_again(*, actor, membership, run):
    """The same report over the same period and scope, built from today's records; its page
    shows which figures changed since ``run``."""
    return report_run_start(
        actor=actor,
        membership=membership,
        kind=run.kind,
        period_start=run.period_start,
        period_end=run.period_end,
        local_area=run.local_area,
        agency=run.agency,
        parameters=run.parameters,
        purpose=run.purpose,
        previous=run,
    )


@transaction.atomic
def report_run_retry(*, actor, membership, run):
    _require_reports(membership)
    if not run.can_retry:
        raise ValidationError({"run": "Only a failed run can be tried again."})
    job_queue(run)
    record_event(
        action=Action.UPDATE, actor=actor, membership=membership, obj=run, detail={"retry": True}
    )
    return run


def _progress(run_id):
    last = {"value": -1}

    def report(percent):
        percent = max(0, min(99, int(percent)))
        if percent != last["value"]:
            last["value"] = percent
            ReportRun.objects.filter(pk=run_id).update(progress=percent)
            job_beat(ReportRun, run_id)

    return report


def report_run_build(*, run_id, token=None):
    """The job: build the run's figures and files and store them, or nothing."""
    run = ReportRun.objects.select_related("local_area", "partnership").get(pk=run_id)
    if run.approval in (ApprovalStatus.REQUESTED, ApprovalStatus.REFUSED):
        return run
    built = _builder(run.kind)(run, _progress(run.pk))
    with transaction.atomic():
        if token is not None and not job_holds(ReportRun, run.pk, token, lock=True):
            return run
        _store(run, built)
        _tell_ready(run)
    return run


def _store(run, built):
    for old in run.files.all():
        old.file.delete(save=False)
    run.files.all().delete()
    run.figure_rows.all().delete()
    for output in built.files:
        stored = ReportFile(
            run=run, name=output.name, content_type=output.content_type, size=len(output.content)
        )
        stored.file.save(f"run-{run.pk}-{output.name}", ContentFile(output.content), save=False)
        stored.save()
    ReportFigure.objects.bulk_create(
        [
            ReportFigure(run=run, metric=metric, group=group, value=value, units=units)
            for metric, group, value, units in built.figure_rows
        ],
        batch_size=500,
    )
    run.figures = built.figures
    run.row_count = built.row_count
    run.progress = 100
    run.save(update_fields=["figures", "row_count", "progress"])


def _manager_ids(partnership_id):
    return list(
        Membership.objects.filter(
            agency__partnership_id=partnership_id,
            active=True,
            user__is_active=True,
            role__in=[Role.MANAGER, Role.PARTNERSHIP_ADMIN],
        ).values_list("user_id", flat=True)
    )


def _tell_ready(run):
    """The requester (an automatic run: the partnership's managers and admins) gets one
    notification and an email with the link only; never twice for one run."""
    recipients = [run.requested_by_id] if run.requested_by_id else _manager_ids(run.partnership_id)
    notify_now(
        partnership=run.partnership,
        recipient_ids=recipients,
        kind=NotificationKind.REPORT_READY,
        event_key=f"report-ready:{run.pk}",
        title=f"{run.get_kind_display()} ready",
        link=reverse("reporting:run-detail", args=[run.pk]),
    )
    ReportRun.objects.filter(pk=run.pk, notified_at__isnull=True).update(notified_at=timezone.now())


def report_file_download(*, actor, membership, report_file):
    """Audits one download of a run's file and returns it for the view to stream."""
    record_event(
        action=Action.DOWNLOAD,
        actor=actor,
        membership=membership,
        obj=report_file.run,
        detail={"file": report_file.name, "size": report_file.size},
    )
    return report_file


def quarterly_returns_due(*, today):
    """The beat job: on or after the first working day after a quarter, build that
    quarter's return once for every partnership and every active local area. Running it
    again (the same day or later) finds the runs already made and adds none. Returns the
    runs it queued."""
    from accounts.models import Partnership

    quarter = quarter_just_ended(today)
    if today < first_working_day_after(quarter):
        return []
    queued = []
    for partnership in Partnership.objects.all():
        areas = [None, *LocalArea.objects.filter(partnership=partnership, active=True)]
        for area in areas:
            with transaction.atomic():
                run, created = ReportRun.objects.get_or_create(
                    partnership=partnership,
                    kind=ReportKind.QUARTERLY_RETURN,
                    period_start=quarter.start,
                    period_end=quarter.end,
                    local_area=area,
                    automatic=True,
                )
                if created:
                    job_queue(run)
                    queued.append(run)
    return queued
