"""Every write of a migration: upload, map, check (the dry run), commit (a job), roll back,
and the bulk API's batches. Keyword-only; each call one transaction and one audit row.

A migration writes many records as one act, so the audit trail is one row per upload,
check, commit and rollback of a batch, and the batch's ledger (ImportedRecord) names every
record it created or changed: the record "carries the import that made it" through it.
"""

from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from config.jobs import JobStatus, job_beat, job_fail, job_holds, job_queue
from imports.kinds import KINDS, kind_for, kind_of
from imports.kinds.base import Check, Plan, fingerprint
from imports.models import (
    ROLLBACK_DAYS,
    BatchStage,
    ImportBatch,
    ImportedRecord,
    MappingSet,
    RecordAction,
    progress_key,
)
from imports.readers import FileRefused, read_table

MAX_BULK_ROWS = 1000
MAX_LISTED_ERRORS = 1000
PROGRESS_EVERY = 250


def _require_admin(membership):
    if membership is None or not can(membership, Cap.MANAGE_PARTNERSHIP):
        raise PermissionDenied("Only a partnership admin brings records in.")


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _norm(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


def guess_columns(kind_class, headers, saved=None):
    """field → header: a saved mapping first, else a header that names the field, its
    label or one of its aliases (case, spaces and punctuation ignored)."""
    by_norm = {_norm(header): header for header in headers}
    columns = {}
    for column in kind_class.all_columns():
        wanted = (saved or {}).get(column.name)
        if wanted in headers:
            columns[column.name] = wanted
            continue
        for name in (column.name, column.label, *column.aliases):
            if _norm(name) in by_norm:
                columns[column.name] = by_norm[_norm(name)]
                break
    if "external_id" not in columns:
        # "Person ID", "Case Ref": the first column that names an id.
        for header in headers:
            if _norm(header).endswith(("id", "ref")) and header not in columns.values():
                columns["external_id"] = header
                break
    return columns


def batch_upload(*, actor, membership, kind, source_system, data, name="", mapping=None):
    """Read the file and keep it as a batch at the mapping stage, columns guessed (or
    taken from a saved mapping). A file that cannot be read is refused at the field."""
    _require_admin(membership)
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "Choose what the file holds."
    source_system = (source_system or "").strip()
    if not source_system:
        errors["source_system"] = "Name the system the file came from (the source of its ids)."
    elif len(source_system) > 40:
        errors["source_system"] = "The source name must be 40 characters or fewer."
    if mapping is not None and (
        mapping.partnership_id != membership.agency.partnership_id or mapping.kind != kind
    ):
        errors["mapping"] = "Choose a saved mapping for this kind of record."
    headers = rows = None
    if data is None:
        errors["file"] = "Choose a CSV or XLSX file."
    else:
        try:
            headers, rows = read_table(data, name)
        except FileRefused as refusal:
            errors["file"] = str(refusal)
    _raise(errors)
    kind_class = KINDS[kind]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            partnership_id=membership.agency.partnership_id,
            kind=kind,
            source_system=source_system,
            original_name=(name or "")[:255],
            uploaded_by=actor,
            headers=headers,
            rows=[[number, cells] for number, cells in rows],
            row_count=len(rows),
            mapping=mapping,
            columns=guess_columns(kind_class, headers, mapping.columns if mapping else None),
            values=dict(mapping.values) if mapping else {},
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={"kind": kind, "rows": len(rows), "file": batch.original_name},
        )
    return batch


def _require_open(batch, membership):
    if batch.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("This import belongs to another partnership.")
    if batch.stage in (BatchStage.COMMITTED, BatchStage.ROLLED_BACK) or batch.committing:
        raise ValidationError({"batch": "This import has been committed; upload a new file."})


