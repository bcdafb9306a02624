"""The import's life: checked for the preview, claimed on confirmation, then written."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ..models import MeasurementImport
from .checking import check
from .layout import ImportFileError
from .progress import progress_key, progress_setter
from .reading import read_table
from .writing import write

log = logging.getLogger(__name__)
MAX_ERRORS_STORED = 1000


def _read(batch):
    with batch.file.open("rb") as handle:
        content = handle.read()
    return read_table(content, batch.original_name)


def run_validation(import_id):
    """Check the stored file and keep the result on the import (the preview)."""
    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.state != MeasurementImport.State.VALIDATING:
        return batch
    progress = progress_setter(batch, 0, 100)
    try:
        progress(5)
        frame = _read(batch)
        progress(30)
        checked = check(frame, batch.uploaded_by, progress=progress_setter(batch, 30, 100))
    except ImportFileError as error:
        _finish(batch, MeasurementImport.State.INVALID, message=str(error))
        return batch
    except Exception as error:
        log.exception("Checking import %s failed", import_id)
        _finish(
            batch,
            MeasurementImport.State.FAILED,
            message=f"The file could not be checked ({error}).",
        )
        return batch
    _finish(
        batch,
        MeasurementImport.State.INVALID if checked.errors else MeasurementImport.State.READY,
        errors=checked.errors,
        summary=checked.summary,
        total_rows=checked.rows,
        finished=False,
    )
    return batch


def _finish(
    batch, state, *, message="", errors=None, summary=None, total_rows=None, finished=True, **extra
):
    batch.state = state
    batch.message = message
    batch.progress = 100
    if errors is not None:
        batch.errors = errors[:MAX_ERRORS_STORED]
        batch.error_count = len(errors)
    if summary is not None:
        batch.summary = summary
    if total_rows is not None:
        batch.total_rows = total_rows
    if finished:
        batch.finished_at = timezone.now()
    for name, value in extra.items():
        setattr(batch, name, value)
    batch.save()
    cache.delete(progress_key(batch.pk))


def confirm(batch):
    """Claim a ready import for writing (False if it is not ready, e.g. confirmed twice)."""
    claimed = MeasurementImport.objects.filter(
        pk=batch.pk, state=MeasurementImport.State.READY
    ).update(state=MeasurementImport.State.IMPORTING, confirmed_at=timezone.now(), progress=0)
    return bool(claimed)


def run_apply(import_id):
    """Write a confirmed import: checked again under lock, all rows in one transaction."""
    from ..services import enqueue_recompute

    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.state != MeasurementImport.State.IMPORTING:
        return batch
    user = batch.uploaded_by
    progress = progress_setter(batch, 0, 100)
    try:
        frame = _read(batch)
        progress(10)
        with transaction.atomic():
            checked = check(frame, user, for_update=True, progress=progress_setter(batch, 10, 50))
            if checked.errors:
                transaction.set_rollback(True)
            else:
                created, corrected = write(checked.plan, user=user, batch=batch, progress=progress)
                enqueue_recompute(set(checked.plan["kpi_id"]))
    except ImportFileError as error:
        _finish(batch, MeasurementImport.State.FAILED, message=str(error))
        return batch
    except Exception as error:
        log.exception("Import %s failed", import_id)
        _finish(
            batch,
            MeasurementImport.State.FAILED,
            message=f"The import failed and nothing was written ({type(error).__name__}: {error}).",
        )
        return batch
    if checked.errors:
        _finish(
            batch,
            MeasurementImport.State.INVALID,
            message="Things changed since the preview, so nothing was imported: fix these rows "
            "and upload the file again.",
            errors=checked.errors,
            summary=checked.summary,
        )
        return batch
    _finish(
        batch,
        MeasurementImport.State.DONE,
        summary=checked.summary,
        created_count=created,
        corrected_count=corrected,
    )
    return batch
