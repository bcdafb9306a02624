"""Reads other pages and apps use (portfolio, digests): each runs a constant number of queries,
whatever the number of partnerships or KPIs asked about.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from partnerships.aggregates import ids_param

from .health import FORMULA
from .models import (
    Alert,
    Checkpoint,
    CorrectiveAction,
    HealthSnapshot,
    Kpi,
    Severity,
    Snapshot,
    Status,
)

SPARK_POINTS = 12
HEALTH_TREND_POINTS = 6


def partnership_kpi_summary(partnership_ids, *, trend_points=HEALTH_TREND_POINTS):
    """For each partnership id: KPI status counts, open alerts by severity and health.

    Returns {id: {"kpis": n active KPIs, "on_track", "at_risk", "off_track", "no_data",
    "pending" (active KPIs with no snapshot yet), "open_alerts": {"at_risk", "off_track",
    "total"}, "unacknowledged_alerts": n, "overdue_actions": n, "health": {"score", "band",
    "period"} or None, "health_trend": [scores, oldest first]}} with an entry for every id.
    Four queries.
    """
    ids = list(dict.fromkeys(int(pid) for pid in partnership_ids))
    out = {
        pid: {
            "kpis": 0,
            "on_track": 0,
            "at_risk": 0,
            "off_track": 0,
            "no_data": 0,
            "pending": 0,
            "open_alerts": {"at_risk": 0, "off_track": 0, "total": 0},
            "unacknowledged_alerts": 0,
            "overdue_actions": 0,
            "health": None,
            "health_trend": [],
        }
        for pid in ids
    }
    if not ids:
        return out
    _count_kpi_statuses(out, ids)
    _count_alerts_and_overdue_actions(out, ids)
    for pid, snapshots in health_trends(ids, points=trend_points).items():
        out[pid]["health_trend"] = [s["score"] for s in snapshots]
        last = snapshots[-1]
        out[pid]["health"] = {
            "score": last["score"],
            "band": last["band"],
            "period": last["period"],
        }
    return out


def _count_kpi_statuses(out, ids):
    """Each partnership's active KPIs by their latest snapshot's status (one query)."""
    rows = (
        Kpi.objects.filter(partnership_id__in=ids, is_active=True)
        .annotate(
            latest_status=Snapshot.objects.filter(kpi=OuterRef("pk"), is_latest=True).values(
                "status"
            )[:1]
        )
        .values_list("partnership_id", "latest_status")
    )
    for pid, status in rows:
        entry = out[pid]
        entry["kpis"] += 1
        entry[status or "pending"] += 1


def _count_alerts_and_overdue_actions(out, ids):
    """Open alerts by severity, unacknowledged ones, and overdue actions (two queries)."""
    alerts = (
        Alert.objects.filter(partnership_id__in=ids, resolved_at__isnull=True)
        .values("partnership_id", "severity", "state")
        .annotate(n=Count("pk"))
    )
    for row in alerts:
        entry = out[row["partnership_id"]]
        entry["open_alerts"][row["severity"]] += row["n"]
        entry["open_alerts"]["total"] += row["n"]
        if row["state"] == Alert.State.OPEN:
            entry["unacknowledged_alerts"] += row["n"]
    overdue = (
        CorrectiveAction.objects.filter(
            partnership_id__in=ids,
            state__in=CorrectiveAction.OPEN_STATES,
            due_date__lt=timezone.localdate(),
        )
        .values("partnership_id")
        .annotate(n=Count("pk"))
    )
    for row in overdue:
        out[row["partnership_id"]]["overdue_actions"] = row["n"]


def health_trends(partnership_ids, *, points=HEALTH_TREND_POINTS):
    """{id: [{"period", "score", "band", "computed_at"}...]} — the last ``points`` months,
    oldest first. One query (a window function keeps only the last rows of each partnership)."""
    ranked = (
        HealthSnapshot.objects.filter(partnership_id__in=ids_param(partnership_ids))
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("partnership_id")], order_by=F("period").desc()
            )
        )
        .filter(rank__lte=points)
        .order_by("partnership_id", "period")
        .values("partnership_id", "period", "score", "band", "computed_at")
    )
    out = defaultdict(list)
    for row in ranked:
        out[row.pop("partnership_id")].append(row)
    return dict(out)


# Partnership panels ------------------------------------------------------------------------


@dataclass
class KpiCard:
    kpi: Kpi
    latest: Snapshot | None = None
    spark: list = field(default_factory=list)

    @property
    def status(self):
        return self.latest.status if self.latest else ""


def kpi_cards(partnership, *, include_inactive=False):
    """Each KPI with its latest snapshot and the values of its last periods. Two queries."""
    kpis = list(
        Kpi.objects.filter(partnership=partnership)
        .filter(Q(is_active=True) | Q(is_active=include_inactive))
        .select_related("objective", "owner")
        .order_by("-is_active", "objective__title", "name")
    )
    by_kpi = recent_snapshots(kpis, points=SPARK_POINTS)
    cards = []
    for kpi in kpis:
        snaps = by_kpi.get(kpi.pk, [])
        cards.append(
            KpiCard(
                kpi=kpi,
                latest=snaps[-1] if snaps else None,
                spark=[s.value for s in snaps[-SPARK_POINTS:]],
            )
        )
    return cards


def recent_snapshots(kpis, *, points):
    """{kpi id: its last ``points`` snapshots, oldest first}, in one query: only the periods a
    card or chart shows (a weekly KPI has ~150 snapshots after three years)."""
    recent = (
        Snapshot.objects.filter(kpi__in=kpis)
        .annotate(back=Window(RowNumber(), partition_by=[F("kpi_id")], order_by=F("period").desc()))
        .filter(back__lte=points)
        .order_by("kpi_id", "period")
    )
    by_kpi = defaultdict(list)
    for snap in recent:
        by_kpi[snap.kpi_id].append(snap)
    return by_kpi


def status_counts(cards):
    counts = Counter(card.status or "pending" for card in cards if card.kpi.is_active)
    return {status: counts.get(status, 0) for status in [*Status.values, "pending"]}


def alerts_for_partnership(partnership, *, resolved_limit=5):
    """Unresolved alerts with their actions and checkpoints, then the latest resolved ones."""
    actions = CorrectiveAction.objects.select_related("owner").prefetch_related(
        Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("due_on"))
    )
    base = Alert.objects.filter(partnership=partnership).select_related("kpi", "acknowledged_by")
    unresolved = list(
        base.filter(resolved_at__isnull=True)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("-severity", "-opened_at")
    )
    resolved = list(
        base.filter(resolved_at__isnull=False)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("-resolved_at")[:resolved_limit]
    )
    return unresolved, resolved


def alert_story(alert):
    """Everything on the alert page: events, actions with checkpoints, snapshots around it."""
    events = list(alert.events.select_related("by").order_by("at", "pk"))
    actions = list(
        alert.actions.select_related("owner", "created_by").prefetch_related(
            Prefetch(
                "checkpoints",
                queryset=Checkpoint.objects.select_related("recorded_by").order_by("due_on"),
            )
        )
    )
    snapshots = list(Snapshot.objects.filter(kpi_id=alert.kpi_id).order_by("period"))
    latest = next((s for s in reversed(snapshots) if s.is_latest), None)
    opened_index = next(
        (i for i, s in enumerate(snapshots) if s.period >= alert.opened_period), len(snapshots)
    )
    window = snapshots[max(0, opened_index - 6) :]
    return {"events": events, "actions": actions, "snapshots": window, "latest": latest}


def latest_health(partnership, *, points=12):
    trend = list(
        HealthSnapshot.objects.filter(partnership=partnership).order_by("-period")[:points]
    )
    trend.reverse()
    return (trend[-1] if trend else None), trend


def health_formula():
    return FORMULA


def severity_rank(alert):
    return 2 if alert.severity == Severity.OFF_TRACK else 1


def inbox_queryset(user):
    # The KPI's latest period, beside the one that opened the alert: one fact, one number.
    latest = Snapshot.objects.filter(kpi_id=OuterRef("kpi_id"), is_latest=True)
    return (
        Alert.objects.visible_to(user)
        .select_related("kpi", "partnership__partner", "partnership__owner", "acknowledged_by")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            open_actions=Count(
                "actions", filter=Q(actions__state__in=CorrectiveAction.OPEN_STATES)
            ),
            overdue_actions=Count(
                "actions",
                filter=Q(
                    actions__state__in=CorrectiveAction.OPEN_STATES,
                    actions__due_date__lt=timezone.localdate(),
                ),
            ),
        )
    )
