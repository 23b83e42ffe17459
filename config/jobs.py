"""Background jobs: queue a task by name after commit, and the one shape of a job row.

Services enqueue through here, so no service imports its task module: the task module
imports the service, never the other way round. The task is looked up by name; the first
lookup in a web process imports every app's tasks module (Celery's autodiscovery), as a
worker does when it starts.

A job row (``JobRow``: ImportRun, MinutesJob, later ReportRun) is a user-visible record of
one background job. Its life:

    job_queue(row)        PENDING, queued_at; the task is sent after commit. A send that
                          fails (broker down) marks the row FAILED with a message and
                          ``retryable``: the person sees it at once, with "Try again".
    run_job(task, …)      the task's body: claims the row (PENDING, or RUNNING under the
                          same Celery task id, or RUNNING with a stale heartbeat), runs the
                          work, beats, and ends the row SUCCEEDED or FAILED. Transient
                          database errors are retried with back-off over minutes
                          (``retry_countdown``); when retries run out the row is FAILED.
    sweep_stuck_jobs()    the beat job (config.tasks): a RUNNING row whose heartbeat is
                          older than ``job_stale_after`` (the worker was killed) or a
                          PENDING row queued longer than ``job_pending_after`` (the message
                          was lost) is queued again, up to ``job_max_attempts``, then FAILED.

So every row ends SUCCEEDED or FAILED with a message, whatever happens to the worker, the
broker or the database in between.
"""

import logging
import uuid
from datetime import timedelta

from django.apps import apps
from django.db import DatabaseError, InterfaceError, OperationalError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.celery import app

log = logging.getLogger(__name__)

# Transient database errors: PostgreSQL restarting, a dropped connection, a failover.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# Retries of a transient database error: 5 s, 10 s, 20 s … capped at 5 minutes; eight of
# them cover about 15 minutes of database outage before the row is failed.
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 300
MAX_RETRIES = 8

ENQUEUE_FAILED = (
    "This job could not be started because the background service is unavailable. "
    "Nothing was changed. Try again in a few minutes."
)
WORKER_LOST = (
    "The background worker stopped while running this job and it could not be finished. "
    "Nothing was changed. Try again; if it fails again, tell your system administrator."
)
NEVER_STARTED = (
    "This job waited too long without starting. Nothing was changed. Try again; if it "
    "fails again, tell your system administrator."
)
DATABASE_UNAVAILABLE = (
    "The database was unavailable for too long while running this job. Nothing was "
    "changed. Try again in a few minutes."
)
UNEXPECTED = "Something went wrong while running this job. Nothing was changed. Try again."


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class JobRow(models.Model):
    """The fields and rules every job-backed row shares (abstract)."""

    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    # What the person sees: the outcome, or why it failed.
    message = models.TextField(blank=True)
    # Set with FAILED when the failure was the service's, not the input's: "Try again".
    retryable = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task id of the execution holding a RUNNING row.
    task_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    # The protocol, per model: the task (called with the row's pk) and the limits.
    job_task = ""
    job_stale_after = timedelta(minutes=10)  # RUNNING with no heartbeat this long: lost
    job_pending_after = timedelta(minutes=30)  # PENDING this long: the message was lost
    job_max_attempts = 3

    class Meta:
        abstract = True

    @property
    def in_progress(self):
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def can_retry(self):
        return self.status == JobStatus.FAILED and self.retryable


def job_models():
    """Every concrete model with the job row shape."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, JobRow) and not model._meta.abstract
    ]


def task_named(name):
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def _broker_errors():
    from kombu.exceptions import OperationalError as KombuOperationalError

    errors = [KombuOperationalError, ConnectionError, OSError, TimeoutError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


def enqueue_on_commit(name, *args, on_failure=None):
    """Send the task ``name`` with ``args`` after the surrounding transaction commits (at
    once outside one). If the broker cannot take it, ``on_failure(error)`` is called (and
    the error logged) instead of the error reaching the person as a server error."""

    def send():
        try:
            task_named(name).delay(*args)
        except _broker_errors() as error:
            log.exception("Could not queue %s%r", name, args)
            if on_failure is None:
                raise
            on_failure(error)

    transaction.on_commit(send)


# The job row protocol ---------------------------------------------------------------


def job_queue(row, *, message=""):
    """Mark ``row`` PENDING (queued now) and send its task after commit. A send the broker
    refuses marks the row FAILED and retryable with ENQUEUE_FAILED."""
    model, pk = type(row), row.pk
    now = timezone.now()
    fields = {
        "status": JobStatus.PENDING,
        "queued_at": now,
        "message": message,
        "retryable": False,
        "task_id": "",
        "started_at": None,
        "finished_at": None,
        "heartbeat_at": None,
    }
    model.objects.filter(pk=pk).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)

    def failed(error):
        job_fail(model, pk, ENQUEUE_FAILED, only=(JobStatus.PENDING,))

    enqueue_on_commit(model.job_task, pk, on_failure=failed)
    return row


def job_claim(model, pk, *, token):
    """Take the row for this execution; False if another holds it or it is finished."""
    now = timezone.now()
    stale = now - model.job_stale_after
    claimable = (
        Q(status=JobStatus.PENDING)
        | Q(status=JobStatus.RUNNING, task_id=token)
        | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
    )
    claimed = (
        model.objects.filter(claimable, pk=pk).update(
            status=JobStatus.RUNNING,
            task_id=token,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
        == 1
    )
    return claimed


def job_beat(model, pk):
    """The running job is alive (call it every few seconds of work)."""
    model.objects.filter(pk=pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def job_holds(model, pk, token, *, lock=False):
    """True while ``token`` still holds the RUNNING row (``lock``: and lock it until the
    transaction ends, so a sweeper cannot hand it to another worker mid-write)."""
    rows = model.objects.filter(pk=pk, status=JobStatus.RUNNING, task_id=token)
    if lock:
        rows = rows.select_for_update()
    return rows.exists()


def job_succeed(model, pk, message="", *, token=None):
    rows = model.objects.filter(pk=pk, status=JobStatus.RUNNING)
    if token is not None:
        rows = rows.filter(task_id=token)
    now = timezone.now()
    return rows.update(
        status=JobStatus.SUCCEEDED, message=message, finished_at=now, heartbeat_at=now
    )


def job_fail(model, pk, message, *, retryable=True, only=(JobStatus.PENDING, JobStatus.RUNNING)):
    """End an unfinished row as FAILED with ``message``; returns whether it did."""
    now = timezone.now()
    return model.objects.filter(pk=pk, status__in=only).update(
        status=JobStatus.FAILED, message=message, retryable=retryable, finished_at=now
    )


def retry_countdown(retries):
    """Seconds before retry number ``retries + 1`` of a transient database error."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


