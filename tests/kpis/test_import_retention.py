"""Uploaded import files are deleted after the retention period by a scheduled task."""

from datetime import timedelta

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from config.celery import app
from kpis.models import MeasurementImport

State = MeasurementImport.State


def upload(user, state, age_days):
    batch = MeasurementImport(uploaded_by=user, original_name="m.csv", state=state)
    batch.file.save("m.csv", ContentFile(b"kpi_id,period,value\n"), save=False)
    batch.created_at = timezone.now() - timedelta(days=age_days)
    batch.save()
    return batch


def test_files_older_than_the_retention_period_are_deleted(manager, settings):
    settings.KPI_IMPORT_FILE_RETENTION_DAYS = 30
    done_old = upload(manager, State.DONE, 31)
    ready_old = upload(manager, State.READY, 31)
    busy_old = upload(manager, State.IMPORTING, 31)
    recent = upload(manager, State.DONE, 29)
    names = {b.pk: b.file.name for b in (done_old, ready_old, busy_old, recent)}

    entry = django_settings.CELERY_BEAT_SCHEDULE["kpis-purge-import-files"]
    result = app.tasks[entry["task"]].apply()
    assert result.get() == 2

    for batch in (done_old, ready_old, busy_old, recent):
        batch.refresh_from_db()
    assert not default_storage.exists(names[done_old.pk])
    assert not default_storage.exists(names[ready_old.pk])
    assert (done_old.file.name, ready_old.file.name) == ("", "")
    assert done_old.state == State.DONE  # the record and its history stay
    assert ready_old.state == State.CANCELLED
    assert "deleted after 30 days" in ready_old.message
    # Being written, or within the period: kept.
    assert default_storage.exists(busy_old.file.name)
    assert default_storage.exists(recent.file.name)
    # A second run finds nothing more to do.
    assert app.tasks["kpis.purge_import_files"].apply().get() == 0


def test_the_retention_period_is_a_setting(manager, settings):
    settings.KPI_IMPORT_FILE_RETENTION_DAYS = 7
    batch = upload(manager, State.DONE, 8)
    assert app.tasks["kpis.purge_import_files"].apply().get() == 1
    batch.refresh_from_db()
    assert batch.file.name == ""
