"""The import's life: checked for the preview, claimed on confirmation, then written."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from config.celery import queue_briefly

from ..models import MeasurementImport
from .checking import check
from .layout import ImportFileError
from .progress import WAITING, Run, Stopped
from .reading import read_table
from .writing import write

log = logging.getLogger(__name__)
State = MeasurementImport.State
MAX_ERRORS_STORED = 1000


def _read(batch):
    with batch.file.open("rb") as handle:
        content = handle.read()
    return read_table(content, batch.original_name)


def run_validation(import_id, attempt=0):
    """Check the stored file and keep the result on the import (the preview)."""
    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    run = Run(batch, State.VALIDATING, attempt)
    if not run.claim():
        return batch
    try:
        run.report(5)
        frame = _read(batch)
        run.report(30)
        checked = check(frame, batch.uploaded_by, progress=run.setter(30, 100))
    except Stopped:
        return _fresh(batch)
    except ImportFileError as error:
        _finish(run, State.INVALID, message=str(error))
        return _fresh(batch)
    except Exception as error:
        log.exception("Checking import %s failed", import_id)
        _finish(run, State.FAILED, message=f"The file could not be checked ({error}).")
        return _fresh(batch)
    finally:
        run.close()
    _finish(
        run,
        State.INVALID if checked.errors else State.READY,
        errors=checked.errors,
        summary=checked.summary,
        total_rows=checked.rows,
        finished=False,
    )
    return _fresh(batch)


def _fresh(batch):
    batch.refresh_from_db()
    return batch


def _finish(run, state, *, message="", errors=None, summary=None, finished=True, **fields):
    """The run's outcome, recorded only if the import is still the run's (not cancelled)."""
    fields |= {"state": state, "message": message, "progress": 100}
    if errors is not None:
        fields |= {"errors": errors[:MAX_ERRORS_STORED], "error_count": len(errors)}
    if summary is not None:
        fields["summary"] = summary
    if finished:
        fields["finished_at"] = timezone.now()
    return run.finish(**fields)


TASKS = {State.VALIDATING: "kpis.validate_import", State.IMPORTING: "kpis.apply_import"}


def queue(batch):
    """Hand a busy import to a worker once this transaction commits. With the broker down the
    import says it is waiting, and the reaper queues it again once its lease has run out."""
    MeasurementImport.objects.filter(pk=batch.pk).update(
        in_background=True, heartbeat_at=timezone.now()
    )
    pk, state, attempt = batch.pk, batch.state, batch.attempts

    def kick():
        if not queue_briefly(TASKS[state], pk, attempt):
            MeasurementImport.objects.filter(pk=pk, state=state, attempts=attempt).update(
                message=WAITING
            )

    transaction.on_commit(kick)


CANCELLABLE = (State.VALIDATING, State.READY, State.INVALID, State.IMPORTING)


def cancel(batch, *, now=None):
    """Cancel an import that has not finished. Returns the state it was cancelled in, or None
    when it had already finished (done, failed or cancelled). A run in progress sees the cancel
    at its next step and stops; its write, one transaction, is rolled back."""
    now = now or timezone.now()
    with transaction.atomic():
        # NO KEY: the rows a run is writing hold a key-share lock on the import, which must not
        # hold the cancel up; only a run marking the import done right now does (for a commit).
        locked = MeasurementImport.objects.select_for_update(no_key=True).get(pk=batch.pk)
        if locked.state not in CANCELLABLE:
            return None
        was = locked.state
        locked.state = State.CANCELLED
        locked.finished_at = now
        locked.message = f"Cancelled at {date_format(timezone.localtime(now), 'H:i')}."
        locked.save(update_fields=["state", "finished_at", "message"])
    return was


def confirm(batch):
    """Claim a ready import for writing (False if it is not ready, e.g. confirmed twice)."""
    now = timezone.now()
    claimed = MeasurementImport.objects.filter(pk=batch.pk, state=State.READY).update(
        state=State.IMPORTING, confirmed_at=now, heartbeat_at=now, progress=0, runs=0, message=""
    )
    if claimed:
        batch.refresh_from_db()
    return bool(claimed)


def run_apply(import_id, attempt=0):
    """Write a confirmed import: checked again under lock, all rows in one transaction, whose
    last statement marks the import done (so a cancel either stops it or comes too late)."""
    from ..services import enqueue_recompute

    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    run = Run(batch, State.IMPORTING, attempt)
    if not run.claim():
        return batch
    user = batch.uploaded_by
    try:
        frame = _read(batch)
        run.report(10)
        with transaction.atomic():
            checked = check(frame, user, for_update=True, progress=run.setter(10, 50))
            if checked.errors:
                transaction.set_rollback(True)
            else:
                created, corrected = write(
                    checked.plan, user=user, batch=batch, progress=run.report
                )
                enqueue_recompute(set(checked.plan["kpi_id"]))
                run.check()
                done = _finish(
                    run,
                    State.DONE,
                    summary=checked.summary,
                    created_count=created,
                    corrected_count=corrected,
                )
                if not done:
                    raise Stopped
    except Stopped:
        return _fresh(batch)
    except ImportFileError as error:
        _finish(run, State.FAILED, message=str(error))
        return _fresh(batch)
    except Exception as error:
        log.exception("Import %s failed", import_id)
        _finish(
            run,
            State.FAILED,
            message=f"The import failed and nothing was written ({type(error).__name__}: {error}).",
        )
        return _fresh(batch)
    finally:
        run.close()
    if checked.errors:
        _finish(
            run,
            State.INVALID,
            message="Things changed since the preview, so nothing was imported: fix these rows "
            "and upload the file again.",
            errors=checked.errors,
            summary=checked.summary,
        )
    return _fresh(batch)
