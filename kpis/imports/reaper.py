"""Imports whose run stopped reporting: started again, or failed with a message, never left
"importing 60%" for good.

A run reports progress at every step (``progress.Run``); one silent for longer than the lease
(``KPI_IMPORT_LEASE_SECONDS``) is taken for dead. Its write, if it had begun, was one transaction
that died with its connection, so nothing of it is stored and the import can start over. An
import a worker ran is queued again with the next attempt number, up to
``KPI_IMPORT_MAX_ATTEMPTS`` runs (Celery's redeliveries count too); after that, or when it ran
inside a web request that is gone, it is failed with a message saying nothing was written.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from config.celery import queue_briefly

from ..models import MeasurementImport
from .lifecycle import TASKS
from .progress import STEP, gave_up

State = MeasurementImport.State


def stale(now, lease):
    return MeasurementImport.objects.annotate(
        last_seen=Coalesce("heartbeat_at", "confirmed_at", "created_at")
    ).filter(state__in=MeasurementImport.BUSY_STATES, last_seen__lt=now - lease)


def reap(*, now=None, lease=None, max_attempts=None):
    """Restart or fail every stale import. Returns {import id: "restarted" | "failed"}."""
    now = now or timezone.now()
    lease = lease or timedelta(seconds=settings.KPI_IMPORT_LEASE_SECONDS)
    max_attempts = max_attempts or settings.KPI_IMPORT_MAX_ATTEMPTS
    outcomes = {}
    with transaction.atomic():
        # SKIP LOCKED: two reapers never take the same import, and one whose run is alive in its
        # write (the rows it inserts key-share lock the import) or marking it done is left be.
        for batch in stale(now, lease).select_for_update(skip_locked=True, of=("self",)):
            outcomes[batch.pk] = reap_one(batch, now=now, max_attempts=max_attempts)
    return outcomes


def reap_one(batch, *, now, max_attempts):
    if not (batch.in_background and batch.runs < max_attempts):
        batch.message = gave_up(batch, now)
        batch.state, batch.finished_at = State.FAILED, now
        batch.save(update_fields=["state", "finished_at", "message"])
        return "failed"
    at = date_format(timezone.localtime(now), "H:i")
    batch.attempts += 1
    batch.heartbeat_at = now
    if batch.runs:
        batch.message = (
            f"The worker stopped while {STEP[batch.state]} at {batch.progress}%, so it was "
            f"started again at {at} (attempt {batch.runs + 1} of {max_attempts}). Nothing was "
            "written by the run that stopped."
        )
    else:  # queued while the broker was down, or lost with a worker before it began
        batch.message = f"No worker had started this yet; it was queued again at {at}."
    batch.progress = 0
    batch.save(update_fields=["attempts", "heartbeat_at", "message", "progress"])
    task, pk, attempt = TASKS[batch.state], batch.pk, batch.attempts
    transaction.on_commit(lambda: queue_briefly(task, pk, attempt))
    return "restarted"
