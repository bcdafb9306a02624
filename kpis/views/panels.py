"""The partnership page's KPI panels (each is also a full page)."""

from django.utils import timezone

from partnerships import pagecache
from partnerships.access import can_acknowledge_alerts

from .. import selectors, services
from ..health import BANDS, FORMULA
from .common import _partnership


def partnership_kpis(request, pk):
    partnership = _partnership(request, pk)

    def context():
        cards = selectors.kpi_cards(partnership, include_inactive=not request.htmx)
        return {
            "partnership": partnership,
            "cards": cards,
            "counts": selectors.status_counts(cards),
            "can_edit": services.can_edit_kpis(request.user, partnership),
            "has_objectives": partnership.objectives.exists(),
        }

    return pagecache.panel(
        request, "kpis/partnership_kpis.html", context, key=f"kpis:{partnership.pk}"
    )


def partnership_alerts(request, pk):
    partnership = _partnership(request, pk)

    def context():
        unresolved, resolved = selectors.alerts_for_partnership(
            partnership, resolved_limit=5 if request.htmx else 50
        )
        return {
            "partnership": partnership,
            "unresolved": unresolved,
            "resolved": resolved,
            "can_edit": services.can_edit_kpis(request.user, partnership),
            "can_acknowledge": can_acknowledge_alerts(request.user, partnership),
            "today": timezone.localdate(),
        }

    return pagecache.panel(
        request, "kpis/partnership_alerts.html", context, key=f"alerts:{partnership.pk}"
    )


def partnership_health(request, pk):
    partnership = _partnership(request, pk)

    def context():
        latest, trend = selectors.latest_health(partnership, points=18)
        return {
            "partnership": partnership,
            "health": latest,
            "trend": trend,
            "trend_scores": [h.score for h in trend],
            "formula": FORMULA,
            "bands": BANDS,
        }

    return pagecache.panel(
        request, "kpis/partnership_health.html", context, key=f"health:{partnership.pk}"
    )
