"""Writes for the police daily crime screen: imports, screening actions, reclassification
decisions, course-of-conduct links and case links. Keyword-only, one transaction, one
audit row each."""

import json
from datetime import datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Partnership
from advocacy.services import referrals as referral_services
from audit.models import Action
from audit.services import record_event
from cases.importers import crime_screen
from cases.importers.crime_screen import FileRefused
from cases.models import (
    Case,
    CrimeScreenEntry,
    ImportRun,
    ImportStatus,
    ReclassificationOutcome,
    ScreeningAction,
    ScreeningActionKind,
)
from cases.models.external import EXTERNAL_SOURCE_MAX
from cases.models.reference import CodeList, code_versions, in_use_on
from cases.selectors.core import cases_visible_to
from cases.selectors.screening import can_screen, is_screening_supervisor
from config import text as check_text
from config.jobs import job_holds, job_queue
from interventions.services import handoffs as handoff_services

PROGRESS_EVERY = 1_000


def _require_screener(membership):
    if not can_screen(membership):
        raise PermissionDenied("Only police investigators and supervisors use the crime screen.")


# Imports -------------------------------------------------------------------------------


def import_start(
    *,
    actor,
    membership,
    data=None,
    size=None,
    rows=None,
    original_name="",
    source="upload",
    external_source="",
):
    """Start an import of the crime-screen export: CSV bytes (``data``) or JSON ``rows``.
    ``external_source``: the system the rows came from, the source of each row's
    ``external_id`` unless the row names its own (column ``external_source``).

    The file is checked as a whole first (size, encoding, columns); a refused file makes a
    FAILED ImportRun with the reason and imports nothing. Up to ASYNC_THRESHOLD rows are
    imported now; bigger files are kept and imported by a background task, and the run's
    page shows progress (a job row, config.jobs: if the job cannot be queued the run says
    so, with "Try again"). Returns the ImportRun.
    """
    _require_screener(membership)
    external_source = (external_source or "").strip()
    problem = check_text.problem(external_source)
    if not problem and len(external_source) > EXTERNAL_SOURCE_MAX:
        problem = f"Must be {EXTERNAL_SOURCE_MAX} characters or fewer."
    if problem:
        raise ValidationError({"external_source": problem})
    run = ImportRun(
        partnership_id=membership.agency.partnership_id,
        agency=membership.agency,
        uploaded_by=actor,
        source=source,
        original_name=(original_name or "")[:255],
        external_source=external_source,
    )
    try:
        raw_rows = (
            crime_screen.read_file(data, size=size)
            if rows is None
            else crime_screen.rows_from_json(rows)
        )
    except FileRefused as refusal:
        return _refuse(run, membership=membership, message=str(refusal), rows=refusal.rows)
    run.total_rows = len(raw_rows)
    if len(raw_rows) <= crime_screen.ASYNC_THRESHOLD:
        # Imported in this request: RUNNING with a heartbeat, so that if the request dies
        # the sweeper finds the run and ends it (its rows were not kept: "upload again").
        now = timezone.now()
        run.status, run.attempts, run.task_id = ImportStatus.RUNNING, 1, "request"
        run.queued_at = run.started_at = run.heartbeat_at = now
        run.save()
        return _process(run, raw_rows, membership=membership)
    suffix = "csv"
    if data is None:  # JSON rows: kept as JSON (row numbers and all) for the task
        data = _rows_as_json(raw_rows)
        run.original_name = run.original_name or "api-rows.json"
        suffix = "json"
    with transaction.atomic():
        run.save()
        run.file.save(f"crime-screen-{run.pk}.{suffix}", ContentFile(data), save=True)
        job_queue(run)
    return run


def import_retry(*, actor, membership, run):
    """Queue a run that failed for the service's reasons (not the file's) again: the kept
    file is imported from the start. Returns the run, PENDING again."""
    _require_screener(membership)
    if run.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("This import belongs to another partnership.")
    if not (run.can_retry and run.file):
        raise ValidationError(
            {"run": "This import cannot be tried again. Upload the file again instead."}
        )
    with transaction.atomic():
        run.processed_rows = run.rejected_count = 0
        run.new_count = run.updated_count = run.unchanged_count = 0
        run.errors = []
        run.save()
        job_queue(run)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=run,
            detail={"retry": True, "attempts": run.attempts},
        )
    return run


