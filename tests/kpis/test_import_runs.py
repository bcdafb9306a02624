"""An import's runs: progress and heartbeat in the database, cancel at any step, the reaper
that restarts or fails a run that went silent. Worker processes killed for real:
tests/chaos/test_jobs_worker_killed.py."""

import threading
from datetime import date, timedelta

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from kpis import imports, tasks
from kpis.imports import progress, writing
from kpis.models import Measurement, MeasurementImport
from tests import db as test_db
from tests.clock import NOW

from .conftest import make_kpi

State = MeasurementImport.State


@pytest.fixture
def weekly(partnership):
    return make_kpi(partnership, name="Leads", frequency="weekly")


def rows_for(kpi, weeks):
    lines = [f"{kpi.pk},{date.fromisocalendar(2024, w, 1)},{w}," for w in range(1, weeks + 1)]
    return ("kpi_id,period,value,note\n" + "\n".join(lines) + "\n").encode()


def new_import(user, content, **fields):
    batch = MeasurementImport.objects.create(uploaded_by=user, original_name="m.csv", **fields)
    batch.file.save("m.csv", ContentFile(content))
    return batch


def confirmed(user, kpi, weeks=6, **fields):
    """An import checked and confirmed, waiting for its write."""
    batch = new_import(user, rows_for(kpi, weeks))
    batch = imports.run_validation(batch.pk)
    assert batch.state == State.READY
    assert imports.confirm(batch)
    MeasurementImport.objects.filter(pk=batch.pk).update(**fields)
    batch.refresh_from_db()
    return batch


def seen_from_outside(pk):
    with psycopg.connect(**test_db.params()) as other:
        return other.execute(
            f"SELECT progress FROM {MeasurementImport._meta.db_table} WHERE id = %s", [pk]
        ).fetchone()[0]


def test_a_run_keeps_its_progress_and_heartbeat_on_the_import(manager, weekly):
    batch = new_import(manager, rows_for(weekly, 3))
    batch = imports.run_validation(batch.pk)
    assert (batch.state, batch.progress, batch.heartbeat_at) == (State.READY, 100, NOW)
    assert imports.current_progress(batch) == 100


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_write_transaction_is_seen_by_other_connections(
    manager, weekly, monkeypatch
):
    monkeypatch.setattr(writing, "WRITE_CHUNK", 2)
    batch = confirmed(manager, weekly, weeks=6)
    seen, report = [], progress.Run.report

    def spy(run, pct):
        report(run, pct)
        seen.append((int(pct), seen_from_outside(batch.pk)))

    monkeypatch.setattr(progress.Run, "report", spy)
    batch = imports.run_apply(batch.pk)
    assert batch.state == State.DONE and Measurement.objects.count() == 6
    writes = [(mine, theirs) for mine, theirs in seen if mine > 50]
    assert len(writes) == 3 and all(mine == theirs for mine, theirs in writes)


@pytest.mark.django_db(transaction=True)
def test_a_cancel_during_the_write_stops_it_and_nothing_is_written(manager, weekly, monkeypatch):
    monkeypatch.setattr(writing, "WRITE_CHUNK", 2)
    batch = confirmed(manager, weekly, weeks=6)
    report, outcome = progress.Run.report, []

    def cancel_from_the_page(run, pct):
        report(run, pct)
        if pct > 50 and not outcome:
            # The page's request, on its own connection, while the run holds its transaction.
            def page():
                outcome.append(imports.cancel(batch))
                connections.close_all()

            thread = threading.Thread(target=page)
            thread.start()
            thread.join(timeout=10)
            assert not thread.is_alive(), "the cancel waited on the running write"

    monkeypatch.setattr(progress.Run, "report", cancel_from_the_page)
    batch = imports.run_apply(batch.pk)
    assert outcome == [State.IMPORTING]
    assert batch.state == State.CANCELLED and batch.message.startswith("Cancelled at")
    assert not Measurement.objects.exists()


def test_the_cancel_button_of_a_busy_import(client, manager, weekly):
    batch = new_import(manager, rows_for(weekly, 3), in_background=True)
    client.force_login(manager)
    page = client.get(batch.get_absolute_url())
    assert "Checking the file" in page.text and "Cancel this import" in page.text
    response = client.post(reverse("kpis:import_cancel", args=[batch.pk]), follow=True)
    assert "The worker stops at its next step; nothing was written" in response.text
    assert "Cancelled at 10:30." in response.text and "every 1s" not in response.text
    # The worker's task, arriving late, finds nothing to do.
    tasks.validate_import(batch.pk)
    batch.refresh_from_db()
    assert batch.state == State.CANCELLED and batch.summary == {}


def test_too_late_to_cancel_a_finished_import(client, manager, weekly):
    batch = confirmed(manager, weekly)
    imports.run_apply(batch.pk)
    client.force_login(manager)
    response = client.post(reverse("kpis:import_cancel", args=[batch.pk]), follow=True)
    assert "Too late to cancel: this import had already ended (Imported)." in response.text
    batch.refresh_from_db()
    assert batch.state == State.DONE and Measurement.objects.count() == 6


