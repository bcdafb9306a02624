"""A Celery worker killed with SIGKILL while it writes an import: the import ends done (or
failed, visibly), never stuck, and its rows are written exactly once or not at all."""

import os
import signal
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from kpis import imports
from kpis.imports.reaper import stale
from kpis.models import Measurement, MeasurementImport
from tests.factories import make_partner, make_partnership, make_user
from tests.kpis.conftest import make_kpi

from .jobs_processes import (
    own_redis,
    pool_children,
    process_env,
    record,
    send,
    start_worker,
    wait_until,
)

__all__ = ["own_redis", "start_worker"]  # fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

State = MeasurementImport.State
KPIS, WEEKS = 100, 400  # 40,000 rows: the write takes long enough to be killed halfway
LEASE = 3  # seconds of silence before the reaper takes a run for dead


@pytest.fixture
def shared_media(settings):
    """The worker processes read the uploaded file where their settings put it."""
    settings.MEDIA_ROOT = settings.BASE_DIR / "var" / "test-media"
    yield settings.MEDIA_ROOT
    for batch in MeasurementImport.objects.all():
        batch.file.delete(save=False)


def confirmed_import():
    """A checked, confirmed import of KPIS x WEEKS new values, as the confirm page hands it to a
    worker (the task itself is sent by the test, to its own broker)."""
    user = make_user("importer", "Partner manager")
    partnership = make_partnership(partner=make_partner(), owner=user)
    kpis = [make_kpi(partnership, frequency="weekly", name=f"W{i}") for i in range(KPIS)]
    weeks = [date(2015, 1, 5) + timedelta(weeks=w) for w in range(WEEKS)]
    lines = [f"{k.pk},{week},{n}," for k in kpis for n, week in enumerate(weeks)]
    batch = MeasurementImport.objects.create(uploaded_by=user, original_name="big.csv")
    batch.file.save("big.csv", ContentFile("kpi_id,period,value,note\n" + "\n".join(lines)))
    batch = imports.run_validation(batch.pk)
    assert batch.state == State.READY and batch.total_rows == KPIS * WEEKS
    assert imports.confirm(batch)
    MeasurementImport.objects.filter(pk=batch.pk).update(in_background=True)
    return batch


def writing_halfway(batch):
    """Progress past 60%: the run is inside its write transaction, rows already inserted."""
    state, progress = MeasurementImport.objects.values_list("state", "progress").get(pk=batch.pk)
    assert state == State.IMPORTING, f"the import ended ({state}) before it could be killed"
    return progress if progress >= 60 else None


def test_jobs_worker_killed_while_importing_is_restarted_by_the_reaper(
    own_redis, start_worker, shared_media
):
    batch = confirmed_import()
    env = process_env(own_redis.url, KPI_IMPORT_LEASE_SECONDS=str(LEASE))
    first = start_worker(env)
    send(own_redis.url, "kpis.apply_import", batch.pk, 0)
    killed_at = wait_until(lambda: writing_halfway(batch), 60, "the write to begin")
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL

    # The dead run's transaction went with its connection: nothing of it is stored.
    assert not Measurement.objects.filter(import_batch=batch).exists()
    # Its task stays unacknowledged in Redis until the visibility timeout (12 min); the reaper,
    # which beat runs every minute, does not wait that long.
    start_worker(env)
    lease = timedelta(seconds=LEASE)
    wait_until(lambda: stale(timezone.now(), lease).exists(), 30, "the lease to run out")
    send(own_redis.url, "kpis.reap_imports")
    wait_until(lambda: _ended(batch), 60, "the restarted run to end")

    batch.refresh_from_db()
    written = Measurement.objects.filter(import_batch=batch).count()
    assert batch.state == State.DONE, batch.message
    assert (batch.created_count, written) == (KPIS * WEEKS, KPIS * WEEKS)
    assert (batch.attempts, batch.runs) == (1, 2)
    record(
        "worker killed (SIGKILL) while importing",
        imports=1,
        killed_at_progress=killed_at,
        restarted_by_reaper=1,
        done=1,
        rows_written=written,
        rows_expected=KPIS * WEEKS,
        stuck=_stuck(),
    )


def test_jobs_pool_child_killed_while_importing_is_run_again(own_redis, start_worker, shared_media):
    batch = confirmed_import()
    env = process_env(own_redis.url)  # the default five-minute lease: no reaper needed here
    worker = start_worker(env, pool="prefork")
    send(own_redis.url, "kpis.apply_import", batch.pk, 0)
    killed_at = wait_until(lambda: writing_halfway(batch), 60, "the write to begin")
    (child,) = pool_children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # The worker sees its child die, puts the task back (reject on worker lost), and a new
    # child runs it again under the same attempt.
    wait_until(lambda: _ended(batch), 60, "the task to run again")
    batch.refresh_from_db()
    written = Measurement.objects.filter(import_batch=batch).count()
    assert batch.state == State.DONE, batch.message
    assert (batch.created_count, written) == (KPIS * WEEKS, KPIS * WEEKS)
    assert (batch.attempts, batch.runs) == (0, 2)
    assert worker.poll() is None, "the worker itself lives on"
    record(
        "pool child killed (SIGKILL) while importing",
        imports=1,
        killed_at_progress=killed_at,
        run_again_by_celery=1,
        done=1,
        rows_written=written,
        rows_expected=KPIS * WEEKS,
        stuck=_stuck(),
    )


def _ended(batch):
    ended = [State.DONE, State.FAILED]
    return MeasurementImport.objects.filter(pk=batch.pk, state__in=ended).exists()


def _stuck():
    return MeasurementImport.objects.filter(state__in=MeasurementImport.BUSY_STATES).count()
