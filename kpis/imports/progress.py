"""An import's progress, written to its row as a run goes.

The page polls it, and its time (``heartbeat_at``) tells the reaper the run is alive. A run is
one attempt (``attempts``) at one state (checking or importing); each report first checks the
import is still that, so a run the user cancelled, or one the reaper replaced, stops at its next
step and writes nothing.

The write itself happens inside one transaction, where a report on the same connection would be
seen by nobody until the end; reports from inside a transaction go through a second connection
of their own, which commits each at once.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone
from django.utils.formats import date_format

from ..models import MeasurementImport

WAITING = (
    "Waiting for a background worker: none could be reached just now. This starts by itself "
    "within a few minutes of their return; you can leave this page."
)


class Stopped(Exception):
    """The import was cancelled, or another run took it over: stop without writing."""


class Run:
    def __init__(self, batch, state, attempt):
        self.batch, self.state, self.attempt = batch, state, attempt
        self._side = None

    def _ours(self):
        return MeasurementImport.objects.filter(
            pk=self.batch.pk, state=self.state, attempts=self.attempt
        )

    def claim(self):
        """Start this run: False when the import is no longer in this state and attempt (done,
        cancelled, or a later attempt queued by the reaper), so the task has nothing to do, or
        when it has been started too often already (then it is failed, saying so)."""
        now, limit = timezone.now(), settings.KPI_IMPORT_MAX_ATTEMPTS
        started = self._ours().filter(runs__lt=limit)
        # A note that the import waits for a worker is over once one has it.
        note = Case(
            When(message=WAITING, then=Value("")), default=F("message"), output_field=TextField()
        )
        if started.update(heartbeat_at=now, progress=0, runs=F("runs") + 1, message=note):
            return True
        for batch in self._ours():
            batch.message = gave_up(batch, now)
            batch.state, batch.finished_at = MeasurementImport.State.FAILED, now
            batch.save(update_fields=["state", "finished_at", "message"])
        return False

    def check(self):
        """Raise Stopped when the import is no longer ours (read committed: a cancel committed
        by the page is seen here even inside the run's own transaction)."""
        if not self._ours().exists():
            raise Stopped

    def report(self, pct):
        self.check()
        pct = max(0, min(100, int(pct)))
        if not connection.in_atomic_block:
            self._ours().update(progress=pct, heartbeat_at=timezone.now())
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {MeasurementImport._meta.db_table} SET progress = %s, heartbeat_at = %s "
                "WHERE id = %s AND state = %s AND attempts = %s",
                [pct, timezone.now(), self.batch.pk, self.state, self.attempt],
            )

    def setter(self, low, high):
        """A progress callback mapping 0–100 onto ``low``–``high`` of the whole run."""

        def set_progress(pct):
            self.report(low + (high - low) * pct / 100)

        return set_progress

    def finish(self, **fields):
        """Record the outcome if the import is still ours; False when it is not."""
        return bool(self._ours().update(heartbeat_at=timezone.now(), **fields))

    def close(self):
        if self._side is not None:
            self._side.close()
            self._side = None


STEP = {
    MeasurementImport.State.VALIDATING: "checking the file",
    MeasurementImport.State.IMPORTING: "importing",
}


def gave_up(batch, now):
    """What a failed import says when its runs kept dying, or its web request did."""
    tries = f" after {batch.runs} tries" if batch.in_background else ""
    return (
        f"The import stopped while {STEP[batch.state]} at {batch.progress}% and did not come "
        f"back{tries}, so it was stopped at {date_format(timezone.localtime(now), 'H:i')}. "
        "Nothing was written: upload the file again."
    )


def current_progress(batch):
    return batch.progress
