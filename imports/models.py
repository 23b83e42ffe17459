"""Bringing a partnership's history in (issue 13): saved column and value mappings, each
upload as a batch (dry run, commit as a job, rollback), and the ledger of what a batch
created or changed, which is how every record "carries the import that made it"."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Partnership
from cases.models import EXTERNAL_SOURCE_MAX
from config.jobs import JobRow

ROLLBACK_DAYS = 30


def progress_key(batch_id):
    return f"imports:progress:{batch_id}"


class MappingSet(models.Model):
    """A saved mapping for one record kind: which of their columns feeds which field, and
    which of their values means which of our codes. Reused for the next file."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=dict, blank=True)  # field → their header
    values = models.JSONField(default=dict, blank=True)  # field → {their value: our value}
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "name"], name="imports_mapping_name_unique"
            )
        ]

    def __str__(self):
        return self.name


class BatchStage(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: map the columns"
    CHECKED = "checked", "Checked: ready to commit"
    COMMITTED = "committed", "Committed"
    ROLLED_BACK = "rolled_back", "Rolled back"


class ImportBatch(JobRow):
    """One file of one record kind, from upload to commit (and perhaps rollback). The
    commit is the job (config.jobs): status, progress and "try again" as every job."""

    job_task = "imports.tasks.commit_batch"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    source_system = models.CharField(
        max_length=EXTERNAL_SOURCE_MAX,
        help_text="The system the file came from: the external ids' source.",
    )
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    headers = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)  # [[row number, {header: text}], ...]
    # len(rows), kept so that the progress poll and lists need not load the rows.
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.ForeignKey(
        MappingSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    columns = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=dict, blank=True)
    stage = models.CharField(max_length=20, choices=BatchStage.choices, default=BatchStage.UPLOADED)
    checked_at = models.DateTimeField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    created_n = models.PositiveIntegerField(default=0)
    updated_n = models.PositiveIntegerField(default=0)
    unchanged_n = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import {self.pk} ({self.kind})"

    @property
    def committing(self):
        """The commit job is queued or running (an uploaded batch is PENDING but unqueued)."""
        return self.queued_at is not None and self.in_progress

    @property
    def rollback_until(self):
        return self.committed_at + timedelta(days=ROLLBACK_DAYS) if self.committed_at else None


class RecordAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"


class ImportedRecord(models.Model):
    """A record a batch created or changed: the values before (for an update) and a
    fingerprint of the values it left, so a rollback can tell whether anyone has changed
    the record since."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=60)  # app_label.ModelName
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=RecordAction.choices)
    row = models.PositiveIntegerField()
    before = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["model", "object_id"], name="imports_record_lookup")]

    def __str__(self):
        return f"{self.model} {self.object_id} ({self.action})"
