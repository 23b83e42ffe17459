"""Report runs: one row per report asked for (or built by the quarterly beat job), the files
it produced, the figures it computed with the records behind each, and the per-partnership
key that makes research pseudonyms stable."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, Partnership
from config.jobs import JobRow
from reporting.models.inputs import LocalArea


class ReportKind(models.TextChoices):
    QUARTERLY_RETURN = "quarterly_return", "Home Office quarterly return"
    EVALUATION_PACK = "evaluation_pack", "Evaluation pack"
    RESEARCH_EXTRACT = "research_extract", "Pseudonymised research extract"


class ApprovalStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ReportRun(JobRow):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    # The period, London dates, both days included.
    period_start = models.DateField()
    period_end = models.DateField()
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kind-specific choices, e.g. {"anchor": "referral"} for the evaluation pack.
    parameters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # Built by the quarterly beat job rather than asked for by a person.
    automatic = models.BooleanField(default=False)
    # The run this one repeats ("run again"): its figures are compared with these.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    row_count = models.PositiveIntegerField(default=0)
    # The snapshot: {"metric_key": {"group": value}} as computed when the run was built.
    figures = models.JSONField(default=dict, blank=True)
    # The research extract needs the partnership admin's approval of a typed purpose.
    purpose = models.TextField(blank=True)
    approval = models.CharField(
        max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_NEEDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # When the requester (or, for an automatic run, the managers) were told it is ready.
    notified_at = models.DateTimeField(null=True, blank=True)

    job_task = "reporting.tasks.build_report_run"
    job_stale_after = timedelta(minutes=10)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["partnership", "kind", "-requested_at"])]
        constraints = [
            # The beat job builds each quarter's return once per partnership and local area.
            models.UniqueConstraint(
                fields=["partnership", "kind", "period_start", "period_end"],
                condition=Q(automatic=True, local_area__isnull=True),
                name="report_run_automatic_once",
            ),
            models.UniqueConstraint(
                fields=["partnership", "kind", "period_start", "period_end", "local_area"],
                condition=Q(automatic=True, local_area__isnull=False),
                name="report_run_automatic_once_per_area",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_run_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start} to {self.period_end}"

    @property
    def scope_label(self):
        if self.local_area_id:
            return self.local_area.name
        if self.agency_id:
            return self.agency.name
        return "Whole partnership"


class ReportFile(models.Model):
    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=120)  # the download's file name
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to="reports/%Y/%m/")
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="report_file_name_unique")
        ]

    def __str__(self):
        return self.name


class ReportFigure(models.Model):
    """One figure of a run and the records that make it up: ``units`` is the list of
    [record id, case id or null] counted, so the figure is len(units) and the drill-down
    shows exactly those rows as they were when the run was built."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="figure_rows")
    metric = models.CharField(max_length=60)
    group = models.CharField(max_length=60, blank=True)  # "" for the metric's total
    value = models.PositiveIntegerField()
    units = models.JSONField(default=list)

    class Meta:
        ordering = ["metric", "group"]
        constraints = [
            models.UniqueConstraint(fields=["run", "metric", "group"], name="report_figure_unique")
        ]

    def __str__(self):
        return f"{self.metric}/{self.group or 'total'} = {self.value}"


def _new_secret():
    return secrets.token_hex(32)


class PseudonymKey(models.Model):
    """The partnership's secret for research pseudonyms (an HMAC key). Kept in the
    database, not derived from SECRET_KEY, so rotating the site key does not change every
    pseudonym an evaluator already holds."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="+")
    secret = models.CharField(max_length=64, default=_new_secret)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Pseudonym key for {self.partnership}"
