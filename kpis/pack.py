"""What the KPIs add to the renewal decision pack: each KPI's history against its target, the
health trend, and the alerts with how they were resolved. The latest values come from
``selectors.kpi_cards`` and the health from ``selectors.latest_health``, as on the partnership
page; the history is one grouped query whatever the number of periods."""

from collections import Counter, defaultdict
from statistics import median

from django.db.models import Count
from django.urls import reverse

from partnerships.pack import Section, Table

from .models import Alert, Snapshot, Status
from .selectors import kpi_cards, latest_health
from .templatetags.kpis import format_value

HEALTH_MONTHS = 12
ALERT_LINES = 8


def kpi_history(partnership, *, today):
    cards = [card for card in kpi_cards(partnership) if card.kpi.is_active]
    counted = defaultdict(Counter)
    rows = (
        Snapshot.objects.filter(partnership=partnership, kpi__is_active=True, value__isnull=False)
        .values("kpi_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counted[row["kpi_id"]][row["status"]] = row["n"]
    table, measured, on_track = [], 0, 0
    for card in cards:
        kpi, latest, counts = card.kpi, card.latest, counted[card.kpi.pk]
        periods = sum(counts.values())
        measured += periods
        on_track += counts[Status.ON_TRACK]
        share = f"{round(100 * counts[Status.ON_TRACK] / periods)}%" if periods else "—"
        table.append(
            [
                kpi.name,
                format_value(latest.value, kpi.unit) if latest else "—",
                format_value(kpi.target, kpi.unit),
                Status(latest.status).label if latest else "No data",
                str(periods),
                share,
                f"{counts[Status.AT_RISK]} / {counts[Status.OFF_TRACK]}",
            ]
        )
    figures = []
    if measured:
        figures = [
            ("KPIs", str(len(cards))),
            ("Periods on track", f"{round(100 * on_track / measured)}% of {measured:,}"),
        ]
    return Section(
        title="KPIs against their targets",
        figures=figures,
        table=Table(
            ["KPI", "Latest", "Target", "Status", "Periods", "On track", "At risk / off"],
            table,
        ),
        link=reverse("kpis:partnership_trends", args=[partnership.pk]),
        empty="No active KPIs.",
    )


def health(partnership, *, today):
    current, trend = latest_health(partnership, points=HEALTH_MONTHS)
    if current is None:
        return Section(title="Health", empty="No health score yet.")
    first = trend[0]
    return Section(
        title="Health",
        figures=[
            ("Health now", f"{current.score} ({current.get_band_display()})"),
            (f"Since {first.period:%b %Y}", f"{current.score - first.score:+d}"),
        ],
        table=Table(
            ["Month", "Score", "Band"],
            [[f"{h.period:%b %Y}", str(h.score), h.get_band_display()] for h in trend],
        ),
        link=reverse("partnerships:detail", args=[partnership.pk]) + "#panel-health",
    )


def alerts(partnership, *, today):
    found = list(
        Alert.objects.filter(partnership=partnership)
        .select_related("kpi")
        .order_by("-opened_at")
        .only("state", "severity", "opened_at", "resolved_at", "resolution", "kpi__name")
    )
    resolved = [a for a in found if a.resolved_at]
    days = [(a.resolved_at - a.opened_at).days for a in resolved]
    figures = []
    if found:
        figures = [
            ("Alerts opened", str(len(found))),
            ("Resolved", str(len(resolved))),
            ("Still open", str(len(found) - len(resolved))),
        ]
        if days:
            figures.append(("Median days to resolve", f"{median(days):g}"))
    lines = []
    for alert in found[:ALERT_LINES]:
        when = f"{alert.opened_at:%-d %b %Y}"
        if alert.resolved_at:
            how = f"resolved {alert.resolved_at:%-d %b %Y}" + (
                f": {alert.resolution}" if alert.resolution else ""
            )
        else:
            how = "still open"
        lines.append(f"{alert.kpi.name}, {alert.get_severity_display().lower()} from {when}, {how}")
    return Section(
        title="Alerts and how they were resolved",
        figures=figures,
        lines=lines,
        link=reverse("kpis:alert_inbox") + f"?partnership={partnership.pk}",
        empty="No alert was ever opened.",
    )