def import_process(*, run_id, token):
    """Import the kept file of a run the background task holds (``token``: its Celery
    task id, config.jobs.run_job). Idempotent: a finished run is left alone, and a run
    interrupted mid-way is started again (its writes were one transaction, so nothing of
    it was saved); a run that another execution has taken over is not written."""
    run = ImportRun.objects.select_related("agency").get(pk=run_id)
    if run.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        return run
    membership = _membership_of(run)
    ImportRun.objects.filter(pk=run.pk).update(processed_rows=0)
    run.processed_rows = 0
    if not run.file:
        # Imported in a request that died: its rows were never kept.
        return _refuse(
            run,
            membership=membership,
            token=token,
            message="The import was interrupted before it finished and nothing was "
            "imported. Upload the file again.",
        )
    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        if run.file.name.endswith(".json"):
            raw_rows = [(number, values) for number, values in json.loads(data)]
        else:
            raw_rows = crime_screen.read_file(data)
    except FileRefused as refusal:
        return _refuse(
            run, membership=membership, token=token, message=str(refusal), rows=refusal.rows
        )
    except FileNotFoundError:
        return _refuse(
            run, membership=membership, token=token, message="The uploaded file was not found."
        )
    return _process(run, raw_rows, membership=membership, token=token)


def _membership_of(run):
    return (
        Membership.objects.filter(user_id=run.uploaded_by_id, agency_id=run.agency_id)
        .select_related("agency", "user")
        .first()
    )


def _rows_as_json(raw_rows):
    """The API's rows kept for the background task as sent (not as CSV: a CSV written by
    the product would have to neutralise formula cells, which would change the data)."""
    return json.dumps([[number, values] for number, values in raw_rows]).encode()


def _refuse(run, *, membership, message, errors=(), rejected=0, rows=None, token=None):
    """End the run FAILED, not retryable (the file or the request was at fault). ``rows``:
    a whole-file refusal that could count the file's rows (wrong columns) refuses every one
    of them, and the imports list shows that count."""
    now = timezone.now()
    run.status = ImportStatus.FAILED
    run.retryable = False
    run.message = message
    run.errors = list(errors)[: crime_screen.MAX_STORED_ERRORS]
    if rows is not None:
        run.total_rows = rejected = rows
    run.rejected_count = rejected
    run.new_count = run.updated_count = run.unchanged_count = 0
    run.started_at = run.started_at or now
    run.finished_at = run.heartbeat_at = now
    with transaction.atomic():
        if token is not None and not job_holds(ImportRun, run.pk, token, lock=True):
            return run  # another execution took the run over: it ends it
        run.save()
        _audit_run(run, membership)
    return run


def _audit_run(run, membership):
    record_event(
        action=Action.CREATE,
        actor=run.uploaded_by,
        membership=membership,
        obj=run,
        detail={
            "status": run.status,
            "source": run.source,
            "rows": run.total_rows,
            "new": run.new_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "rejected": run.rejected_count,
        },
    )


def _progress(run, done):
    """Progress for the page, and the job's heartbeat for the stuck-job sweeper."""
    ImportRun.objects.filter(pk=run.pk).update(processed_rows=done, heartbeat_at=timezone.now())


