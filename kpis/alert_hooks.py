"""Alert events reported to the webhooks that follow them (opened, escalated, resolved), in the
transaction that records the events (``alerts.evaluate``)."""

from webhooks.events import Occurrence, emit_many, followed
from webhooks.models import Event

from .models import AlertEvent
from .templatetags.kpis import kpi_value, period_label

EVENTS = {
    AlertEvent.Kind.OPENED: Event.ALERT_OPENED,
    AlertEvent.Kind.ESCALATED: Event.ALERT_ESCALATED,
    AlertEvent.Kind.RESOLVED: Event.ALERT_RESOLVED,
}
TONES = {"off_track": "red", "at_risk": "amber"}


def emit(event_ids) -> int:
    """One delivery per following webhook for each opening, escalation or resolution among
    these alert events (an improvement is reported by none). One query when no webhook
    follows alerts."""
    if not event_ids or not followed(EVENTS.values()):
        return 0
    events = (
        AlertEvent.objects.filter(pk__in=list(event_ids), kind__in=list(EVENTS))
        .select_related("alert__kpi", "alert__partnership")
        .order_by("pk")
    )
    return emit_many(occurrence(event) for event in events)


def _headline(event, kpi, partnership):
    if event.kind == AlertEvent.Kind.RESOLVED:
        return (
            f"Alert resolved: {kpi.name} ({partnership.title})",
            f"The alert on {kpi.name} is resolved. {event.comment}".strip(),
        )
    status = event.get_severity_display().lower()
    if event.kind == AlertEvent.Kind.ESCALATED:
        return (
            f"Alert escalated: {kpi.name} ({partnership.title})",
            f"The alert on {kpi.name} has been escalated: the KPI is now {status}.",
        )
    return f"Alert opened: {kpi.name} ({partnership.title})", f"{kpi.name} is {status}."


def occurrence(event):
    alert = event.alert
    kpi, partnership = alert.kpi, alert.partnership
    title, text = _headline(event, kpi, partnership)
    status = "on_track" if event.kind == AlertEvent.Kind.RESOLVED else event.severity
    value = kpi_value(event.value, kpi) if event.value is not None else "—"
    facts = (
        ("KPI", kpi.name),
        ("Status", event.get_severity_display() or "Resolved"),
        ("Period", period_label(event.period, kpi.frequency)),
        ("Value", value),
        ("Target", f"{kpi_value(kpi.target, kpi)} ({kpi.get_direction_display().lower()})"),
    )
    return Occurrence(
        event=EVENTS[event.kind],
        source=f"alert-event:{event.pk}",
        partnership=partnership,
        title=title,
        text=text,
        url=alert.get_absolute_url(),
        facts=facts,
        data={
            "alert": {
                "id": alert.pk,
                "status": status,
                "state": alert.state,
                "severity": event.severity or None,
                "resolution": event.comment if event.kind == AlertEvent.Kind.RESOLVED else None,
            },
            "kpi": {
                "id": kpi.pk,
                "name": kpi.name,
                "unit": kpi.unit,
                "currency": kpi.currency or None,
                "direction": kpi.direction,
                "period": event.period.isoformat() if event.period else None,
                "value": _number(event.value),
                "target": _number(kpi.target),
                "warning": _number(kpi.warning),
                "critical": _number(kpi.critical),
            },
        },
        at=event.at,
        tone="green" if event.kind == AlertEvent.Kind.RESOLVED else TONES.get(event.severity, ""),
    )


def _number(value):
    # A string keeps the decimal exact (a JSON number would pass through a float).
    return None if value is None else format(value.normalize(), "f")
