"""The shared scorecard: the same snapshots, cards and trend charts as our partnership page,
for the KPIs shared with the partner. One computation, two audiences."""

from kpis.dashboard import TREND_POINTS
from kpis.dashboard import _trend as trend_chart
from kpis.selectors import SPARK_POINTS, KpiCard, recent_snapshots, status_counts

from . import access


def scorecard(partnership):
    """(cards, trends, counts) for the partnership's shared KPIs, in two queries."""
    kpis = list(
        access.shared_kpis(partnership)
        .select_related("objective")
        .order_by("objective__title", "name")
    )
    by_kpi = recent_snapshots(kpis, points=max(SPARK_POINTS, TREND_POINTS))
    cards, trends = [], []
    for kpi in kpis:
        snaps = by_kpi.get(kpi.pk, [])
        cards.append(
            KpiCard(
                kpi=kpi,
                latest=snaps[-1] if snaps else None,
                spark=[s.value for s in snaps[-SPARK_POINTS:]],
            )
        )
        trends.append(trend_chart(kpi, snaps))
    return cards, trends, status_counts(cards)