def _process(run, raw_rows, *, membership, token=None):
    """Validate every row, then write all of them in one transaction, or none."""
    offences = code_versions(CodeList.OFFENCE, run.partnership_id)
    outcomes = code_versions(CodeList.OUTCOME, run.partnership_id)
    validation = crime_screen.Validation()
    step = PROGRESS_EVERY
    for start in range(0, len(raw_rows), step):
        chunk = crime_screen.validate_rows(
            raw_rows[start : start + step],
            offences=offences,
            outcomes=outcomes,
            external_source=run.external_source,
        )
        validation.rows.extend(chunk.rows)
        validation.errors.extend(chunk.errors)
        validation.rejected_rows += chunk.rejected_rows
        if len(raw_rows) > crime_screen.ASYNC_THRESHOLD:
            # Checking is most of the work; saving (one transaction) is the last 10%.
            _progress(run, min(len(raw_rows), start + step) * 9 // 10)
    # Crime references and external ids repeated across chunks
    seen, seen_external = {}, {}
    for row in validation.rows:
        ref = row.values["crime_reference"].upper()
        problems = []
        if ref in seen and seen[ref] != row.number:
            problems.append(
                (
                    "crime_reference",
                    f"Crime reference {row.values['crime_reference']} is also on row {seen[ref]}.",
                )
            )
        seen.setdefault(ref, row.number)
        external = _external_key(row)
        if external:
            if external in seen_external and seen_external[external] != row.number:
                problems.append(
                    (
                        "external_id",
                        f"External id {external[1]} is also on row {seen_external[external]}.",
                    )
                )
            seen_external.setdefault(external, row.number)
        for field, message in problems:
            validation.errors.append({"row": row.number, "field": field, "message": message})
        validation.rejected_rows += bool(problems)
    if validation.errors:
        return _refuse_rows(run, validation, len(raw_rows), membership=membership, token=token)
    try:
        _write(run, validation.rows, membership=membership, token=token)
    except _RowsRefused as refused:
        return _refuse_rows(
            run, refused.validation, len(raw_rows), membership=membership, token=token
        )
    return run


def _refuse_rows(run, validation, total, *, membership, token):
    validation.errors.sort(key=lambda e: e["row"])
    count = validation.rejected_rows
    return _refuse(
        run,
        membership=membership,
        message=(
            f"{count:,} row{'s' if count != 1 else ''} of {total:,} "
            f"{'have' if count != 1 else 'has'} problems, so nothing was imported. "
            "Correct every row listed and upload the whole file again."
        ),
        errors=validation.errors,
        rejected=count,
        token=token,
    )


class _RowsRefused(Exception):
    """Rows found wrong only once the partnership is locked for writing (an external id
    another crime holds): the write is rolled back and the file refused."""

    def __init__(self, validation):
        super().__init__("rows refused")
        self.validation = validation


def _external_key(row):
    if not row.values["external_id"]:
        return None
    return (row.values["external_source"], row.values["external_id"])


def _external_ids_taken(partnership_id, rows):
    """Row errors for external ids that another crime (another crime reference) holds."""
    keys = {_external_key(row): row for row in rows if _external_key(row)}
    if not keys:
        return crime_screen.Validation()
    holders = {}
    ids = {external_id for _, external_id in keys}
    size = min(10_000, (connection.features.max_query_params or 10_000) - 10)
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        for source, external_id, ref in CrimeScreenEntry.objects.filter(
            partnership_id=partnership_id, external_id__in=ids[start : start + size]
        ).values_list("external_source", "external_id", "crime_reference"):
            holders[(source, external_id)] = ref
    refused = crime_screen.Validation()
    for key, row in keys.items():
        holder = holders.get(key)
        if holder is not None and holder != row.values["crime_reference"]:
            refused.errors.append(
                {
                    "row": row.number,
                    "field": "external_id",
                    "message": f"External id {key[1]} ({key[0] or 'no source'}) is already "
                    f"crime {holder}'s.",
                }
            )
            refused.rejected_rows += 1
    return refused


_EXISTING_FIELDS = (
    "pk",
    "crime_reference",
    "row_hash",
    "offence_id",
    "source_offence_id",
    *crime_screen.KEPT_UNLESS_SENT,
)


def _existing(partnership_id, references):
    """crime reference → its stored values (_EXISTING_FIELDS): one SELECT per 10,000
    references (SQLite: 900)."""
    size = min(10_000, (connection.features.max_query_params or 10_000) - 10)
    found = {}
    for start in range(0, len(references), size):
        for values in CrimeScreenEntry.objects.filter(
            partnership_id=partnership_id, crime_reference__in=references[start : start + size]
        ).values(*_EXISTING_FIELDS):
            found[values["crime_reference"]] = values
    return found


def _working_offence(found, source_offence_id):
    """The entry's code after a re-import: the police system's new code, unless a
    supervisor accepted a reclassification (the working code differs from the code the
    police system sent last time), which a re-import never overwrites. The police system's
    code is kept in source_offence either way, and pages show both when they differ."""
    offence_id, previous_source_id = found["offence_id"], found["source_offence_id"]
    reclassified = previous_source_id is not None and previous_source_id != offence_id
    return offence_id if reclassified else source_offence_id


def _kept_unless_sent(found, values):
    """The disposal and external id after a re-import: the row's when it sends them (a
    disposal: code and date together), else what the entry has."""
    kept = {}
    for pair in (("disposal_id", "disposal_on"), ("external_source", "external_id")):
        sent = values[pair[-1]]
        for name in pair:
            kept[name] = values[name] if sent else found[name]
    return kept


def _update_entries(entries, names, batch=1_000):
    """Save ``names`` of changed entries. On PostgreSQL one UPDATE … FROM (VALUES …) per
    1,000: Django's bulk_update builds a CASE of every row for every field in Python,
    about 4 ms a row here (5,000 finalised crimes took 37 s; this takes under 1 s)."""
    if not entries:
        return
    if connection.vendor != "postgresql":
        CrimeScreenEntry.objects.bulk_update(entries, names, batch_size=500)
        return
    meta = CrimeScreenEntry._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    casts = [meta.pk.rel_db_type(connection), *(f.db_type(connection) for f in fields)]
    row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(entries), batch):
            chunk = entries[start : start + batch]
            params = []
            for entry in chunk:
                params.append(entry.pk)
                params.extend(
                    f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields
                )
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS e SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v(id, {columns}) "
                "WHERE e.id = v.id",
                params,
            )