def batch_map(*, actor, membership, batch, columns, values, save_as=""):
    """Set which column feeds which field and what their values mean, optionally saving
    the mapping under a name for the next file. Clears an earlier check."""
    _require_admin(membership)
    _require_open(batch, membership)
    kind_class = KINDS[batch.kind]
    known = {column.name: column for column in kind_class.all_columns()}
    errors = {}
    clean_columns = {}
    for name, header in (columns or {}).items():
        if name not in known:
            continue
        if header and header not in batch.headers:
            errors[f"column_{name}"] = f"The file has no column “{header}”."
        elif header:
            clean_columns[name] = header
    for column in known.values():
        if column.required and column.name not in clean_columns:
            errors[f"column_{column.name}"] = (
                f"Choose the column that holds the {column.label.lower()}."
            )
    clean_values = {
        name: {their: ours for their, ours in (mapped or {}).items() if ours not in (None, "")}
        for name, mapped in (values or {}).items()
        if name in known and known[name].mappable
    }
    save_as = (save_as or "").strip()
    if len(save_as) > 100:
        errors["save_as"] = "The mapping's name must be 100 characters or fewer."
    _raise(errors)
    with transaction.atomic():
        batch.columns, batch.values = clean_columns, clean_values
        batch.stage, batch.errors, batch.checked_at = BatchStage.UPLOADED, [], None
        batch.created_n = batch.updated_n = batch.unchanged_n = 0
        if save_as:
            batch.mapping, _ = MappingSet.objects.update_or_create(
                partnership_id=batch.partnership_id,
                kind=batch.kind,
                name=save_as,
                defaults={
                    "columns": clean_columns,
                    "values": clean_values,
                    "updated_by": actor,
                    "updated_at": timezone.now(),
                },
            )
        batch.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={"mapped": sorted(clean_columns), "saved_as": save_as},
        )
    return batch


def plan(kind, rows, columns, values, *, on_progress=None):
    """The dry run: every row converted and checked, duplicate external ids refused, and
    each good row's action (created, updated or unchanged) against what is stored."""
    check = Check()
    headers = dict(columns)
    converted = []
    for start in range(0, len(rows), PROGRESS_EVERY):
        converted.extend(kind.convert(rows[start : start + PROGRESS_EVERY], columns, values))
        if on_progress:
            on_progress(min(len(rows), start + PROGRESS_EVERY))
    first_row = {}
    for number, row_values, errors in converted:
        external_id = row_values.get("external_id")
        if external_id:
            if external_id in first_row:
                errors["external_id"] = (
                    f"External id {external_id} is also on row {first_row[external_id]}."
                )
            else:
                first_row[external_id] = number
        for field, message in errors.items():
            check.errors.append(
                {"row": number, "column": headers.get(field, field), "message": message}
            )
    good = [(number, row_values) for number, row_values, errors in converted if not errors]
    existing = {}
    ids = [row_values["external_id"] for _, row_values in good]
    for start in range(0, len(ids), 2000):
        existing.update(kind.existing(ids[start : start + 2000]))
    for number, row_values in good:
        record = existing.get(row_values["external_id"])
        if record is None:
            action = RecordAction.CREATED
        elif kind.differs(record, row_values):
            action = RecordAction.UPDATED
        else:
            action = "unchanged"
        check.plans.append(Plan(number, action, row_values, record))
    return check


def batch_check(*, actor, membership, batch):
    """The dry run: every row error with its row and column, and how many records a commit
    would create, update and leave unchanged. Writes nothing but the batch's report."""
    _require_admin(membership)
    _require_open(batch, membership)
    check = plan(kind_of(batch), batch.rows, batch.columns, batch.values)
    with transaction.atomic():
        _store_check(batch, check)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={"checked": True, "errors": len(check.errors)},
        )
    return batch


def _store_check(batch, check):
    batch.errors = sorted(check.errors, key=lambda e: (e["row"], e["column"]))[:MAX_LISTED_ERRORS]
    batch.created_n = check.count(RecordAction.CREATED)
    batch.updated_n = check.count(RecordAction.UPDATED)
    batch.unchanged_n = check.count("unchanged")
    batch.checked_at = timezone.now()
    batch.stage = BatchStage.UPLOADED if check.errors else BatchStage.CHECKED
    batch.save()


def batch_commit(*, actor, membership, batch):
    """Queue the commit of a checked batch with no errors (the job writes it)."""
    _require_admin(membership)
    _require_open(batch, membership)
    if batch.stage != BatchStage.CHECKED or batch.errors:
        raise ValidationError({"batch": "Check the file and correct every row error first."})
    with transaction.atomic():
        job_queue(batch)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={"commit_queued": True},
        )
    return batch


