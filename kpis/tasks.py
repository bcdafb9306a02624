"""Celery tasks: thin wrappers taking ids, enqueued with transaction.on_commit."""

from celery import shared_task


@shared_task(name="kpis.recompute_kpis")
def recompute_kpis(kpi_ids):
    from .snapshots import recompute

    result = recompute(kpi_ids)
    return {"kpis": result.kpis, "snapshots": result.snapshots, "events": len(result.events)}


@shared_task(name="kpis.recompute_all")
def recompute_all():
    """The nightly full recompute: every KPI, every partnership's health, unsent emails."""
    from partnerships.models import Partnership

    from .alerts import pending_notification_ids
    from .snapshots import recompute

    result = recompute(partnership_ids=list(Partnership.objects.values_list("pk", flat=True)))
    pending = pending_notification_ids()
    if pending:
        send_alert_notifications.delay(pending)
    return {"kpis": result.kpis, "snapshots": result.snapshots, "events": len(result.events)}


@shared_task(name="kpis.compute_health")
def compute_health(partnership_ids):
    from .health import compute_health as compute

    return len(compute(partnership_ids))


@shared_task(name="kpis.send_alert_notifications")
def send_alert_notifications(notification_ids):
    from .alerts import send_notification

    return sum(1 for pk in notification_ids if send_notification(pk))


@shared_task(name="kpis.send_pending_notifications")
def send_pending_notifications():
    from .alerts import pending_notification_ids, send_notification

    return sum(1 for pk in pending_notification_ids() if send_notification(pk))


@shared_task(name="kpis.validate_import")
def validate_import(import_id):
    from .imports import run_validation

    run_validation(import_id)


@shared_task(name="kpis.apply_import")
def apply_import(import_id):
    from .imports import run_apply

    run_apply(import_id)
