"""Celery tasks: thin wrappers taking ids, enqueued with transaction.on_commit.

Tasks import the modules doing the work, never the reverse. Alert emails are not sent here:
a recompute writes them to the outbox, which delivers them (outbox.tasks)."""

from celery import shared_task
from django.db import transaction

from partnerships.models import Partnership

from . import alerts, health, imports, recomputes, snapshots


def _summary(result):
    return {"kpis": result.kpis, "snapshots": result.snapshots, "events": len(result.events)}


@shared_task(name="kpis.recompute_kpis")
def recompute_kpis(kpi_ids):
    return _summary(snapshots.recompute(kpi_ids))


@shared_task(name="kpis.recompute_marked", ignore_result=True)
def recompute_marked():
    """The sweep: queued on commit by every change that marks a recompute, and by beat every
    minute for what those kicks could not queue."""
    swept = recomputes.sweep()
    return {"marks": swept.marks, "kpis": len(swept.kpis), "health": len(swept.partnerships)}


@shared_task(name="kpis.recompute_all")
def recompute_all():
    """The nightly full recompute: every KPI, every partnership's health, and the emails of any
    notification not yet in the outbox."""
    result = snapshots.recompute(
        partnership_ids=list(Partnership.objects.values_list("pk", flat=True))
    )
    alerts.enqueue_unqueued()
    return _summary(result)


@shared_task(name="kpis.compute_health")
def compute_health(partnership_ids):
    return len(health.compute_health(partnership_ids))


# Both only write to the outbox (idempotently); the outbox sends. The first stays for tasks
# queued before an upgrade; the second is the periodic sweep of notifications recorded before
# the outbox carried alert emails, or interrupted then.
@shared_task(name="kpis.send_alert_notifications")
def send_alert_notifications(notification_ids):
    with transaction.atomic():
        return alerts.enqueue_notifications(notification_ids)


@shared_task(name="kpis.send_pending_notifications")
def send_pending_notifications():
    return alerts.enqueue_unqueued()


# Imports: ``attempt`` is the run the reaper numbered; a message for an older run does nothing.
@shared_task(name="kpis.validate_import")
def validate_import(import_id, attempt=0):
    imports.run_validation(import_id, attempt)


@shared_task(name="kpis.apply_import")
def apply_import(import_id, attempt=0):
    imports.run_apply(import_id, attempt)


@shared_task(name="kpis.reap_imports", ignore_result=True)
def reap_imports():
    return imports.reap()
