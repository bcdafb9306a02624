"""Celery tasks: thin wrappers taking ids, enqueued with transaction.on_commit.

Tasks import the modules doing the work, never the reverse: a recompute is given the task that
queues its alert emails (``send``)."""

from celery import shared_task

from partnerships.models import Partnership

from . import alerts, health, imports, snapshots


def _summary(result):
    return {"kpis": result.kpis, "snapshots": result.snapshots, "events": len(result.events)}


@shared_task(name="kpis.recompute_kpis")
def recompute_kpis(kpi_ids):
    return _summary(snapshots.recompute(kpi_ids, send=send_alert_notifications.delay))


@shared_task(name="kpis.recompute_all")
def recompute_all():
    """The nightly full recompute: every KPI, every partnership's health, unsent emails."""
    result = snapshots.recompute(
        partnership_ids=list(Partnership.objects.values_list("pk", flat=True)),
        send=send_alert_notifications.delay,
    )
    pending = alerts.pending_notification_ids()
    if pending:
        send_alert_notifications.delay(pending)
    return _summary(result)


@shared_task(name="kpis.compute_health")
def compute_health(partnership_ids):
    return len(health.compute_health(partnership_ids))


@shared_task(name="kpis.send_alert_notifications")
def send_alert_notifications(notification_ids):
    return alerts.send_notifications(notification_ids)


@shared_task(name="kpis.send_pending_notifications")
def send_pending_notifications():
    return alerts.send_notifications(alerts.pending_notification_ids())


@shared_task(name="kpis.validate_import")
def validate_import(import_id):
    imports.run_validation(import_id)


@shared_task(name="kpis.apply_import")
def apply_import(import_id):
    imports.run_apply(import_id)
