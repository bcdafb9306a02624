"""Uploaded import files are kept for a while (to check and apply them), then deleted.

The import's row stays, with its counts, errors and summary, so the history still reads; only
the spreadsheet goes. An import still waiting for confirmation when its file goes is cancelled,
saying why. Imports being checked or written keep their file until they finish.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import MeasurementImport

log = logging.getLogger(__name__)


def retention_days():
    return getattr(settings, "KPI_IMPORT_FILE_RETENTION_DAYS", 30)


def purge_import_files(now=None):
    """Delete the files of imports uploaded longer ago than the retention period; a count."""
    days = retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = (
        MeasurementImport.objects.filter(created_at__lt=cutoff)
        .exclude(file="")
        .exclude(state__in=MeasurementImport.BUSY_STATES)
    )
    deleted = 0
    for batch in expired.iterator():
        if batch.state == MeasurementImport.State.READY and not _cancel(batch, days):
            continue  # confirmed meanwhile: it needs its file
        try:
            batch.file.storage.delete(batch.file.name)
        except Exception:
            # The name stays on the row, so the next run tries again.
            log.exception("Could not delete the file of import %s", batch.pk)
            continue
        MeasurementImport.objects.filter(pk=batch.pk).update(file="")
        deleted += 1
    return deleted


def _cancel(batch, days):
    return MeasurementImport.objects.filter(
        pk=batch.pk, state=MeasurementImport.State.READY
    ).update(
        state=MeasurementImport.State.CANCELLED,
        message=f"Cancelled: uploaded files are deleted after {days} days. Upload it again "
        "to import it.",
        finished_at=timezone.now(),
    )


@shared_task(name="kpis.purge_import_files")
def purge_import_files_task():
    # The API's idempotency keys are kept for a while too, and go with the daily sweep.
    from .feeds import purge_keys

    purge_keys()
    return purge_import_files()
