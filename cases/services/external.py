"""Checks on an external id (cases.models.external) before a service saves it."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models.external import EXTERNAL_ID_MAX, EXTERNAL_SOURCE_MAX


def clean_external_id(source, external_id):
    """(source, id) with surrounding spaces removed; None counts as blank."""
    return (source or "").strip(), (external_id or "").strip()


def external_id_errors(model, partnership_id, source, external_id, *, instance=None):
    """Field errors ({} when none) for a cleaned external id about to be saved on a
    ``model`` row of the partnership (``instance``: the row being changed). A clash with
    another row is the external_id field's error, found here rather than left to the
    database constraint."""
    errors = {}
    if len(source) > EXTERNAL_SOURCE_MAX:
        errors["external_source"] = (
            f"The source system must be {EXTERNAL_SOURCE_MAX} characters or fewer."
        )
    if len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = f"The external id must be {EXTERNAL_ID_MAX} characters or fewer."
    elif external_id and not source:
        errors["external_source"] = "Enter the system the external id comes from."
    if errors or not external_id:
        return errors
    taken = model.objects.filter(
        partnership_id=partnership_id, external_source=source, external_id=external_id
    )
    if instance is not None and instance.pk is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        errors["external_id"] = _taken(model, source, external_id)
    return errors


def _taken(model, source, external_id):
    return (
        f"Another {model._meta.verbose_name} in this partnership already has the "
        f"external id {external_id} from {source}."
    )


@contextmanager
def external_id_saved(record):
    """Around the save of ``record``: when another save of the same external id won the
    race past external_id_errors, the unique constraint's refusal becomes the same
    external_id field error instead of an IntegrityError."""
    model = type(record)
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if f"{model._meta.model_name}_external_id_unique" not in str(error):
            raise
        raise ValidationError(
            {"external_id": _taken(model, record.external_source, record.external_id)}
        ) from error


def external_detail(record):
    """The record's external id for its audit row's detail ({} when it has none)."""
    if not record.external_id and not record.external_source:
        return {}
    return {"external_source": record.external_source, "external_id": record.external_id}
