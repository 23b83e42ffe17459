"""Reads of the migration workspace: a partnership admin sees their partnership's batches
and saved mappings; nobody else sees any."""

from django.apps import apps
from django.core.cache import cache
from django.urls import reverse

from accounts.access import can
from accounts.roles import Cap
from audit.services import visible_or_404
from imports.kinds import KINDS, kind_of
from imports.models import BatchStage, ImportBatch, ImportedRecord, MappingSet, progress_key


def may_import(membership):
    return membership is not None and can(membership, Cap.MANAGE_PARTNERSHIP)


def batches_visible_to(membership):
    if not may_import(membership):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(partnership_id=membership.agency.partnership_id).defer("rows")


def get_batch_or_404(membership, pk, *, with_rows=True):
    """The batch; ``with_rows=False`` leaves the file's rows unread (the progress poll)."""
    queryset = ImportBatch.objects.none()
    if may_import(membership):
        queryset = ImportBatch.objects.filter(partnership_id=membership.agency.partnership_id)
    if not with_rows:
        queryset = queryset.defer("rows")
    return visible_or_404(membership, queryset.select_related("uploaded_by", "mapping"), pk)


def mappings_for(membership, kind=None):
    if not may_import(membership):
        return MappingSet.objects.none()
    mappings = MappingSet.objects.filter(partnership_id=membership.agency.partnership_id)
    return mappings.filter(kind=kind) if kind else mappings


def kind_choices():
    return [(name, kind.label) for name, kind in KINDS.items()]


def progress_percent(batch):
    """How far the commit job has got (the job writes in one transaction, so the count
    comes from the cache it updates as it goes)."""
    total = batch.row_count or 1
    done = cache.get(progress_key(batch.pk)) or batch.processed_rows
    return min(100, done * 100 // total)


def preview(batch, limit=5):
    """The first rows as they would be read with the current mapping:
    [(row number, [(label, value or None, error or None)])]."""
    kind = kind_of(batch)
    rows = [(number, cells) for number, cells in batch.rows[:limit]]
    cells_of = dict(rows)
    shown = []
    for number, values, errors in kind.convert(rows, batch.columns, batch.values):
        shown.append(
            (
                number,
                [
                    (
                        column.label,
                        _shown(column, values, cells_of[number], batch),
                        errors.get(column.name),
                    )
                    for column in kind.all_columns()
                    if column.name in batch.columns
                ],
            )
        )
    return shown


def _shown(column, values, cells, batch):
    """A code shows as their text mapped to our code, not as the stored id."""
    if column.type != "code":
        return values.get(column.name)
    text = cells.get(batch.columns.get(column.name, ""), "").strip()
    return ((batch.values.get(column.name) or {}).get(text) or text).upper()


# Pages a partnership admin may open for a record of each model; records held on a case
# link to the case (the compartments' own pages stay with their agencies).
RECORD_PAGES = {
    "cases.Person": "cases:person-detail",
    "cases.Case": "cases:detail",
    "cases.Referral": "cases:referral-detail",
}


def batch_records(batch, limit=100):
    """The first records the batch created or changed, for its page: [{"row", "action",
    "label", "url"}] (two queries per model)."""
    entries = list(batch.records.order_by("row", "id")[:limit])
    by_model = {}
    for entry in entries:
        by_model.setdefault(entry.model, []).append(entry.object_id)
    records = {label: apps.get_model(label).objects.in_bulk(ids) for label, ids in by_model.items()}
    shown = []
    for entry in entries:
        record = records[entry.model].get(entry.object_id)
        url = None
        if record is not None and entry.model in RECORD_PAGES:
            url = reverse(RECORD_PAGES[entry.model], args=[record.pk])
        elif getattr(record, "case_id", None):
            url = reverse("cases:detail", args=[record.case_id])
        shown.append(
            {
                "row": entry.row,
                "action": entry.get_action_display(),
                "label": str(record)
                if record is not None
                else f"{entry.model} {entry.object_id} (gone)",
                "external_id": getattr(record, "external_id", ""),
                "url": url,
            }
        )
    return shown


def last_import_of(record):
    """The batch that created or last changed ``record`` (None for a record made here):
    one indexed query, asked only of records that carry an external id."""
    if record is None or not getattr(record, "external_id", ""):
        return None
    entry = (
        ImportedRecord.objects.filter(
            model=record._meta.label,
            object_id=record.pk,
            batch__stage=BatchStage.COMMITTED,
        )
        .select_related("batch")
        .order_by("-id")
        .first()
    )
    return entry.batch if entry else None


def distinct_values(batch, limit=50):
    """field → the distinct texts of its column in the file (for the value mapping)."""
    kind_class = KINDS[batch.kind]
    found = {}
    for column in kind_class.columns:
        header = batch.columns.get(column.name)
        if not (column.mappable and header):
            continue
        seen = []
        for _, cells in batch.rows:
            text = cells.get(header, "").strip()
            if text and text not in seen:
                seen.append(text)
                if len(seen) >= limit:
                    break
        found[column.name] = seen
    return found