def _write(run, rows, *, membership, token=None):
    now = timezone.now()
    with transaction.atomic():
        # One import at a time per partnership, so two uploads of the same new crime
        # cannot both create it.
        Partnership.objects.select_for_update().filter(pk=run.partnership_id).first()
        if token is not None and not job_holds(ImportRun, run.pk, token, lock=True):
            return run  # another execution took the run over: it writes the rows
        refused = _external_ids_taken(run.partnership_id, rows)
        if refused.errors:
            raise _RowsRefused(refused)
        existing = _existing(run.partnership_id, [r.values["crime_reference"] for r in rows])
        new, changed, unchanged = [], [], 0
        for row in rows:
            found = existing.get(row.values["crime_reference"])
            if found is None:
                new.append(
                    CrimeScreenEntry(
                        partnership_id=run.partnership_id,
                        row_hash=row.row_hash,
                        import_run=run,
                        first_imported_at=now,
                        updated_at=now,
                        source_offence_id=row.values["offence_id"],
                        **row.values,
                    )
                )
                continue
            # The hash of what the entry would hold: a row that leaves out a disposal or
            # external id the entry has is unchanged if the rest is.
            kept = _kept_unless_sent(found, row.values)
            hashed = crime_screen.row_hash({**row.values, **kept})
            if found["row_hash"] == hashed:
                unchanged += 1
            else:
                entry = CrimeScreenEntry(pk=found["pk"], row_hash=hashed, import_run=run)
                entry.updated_at = now
                for name in crime_screen.IMPORTED_FIELDS:
                    setattr(entry, name, row.values[name])
                for name, value in kept.items():
                    setattr(entry, name, value)
                entry.source_offence_id = row.values["offence_id"]
                entry.offence_id = _working_offence(found, row.values["offence_id"])
                changed.append(entry)
        CrimeScreenEntry.objects.bulk_create(new, batch_size=2_000)
        _update_entries(
            changed,
            [
                *crime_screen.IMPORTED_FIELDS,
                *crime_screen.KEPT_UNLESS_SENT,
                "source_offence_id",
                "row_hash",
                "import_run_id",
                "updated_at",
            ],
        )
        run.status = ImportStatus.SUCCEEDED
        run.new_count, run.updated_count, run.unchanged_count = len(new), len(changed), unchanged
        run.rejected_count = 0
        run.errors = []
        run.total_rows = run.processed_rows = len(rows)
        run.started_at = run.started_at or now
        run.finished_at = run.heartbeat_at = timezone.now()
        run.retryable = False
        run.message = (
            f"{len(new):,} new, {len(changed):,} updated and {unchanged:,} unchanged crimes."
        )
        run.save()
        _audit_run(run, membership)
    return run


