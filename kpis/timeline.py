"""KPI events on the partnership timeline (see partnerships/timeline.py): measurements recorded,
alerts opened and resolved. One query per source."""

from django.db.models.functions import Coalesce

from partnerships.timeline import Event

from .models import Alert, Measurement, Severity
from .templatetags.kpis import format_value


def measurements(partnership, limit):
    rows = (
        Measurement.objects.filter(kpi__partnership=partnership)
        .select_related("kpi", "recorded_by")
        .order_by("-recorded_at", "-pk")[:limit]
    )
    events = []
    for m in rows:
        who = (m.recorded_by.get_full_name() or m.recorded_by.username) if m.recorded_by else ""
        detail = " · ".join(x for x in (f"by {who}" if who else "", m.note) if x)
        events.append(
            Event(
                m.recorded_at,
                "Measurement",
                f"{m.kpi.name}: {format_value(m.value, m.kpi.unit)} for {m.period_label}",
                detail,
                url=m.kpi.get_absolute_url(),
            )
        )
    return events


def alerts(partnership, limit):
    rows = (
        Alert.objects.filter(partnership=partnership)
        .select_related("kpi")
        .order_by(Coalesce("resolved_at", "opened_at").desc(), "-pk")[:limit]
    )
    events = []
    for alert in rows:
        severity = alert.get_peak_severity_display().lower()
        events.append(
            Event(
                alert.opened_at,
                "Alert",
                f"{alert.kpi.name} {severity}",
                "Alert opened",
                url=alert.get_absolute_url(),
                tone="red" if alert.peak_severity == Severity.OFF_TRACK else "amber",
            )
        )
        if alert.resolved_at:
            events.append(
                Event(
                    alert.resolved_at,
                    "Alert",
                    f"{alert.kpi.name} back on track",
                    alert.resolution or "Alert resolved",
                    url=alert.get_absolute_url(),
                    tone="green",
                )
            )
    return events