def test_the_reaper_restarts_a_silent_worker_import_which_then_finishes(
    manager, weekly, django_capture_on_commit_callbacks
):
    silent = NOW - timedelta(minutes=6)
    batch = confirmed(manager, weekly, in_background=True, heartbeat_at=silent, progress=60, runs=1)
    fresh = confirmed(manager, make_kpi(weekly.partnership, frequency="weekly"), heartbeat_at=NOW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert imports.reap() == {batch.pk: "restarted"}
        batch.refresh_from_db()
        assert batch.attempts == 1 and batch.progress == 0 and batch.runs == 1
        assert "stopped while importing at 60%, so it was started again at 10:30" in batch.message
        assert "(attempt 2 of 3)" in batch.message
    # The task was queued once the restart committed (and ran: tasks are eager here), then
    # the recompute of what it wrote.
    assert len(callbacks) == 2
    batch.refresh_from_db()
    assert batch.state == State.DONE and batch.created_count == 6
    fresh.refresh_from_db()
    assert fresh.state == State.IMPORTING and fresh.attempts == 0


def test_a_message_for_an_older_attempt_does_nothing(manager, weekly):
    batch = confirmed(manager, weekly, attempts=1, in_background=True)
    tasks.apply_import(batch.pk, 0)  # redelivered after the reaper had started attempt 1
    batch.refresh_from_db()
    assert batch.state == State.IMPORTING and not Measurement.objects.exists()
    tasks.apply_import(batch.pk, 1)
    batch.refresh_from_db()
    assert batch.state == State.DONE


def test_the_reaper_fails_an_import_whose_runs_keep_dying(client, manager, weekly):
    silent = NOW - timedelta(minutes=6)
    batch = confirmed(manager, weekly, in_background=True, heartbeat_at=silent, runs=3)
    assert imports.reap() == {batch.pk: "failed"}
    batch.refresh_from_db()
    assert batch.state == State.FAILED and batch.finished_at == NOW
    assert "did not come back after 3 tries, so it was stopped at 10:30" in batch.message
    client.force_login(manager)
    page = client.get(batch.get_absolute_url())
    assert "Nothing was written: upload the file again." in page.text
    assert "every 1s" not in page.text


def test_the_reaper_fails_an_import_whose_web_request_died(manager, weekly):
    # Small files are checked inside the request; a web process that died leaves no task.
    batch = new_import(manager, rows_for(weekly, 3))
    MeasurementImport.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(minutes=6)
    )
    assert imports.reap() == {batch.pk: "failed"}
    batch.refresh_from_db()
    assert batch.state == State.FAILED and "stopped while checking the file at 0%" in batch.message


def test_an_import_that_keeps_killing_its_worker_stops_at_the_limit(manager, weekly):
    # Celery hands a killed worker's task to another with the same attempt number: each such
    # start counts, so an import that always kills its worker (out of memory) ends, visibly.
    batch = confirmed(manager, weekly, in_background=True, runs=3)
    tasks.apply_import(batch.pk, 0)
    batch.refresh_from_db()
    assert batch.state == State.FAILED and "after 3 tries" in batch.message
    assert not Measurement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_queued_while_the_broker_is_down_says_it_waits(
    client, manager, weekly, settings, monkeypatch
):
    # The broker itself is stopped for real in tests/chaos/; here only queue_briefly's answer.
    from kpis.imports import lifecycle, reaper

    monkeypatch.setattr(lifecycle, "queue_briefly", lambda name, *args: False)
    settings.KPI_IMPORT_ASYNC_ROWS = 2
    client.force_login(manager)
    upload = ContentFile(rows_for(weekly, 5), name="w.csv")
    response = client.post(reverse("kpis:import_start"), {"file": upload}, follow=True)
    batch = MeasurementImport.objects.get()
    assert response.status_code == 200 and batch.state == State.VALIDATING
    assert batch.in_background and batch.message == lifecycle.WAITING
    assert "Waiting for a background worker" in response.text
    # Once the workers are back, beat's reaper queues it again when its lease has run out.
    MeasurementImport.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=6)
    )
    queued = []
    monkeypatch.setattr(reaper, "queue_briefly", lambda name, *args: queued.append(args))
    assert imports.reap() == {batch.pk: "restarted"}
    batch.refresh_from_db()
    assert queued == [(batch.pk, 1)]
    assert batch.message == "No worker had started this yet; it was queued again at 10:30."
    MeasurementImport.objects.filter(pk=batch.pk).update(message=lifecycle.WAITING)
    assert progress.Run(batch, State.VALIDATING, 1).claim()  # a worker, at last
    batch.refresh_from_db()
    assert batch.message == "" and batch.runs == 1


def test_the_busy_page_reads_progress_from_the_import(
    client, manager, weekly, django_assert_max_num_queries
):
    batch = confirmed(manager, weekly, in_background=True, progress=42)
    client.force_login(manager)
    with django_assert_max_num_queries(3):
        page = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert 'aria-valuenow="42"' in page.text and "Cancel this import" in page.text