def _write(kind, batch, check, *, on_progress=None):
    """Write every planned row and its ledger entry (call inside a transaction). Returns
    {row: record} for the rows written or found unchanged."""
    ledger, written = [], {}
    for index, item in enumerate(check.plans, start=1):
        before = {}
        if item.action == RecordAction.CREATED:
            record = kind.create(item.values)
        elif item.action == RecordAction.UPDATED:
            before = kind.snapshot(item.record)
            record = kind.update(item.record, item.values)
        else:
            written[item.row] = item.record
            continue
        written[item.row] = record
        ledger.append(
            ImportedRecord(
                batch=batch,
                model=record._meta.label,
                object_id=record.pk,
                action=item.action,
                row=item.row,
                before=before,
                fingerprint=fingerprint(kind.snapshot(record)),
            )
        )
        if on_progress and index % PROGRESS_EVERY == 0:
            on_progress(index)
    ImportedRecord.objects.bulk_create(ledger, batch_size=1000)
    return written


def batch_commit_run(*, batch_id, token):
    """The commit job: check again (records may have changed since the dry run), then
    write every row and its ledger entry in one transaction, or nothing."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.stage != BatchStage.CHECKED:
        return batch
    kind = kind_of(batch)
    total = len(batch.rows)

    def progress(done):
        cache.set(progress_key(batch.pk), done, 3600)
        job_beat(ImportBatch, batch.pk)

    check = plan(
        kind, batch.rows, batch.columns, batch.values, on_progress=lambda n: progress(n // 2)
    )
    if check.errors:
        with transaction.atomic():
            _store_check(batch, check)
        job_fail(
            ImportBatch,
            batch.pk,
            "Records changed since the file was checked, so nothing was committed: "
            "check the file again.",
            retryable=False,
        )
        return batch
    with transaction.atomic():
        if token is not None and not job_holds(ImportBatch, batch.pk, token, lock=True):
            return batch
        _write(
            kind,
            batch,
            check,
            on_progress=lambda n: cache.set(progress_key(batch.pk), total // 2 + n // 2, 3600),
        )
        batch.created_n = check.count(RecordAction.CREATED)
        batch.updated_n = check.count(RecordAction.UPDATED)
        batch.unchanged_n = check.count("unchanged")
        batch.processed_rows = total
        batch.stage = BatchStage.COMMITTED
        batch.committed_at = timezone.now()
        batch.save(
            update_fields=[
                "created_n",
                "updated_n",
                "unchanged_n",
                "processed_rows",
                "stage",
                "committed_at",
            ]
        )
        record_event(
            action=Action.CREATE,
            actor=batch.uploaded_by,
            obj=batch,
            detail={
                "committed": True,
                "created": batch.created_n,
                "updated": batch.updated_n,
                "unchanged": batch.unchanged_n,
            },
        )
    cache.set(progress_key(batch.pk), total, 3600)
    return batch


def rollback_problems(batch, *, now=None):
    """Why the batch cannot be rolled back (a list of sentences; empty when it can)."""
    now = now or timezone.now()
    if batch.stage != BatchStage.COMMITTED:
        return ["Only a committed import can be rolled back."]
    if now > batch.committed_at + timedelta(days=ROLLBACK_DAYS):
        return [f"An import can be rolled back for {ROLLBACK_DAYS} days after its commit."]
    kind = kind_of(batch)
    entries = list(batch.records.all())
    records = kind.model.objects.in_bulk([entry.object_id for entry in entries])
    problems = []
    for entry in entries:
        record = records.get(entry.object_id)
        if record is None or fingerprint(kind.snapshot(record)) != entry.fingerprint:
            problems.append(f"Row {entry.row}: the record has been changed since the import.")
    later = ImportedRecord.objects.filter(
        model=kind.model._meta.label,
        object_id__in=[entry.object_id for entry in entries],
        batch__committed_at__gt=batch.committed_at,
        batch__stage=BatchStage.COMMITTED,
    ).exists()
    if later:
        problems.append("A later import changed these records: roll that one back first.")
    return problems[:50]


def batch_rollback(*, actor, membership, batch):
    """Undo a committed batch within 30 days: delete what it created and put back what it
    changed, provided nobody has changed any of them since (else refused, with why)."""
    _require_admin(membership)
    if batch.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("This import belongs to another partnership.")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        problems = rollback_problems(batch)
        _raise({"batch": problems} if problems else {})
        kind = kind_of(batch)
        entries = list(batch.records.order_by("-id"))
        records = kind.model.objects.in_bulk([entry.object_id for entry in entries])
        try:
            with transaction.atomic():
                for entry in entries:
                    record = records[entry.object_id]
                    if entry.action == RecordAction.CREATED:
                        record.delete()
                    else:
                        kind.restore(record, entry.before)
        except IntegrityError:
            raise ValidationError(
                {"batch": ["Records this import created are now used by other records."]}
            ) from None
        batch.stage = BatchStage.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = actor
        batch.save(update_fields=["stage", "rolled_back_at", "rolled_back_by"])
        record_event(
            action=Action.DELETE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={"rolled_back": len(entries)},
        )
    return batch


def _cell(value):
    """A JSON value as the text of a spreadsheet cell (a list as "a; b")."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    return str(value)