def run_job(task, model, pk, work):
    """The body of a job task: claim row ``pk`` of ``model``, call ``work(token)`` and end
    the row. Returns work's result, or None when the row was not claimable (finished, or
    held by a live execution): a redelivered or duplicated message does nothing."""
    token = task.request.id or f"direct-{uuid.uuid4()}"
    try:
        if not job_claim(model, pk, token=token):
            return None
        result = work(token)
        job_succeed(model, pk, token=token)  # unless work() ended the row itself
        return result
    except TRANSIENT_DB_ERRORS as error:
        retries = task.request.retries or 0
        if not task.request.called_directly and retries < MAX_RETRIES:
            log.warning("%s %s: database unavailable, retry %s", model.__name__, pk, retries + 1)
            raise task.retry(exc=error, countdown=retry_countdown(retries)) from error
        _fail_quietly(model, pk, DATABASE_UNAVAILABLE)
        raise
    except Exception:
        _fail_quietly(model, pk, UNEXPECTED)
        raise


def _fail_quietly(model, pk, message):
    """Fail the row if the database lets us; if not, the sweeper will."""
    try:
        job_fail(model, pk, message, only=(JobStatus.RUNNING,))
    except DatabaseError:
        log.exception("Could not record the failure of %s %s", model.__name__, pk)


# The sweeper ------------------------------------------------------------------------


def stuck_rows(model, *, now=None):
    now = now or timezone.now()
    return model.objects.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - model.job_stale_after)
        | Q(
            status=JobStatus.RUNNING,
            heartbeat_at__isnull=True,
            started_at__lt=now - model.job_stale_after,
        )
        | Q(status=JobStatus.PENDING, queued_at__lt=now - model.job_pending_after)
    )


def sweep_stuck_jobs(*, now=None):
    """Queue again, or fail, every job row stuck past its model's limits. Returns counts."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for model in job_models():
        for row in stuck_rows(model, now=now).only("pk", "status", "attempts"):
            lost = row.status == JobStatus.RUNNING
            with transaction.atomic():
                # Only if still stuck: the row may have moved on since the query.
                still = stuck_rows(model, now=now).select_for_update().filter(pk=row.pk).first()
                if still is None:
                    continue
                if still.attempts >= model.job_max_attempts:
                    job_fail(model, still.pk, WORKER_LOST if lost else NEVER_STARTED)
                    counts["failed"] += 1
                    log.warning(
                        "%s %s failed after %s attempts", model.__name__, row.pk, still.attempts
                    )
                    continue
                if not lost:  # never claimed: count the lost delivery as an attempt
                    model.objects.filter(pk=still.pk).update(attempts=F("attempts") + 1)
                job_queue(still, message="Started again after an interruption.")
                counts["requeued"] += 1
                log.warning(
                    "%s %s was stuck (%s): queued again", model.__name__, row.pk, row.status
                )
    return counts


def oldest_queued_age(*, now=None):
    """Seconds the oldest PENDING job row has waited, or None when none waits."""
    now = now or timezone.now()
    oldest = None
    for model in job_models():
        queued = (
            model.objects.filter(status=JobStatus.PENDING, queued_at__isnull=False)
            .order_by("queued_at")
            .values_list("queued_at", flat=True)
            .first()
        )
        if queued is not None and (oldest is None or queued < oldest):
            oldest = queued
    return None if oldest is None else max(0, round((now - oldest).total_seconds()))