# Screening actions ---------------------------------------------------------------------


def _acted_at(day):
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def action_errors(*, entry, kinds, acted_on, reason="", requested_offence=None):
    """Every problem with a set of screening actions, keyed by field (``{}``: none). The
    form asks for these too, so a page reports them all at once. ``None`` for a value the
    form could not read leaves that value's own checks out."""
    errors = {}
    kinds = list(dict.fromkeys(kinds or []))
    if not kinds:
        errors["kinds"] = "Select at least one action."
    elif any(k not in ScreeningActionKind.values for k in kinds):
        errors["kinds"] = "Select actions from the list."
    if ScreeningActionKind.NO_FURTHER_ACTION in kinds:
        if len(kinds) > 1:
            errors["kinds"] = "No further action cannot be recorded with other actions."
        if not (reason or "").strip():
            errors["reason"] = "Enter why no further action is being taken."
    if ScreeningActionKind.RECLASSIFICATION in kinds:
        if requested_offence is None:
            errors["requested_offence"] = "Select the offence the crime should be recorded as."
        elif requested_offence.pk == entry.offence_id:
            errors["requested_offence"] = "Select an offence different from the recorded one."
    if ScreeningActionKind.ADVOCACY_REFERRAL in kinds and entry.case_id and "kinds" not in errors:
        # A linked crime refers its victim to advocacy at once (advocacy.services).
        problem = referral_services.screening_referral_problem(entry, entry.case)
        if problem:
            errors["kinds"] = problem
    if ScreeningActionKind.EASI_CANDIDATE in kinds and entry.case_id and "kinds" not in errors:
        # A linked crime refers its suspect to fACT at once (interventions.services).
        problem = handoff_services.handoff_problem(
            entry.case, suspect_person_id=entry.suspect_person_id
        )
        if problem:
            errors["kinds"] = problem
    if acted_on is not None:
        if acted_on > timezone.localdate():
            errors["acted_on"] = "The date of the action must be today or in the past."
        elif acted_on < entry.recorded_on:
            errors["acted_on"] = "The date of the action cannot be before the crime was recorded."
    return errors


def actions_record(
    *, actor, membership, entry, kinds, acted_on=None, note="", reason="", requested_offence=None
):
    """Record one or more dated screening actions on an entry. The first action screens
    the entry (sets screened_at)."""
    _require_screener(membership)
    kinds = list(dict.fromkeys(kinds or []))
    acted_on = acted_on or timezone.localdate()
    errors = action_errors(
        entry=entry,
        kinds=kinds,
        acted_on=acted_on,
        reason=reason,
        requested_offence=requested_offence,
    )
    if errors:
        raise ValidationError(errors)
    acted_at = _acted_at(acted_on)
    with transaction.atomic():
        locked = CrimeScreenEntry.objects.select_for_update().get(pk=entry.pk)
        actions = ScreeningAction.objects.bulk_create(
            ScreeningAction(
                entry=locked,
                kind=kind,
                acted_at=acted_at,
                actor=actor,
                agency=membership.agency,
                note=(note or "").strip(),
                reason=(reason or "").strip()
                if kind == ScreeningActionKind.NO_FURTHER_ACTION
                else "",
                requested_offence=requested_offence
                if kind == ScreeningActionKind.RECLASSIFICATION
                else None,
                reclassification_outcome=ReclassificationOutcome.PENDING
                if kind == ScreeningActionKind.RECLASSIFICATION
                else "",
            )
            for kind in kinds
        )
        first_screen = locked.screened_at is None or acted_at < locked.screened_at
        if first_screen:
            locked.screened_at = acted_at
            locked.save(update_fields=["screened_at"])
        detail = {
            "screening_actions": kinds,
            "acted_on": acted_on.isoformat(),
            "screened": first_screen,
        }
        if ScreeningActionKind.ADVOCACY_REFERRAL in kinds and locked.case_id:
            made = referral_services.referrals_from_screening(
                actor=actor,
                membership=membership,
                entry=locked,
                case=locked.case,
                referred_on=_advocacy_referred_on(locked),
            )
            detail["advocacy_referrals"] = [referral.pk for referral in made]
        if ScreeningActionKind.EASI_CANDIDATE in kinds and locked.case_id:
            made = handoff_services.referral_from_screening(
                actor=actor,
                membership=membership,
                entry=locked,
                case=locked.case,
                referred_on=_easi_referred_on(locked),
            )
            detail["intervention_referral"] = made.pk if made else None
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail=detail,
        )
    entry.screened_at = locked.screened_at
    return actions