class BulkRejected(Exception):
    """A bulk batch with row errors: ``rows`` lists each bad row's index, external id and
    {field: [messages]}; nothing of the batch was written."""

    def __init__(self, rows):
        super().__init__("Rows have errors.")
        self.rows = rows


def bulk_apply(*, actor, membership, kind, source_system, rows):
    """The bulk API: up to 1,000 rows of one kind (field names as keys), all or nothing,
    idempotent by external id. The batch is kept (with its ledger, so it can be rolled
    back like an upload). Returns (batch, [{"index", "external_id", "result", "id"}]);
    a row error raises BulkRejected and writes nothing."""
    _require_admin(membership)
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "Not a record kind."
    source_system = (source_system or "").strip()
    if not source_system or len(source_system) > 40:
        errors["source_system"] = "Name the source system (40 characters or fewer)."
    if not isinstance(rows, list) or not rows:
        errors["rows"] = "Send a list of rows."
    elif len(rows) > MAX_BULK_ROWS:
        errors["rows"] = f"Send at most {MAX_BULK_ROWS:,} rows per batch."
    elif not all(isinstance(row, dict) for row in rows):
        errors["rows"] = "Each row must be an object of field names and values."
    _raise(errors)
    partnership_id = membership.agency.partnership_id
    record_kind = kind_for(kind, partnership_id=partnership_id, source=source_system, actor=actor)
    names = [column.name for column in record_kind.all_columns()]
    table = [
        (index, {name: _cell(row.get(name)) for name in names}) for index, row in enumerate(rows)
    ]
    check = plan(record_kind, table, {name: name for name in names}, {})
    if check.errors:
        by_row = {}
        for error in check.errors:
            by_row.setdefault(error["row"], {}).setdefault(error["column"], []).append(
                error["message"]
            )
        raise BulkRejected(
            [
                {
                    "index": index,
                    "external_id": str(rows[index].get("external_id") or ""),
                    "errors": messages,
                }
                for index, messages in sorted(by_row.items())
            ]
        )
    now = timezone.now()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            partnership_id=partnership_id,
            kind=kind,
            source_system=source_system,
            original_name="api",
            uploaded_by=actor,
            columns={name: name for name in names},
            stage=BatchStage.COMMITTED,
            status=JobStatus.SUCCEEDED,
            checked_at=now,
            committed_at=now,
            finished_at=now,
            created_n=check.count(RecordAction.CREATED),
            updated_n=check.count(RecordAction.UPDATED),
            unchanged_n=check.count("unchanged"),
            processed_rows=len(rows),
            row_count=len(rows),
        )
        written = _write(record_kind, batch, check)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=batch,
            detail={
                "api": "imports-bulk",
                "kind": kind,
                "created": batch.created_n,
                "updated": batch.updated_n,
            },
        )
    return batch, [
        {
            "index": item.row,
            "external_id": item.values["external_id"],
            "result": str(item.action),
            "id": written[item.row].pk,
        }
        for item in check.plans
    ]