def _advocacy_referred_on(entry):
    """The date of the crime's earliest "Victim advocacy (ISAC) referral" action, or None
    when it has none: the referral date the advocacy queue carries."""
    first = (
        ScreeningAction.objects.filter(entry=entry, kind=ScreeningActionKind.ADVOCACY_REFERRAL)
        .order_by("acted_at")
        .values_list("acted_at", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else None


def _easi_referred_on(entry):
    """The date of the crime's earliest "EASI / intervention candidate" action, or None
    when it has none: the referral date of the fACT enrolment it makes."""
    first = (
        ScreeningAction.objects.filter(entry=entry, kind=ScreeningActionKind.EASI_CANDIDATE)
        .order_by("acted_at")
        .values_list("acted_at", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else None


def reclassification_decide(*, actor, membership, action, outcome, decided_on=None):
    """A police supervisor accepts or refuses a reclassification request.

    Accepting changes the entry's offence code to the requested one; the code it replaces
    is kept on the action (previous_offence) and the police system's own code stays in
    the entry's source_offence, so later imports cannot silently undo the change."""
    if not is_screening_supervisor(membership):
        raise PermissionDenied("Only a police supervisor decides reclassification requests.")
    errors = {}
    if action.kind != ScreeningActionKind.RECLASSIFICATION:
        errors["outcome"] = "This action is not a reclassification request."
    elif action.reclassification_outcome != ReclassificationOutcome.PENDING:
        errors["outcome"] = "This request has already been decided."
    elif outcome not in (ReclassificationOutcome.ACCEPTED, ReclassificationOutcome.REFUSED):
        errors["outcome"] = "Select accepted or refused."
    today = timezone.localdate()
    decided_on = decided_on or today
    if decided_on > today:
        errors["decided_on"] = "The date of the decision must be today or in the past."
    elif decided_on < timezone.localtime(action.acted_at).date():
        errors["decided_on"] = "The decision cannot be before the request."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        updated = ScreeningAction.objects.filter(
            pk=action.pk, reclassification_outcome=ReclassificationOutcome.PENDING
        ).update(
            reclassification_outcome=outcome,
            decided_at=_acted_at(decided_on),
            decided_by=actor,
        )
        if not updated:
            raise ValidationError({"outcome": "This request has already been decided."})
        action.refresh_from_db()
        detail = {
            "reclassification": action.pk,
            "outcome": outcome,
            "requested_offence": action.requested_offence.code if action.requested_offence else "",
        }
        if outcome == ReclassificationOutcome.ACCEPTED and action.requested_offence_id:
            entry = (
                CrimeScreenEntry.objects.select_for_update()
                .select_related("offence")
                .get(pk=action.entry_id)
            )
            previous = entry.offence
            if entry.source_offence_id is None:
                entry.source_offence_id = entry.offence_id
            entry.offence_id = action.requested_offence_id
            entry.updated_at = timezone.now()
            entry.save(update_fields=["offence", "source_offence", "updated_at"])
            action.previous_offence = previous
            action.save(update_fields=["previous_offence"])
            detail["previous_offence"] = previous.code
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=action.entry,
            detail=detail,
        )
    return action


def entry_mark_same_course(*, actor, membership, entry, original):
    """Mark an entry as the same course of conduct as another, so it is counted once.
    ``original=None`` clears the mark. Links always point at the first report."""
    _require_screener(membership)
    if original is not None:
        if original.partnership_id != entry.partnership_id:
            raise ValidationError({"original": "No crime in your partnership has that reference."})
        root = original.same_course_as or original
        if root.pk == entry.pk:
            raise ValidationError({"original": "A crime cannot be a duplicate of itself."})
    else:
        root = None
    with transaction.atomic():
        entry.same_course_as = root
        entry.updated_at = timezone.now()
        entry.save(update_fields=["same_course_as", "updated_at"])
        moved = 0
        if root is not None:
            # Reports already pointing at this entry now point at the first report.
            moved = CrimeScreenEntry.objects.filter(same_course_as=entry).update(
                same_course_as=root
            )
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=entry,
            detail={
                "same_course_as": root.crime_reference if root else None,
                "relinked_duplicates": moved,
            },
        )
    return entry


def entry_set_disposal(*, actor, membership, entry, disposal, disposal_on):
    """Record the crime's disposal (Home Office outcome code) and its date, as the police
    system finalised it; both None clears it. The code must be in use on the disposal
    date, which is neither in the future nor before the crime was recorded."""
    _require_screener(membership)
    errors = {}
    if disposal is None and disposal_on is not None:
        errors["disposal"] = "Choose the disposal code for the disposal date."
    elif disposal is not None:
        if disposal.code_list != CodeList.OUTCOME:
            errors["disposal"] = "Choose a Home Office outcome code."
        if disposal_on is None:
            errors["disposal_on"] = "Enter the date of the disposal."
    if disposal_on is not None:
        if disposal_on > timezone.localdate():
            errors["disposal_on"] = "The date of the disposal cannot be in the future."
        elif disposal_on < entry.recorded_on:
            errors["disposal_on"] = (
                "The date of the disposal cannot be before the crime was recorded "
                f"({entry.recorded_on:%-d %B %Y})."
            )
        elif disposal is not None and "disposal" not in errors:
            problem = in_use_on(disposal, entry.partnership_id, disposal_on)
            if problem:
                errors["disposal"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CrimeScreenEntry.objects.select_for_update().get(pk=entry.pk)
        previous = locked.disposal
        detail = {
            "disposal": disposal.code if disposal else None,
            "disposal_on": disposal_on.isoformat() if disposal_on else None,
            "previous_disposal": previous.code if previous else None,
            "previous_disposal_on": locked.disposal_on.isoformat() if locked.disposal_on else None,
        }
        locked.disposal, locked.disposal_on = disposal, disposal_on
        locked.updated_at = timezone.now()
        locked.save(update_fields=["disposal", "disposal_on", "updated_at"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            detail=detail,
        )
    entry.disposal, entry.disposal_on = disposal, disposal_on
    entry.updated_at = locked.updated_at
    return entry


def entry_link_case(*, actor, membership, entry, case, replace=True):
    """Link an entry to a case the member can see (``case=None`` unlinks).

    ``replace=False`` (the API) refuses to move a crime already linked to another case:
    a caller loading links again must not silently move one; linking it to the case it
    is already linked to changes nothing and is not recorded again."""
    _require_screener(membership)
    if case is not None and case.partnership_id != entry.partnership_id:
        raise ValidationError({"case": "No case you can see has that reference."})
    if case is not None and not cases_visible_to(membership).filter(pk=case.pk).exists():
        raise ValidationError({"case": "No case you can see has that reference."})
    if not replace:
        current = CrimeScreenEntry.objects.filter(pk=entry.pk).values_list("case_id", flat=True)
        current = current.first()
        if case is not None and current == case.pk:
            return entry
        if case is not None and current is not None:
            reference = Case.objects.filter(pk=current).values_list("reference", flat=True)
            raise ValidationError(
                {
                    "case": f"This crime is already linked to case {reference.first()}. "
                    "Unlink it first (case: null) to link it to another."
                }
            )
    # A crime screened "Victim advocacy (ISAC) referral" before it had a case refers its
    # victim now (advocacy.services explains the choice); refused with the reason when it
    # cannot, so the referral is never silently lost.
    referred_on = _advocacy_referred_on(entry) if case is not None else None
    if referred_on is not None:
        problem = referral_services.screening_referral_problem(entry, case)
        if problem:
            raise ValidationError({"case": problem})
    # Likewise its "EASI / intervention candidate" refers the suspect to fACT
    # (interventions.services explains the choice).
    easi_on = _easi_referred_on(entry) if case is not None else None
    if easi_on is not None:
        problem = handoff_services.handoff_problem(case, suspect_person_id=entry.suspect_person_id)
        if problem:
            raise ValidationError({"case": problem})
    with transaction.atomic():
        if not replace and case is not None:
            # Linked by someone else since the check above: refused, never moved.
            locked = CrimeScreenEntry.objects.select_for_update().filter(pk=entry.pk)
            if locked.values_list("case_id", flat=True).get() not in (None, case.pk):
                raise ValidationError({"case": "This crime is already linked to another case."})
        entry.case = case
        entry.updated_at = timezone.now()
        entry.save(update_fields=["case", "updated_at"])
        detail = {"linked_case": case.reference if case else None}
        if referred_on is not None:
            made = referral_services.referrals_from_screening(
                actor=actor,
                membership=membership,
                entry=entry,
                case=case,
                referred_on=referred_on,
                error_field="case",
            )
            detail["advocacy_referrals"] = [referral.pk for referral in made]
        if easi_on is not None:
            made = handoff_services.referral_from_screening(
                actor=actor,
                membership=membership,
                entry=entry,
                case=case,
                referred_on=easi_on,
                error_field="case",
            )
            detail["intervention_referral"] = made.pk if made else None
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=entry,
            case=case,
            detail=detail,
        )
    return entry


# Hand-offs: a crime becomes a referral, and its case -------------------------------------


def entry_referred(*, actor, membership, entry, referral, action=None):
    """The referral was recorded from this crime (in the caller's transaction): the
    "refer to triage clinic" action it came from points at it, or such an action is
    recorded now (today), which screens the entry if it was not yet screened."""
    now = timezone.now()
    locked = CrimeScreenEntry.objects.select_for_update().get(pk=entry.pk)
    if action is None:
        action = ScreeningAction.objects.create(
            entry=locked,
            kind=ScreeningActionKind.REFER_TO_TRIAGE,
            acted_at=now,
            actor=actor,
            agency=membership.agency,
            referral=referral,
        )
    else:
        ScreeningAction.objects.filter(pk=action.pk).update(referral=referral)
    if locked.screened_at is None:
        locked.screened_at = action.acted_at
        locked.save(update_fields=["screened_at"])
    record_event(
        action=Action.UPDATE,
        actor=actor,
        membership=membership,
        obj=locked,
        detail={"referral": referral.pk, "screening_action": action.pk},
    )
    return action


def entry_link_accepted_case(*, actor, membership, entry, case, referral):
    """The referral made from this crime was accepted into ``case``: the crime is linked
    to that case, unless it is already linked to one (that link is kept)."""
    linked = CrimeScreenEntry.objects.filter(pk=entry.pk, case__isnull=True).update(
        case=case, updated_at=timezone.now()
    )
    if linked:
        detail = {"linked_case": case.reference, "referral": referral.pk}
        referred_on = _advocacy_referred_on(entry)
        if referred_on is not None:
            # The crime's advocacy referral, now that it has a case. Accepting the triage
            # referral is not refused for it: when no victim or advocacy agency can be
            # chosen the audit row says so ("advocacy_referrals": None) and the screener
            # refers from the crime once the case is put right.
            made = referral_services.referrals_from_screening(
                actor=actor,
                membership=membership,
                entry=entry,
                case=case,
                referred_on=referred_on,
                error_field=None,
            )
            detail["advocacy_referrals"] = (
                None if made is None else [referral.pk for referral in made]
            )
        easi_on = _easi_referred_on(entry)
        if easi_on is not None:
            # The crime's fACT referral, likewise never refusing the acceptance: when it
            # cannot be made the audit row says so ("intervention_referral": None,
            # "intervention_referral_left_out": True).
            made = handoff_services.referral_from_screening(
                actor=actor,
                membership=membership,
                entry=entry,
                case=case,
                referred_on=easi_on,
                error_field=None,
            )
            detail["intervention_referral"] = made.pk if made else None
            if made is False:
                detail["intervention_referral_left_out"] = True
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=entry,
            case=case,
            detail=detail,
        )
    return bool(linked)
