"""The partnership dashboard's KPI trend charts and a partnership's KPI history export.

Both read a constant number of queries whatever the number of KPIs (one for the KPIs, one for
all their snapshots)."""

from collections import defaultdict

from django.shortcuts import render
from django.utils.text import slugify

from partnerships import access
from partnerships.exports import table_response
from partnerships.htmx import fragment
from partnerships.models import Partnership

from .models import UNIT_SUFFIX, Kpi, Snapshot
from .periods import period_code

TREND_POINTS = 12


def _partnership(request, pk):
    queryset = Partnership.objects.select_related("partner", "owner")
    return access.get_partnership_for_user(request.user, pk, queryset=queryset)


def _float(value):
    return None if value is None else float(value)


def _trend(kpi, snapshots):
    """The chart spec charts.js draws, and the rows of its table fallback."""
    rows = snapshots[-TREND_POINTS:]
    latest = rows[-1] if rows else None
    lines = []
    if latest:  # the thresholds in force for the latest period, as drawn lines
        lines = [
            {"label": "Target", "value": _float(latest.target), "tone": "target"},
            {"label": "Warning", "value": _float(latest.warning), "tone": "warning"},
            {"label": "Critical", "value": _float(latest.critical), "tone": "critical"},
        ]
    return {
        "kpi": kpi,
        "rows": rows,
        "spec": {
            "labels": [period_code(s.period, s.frequency) for s in rows],
            "series": [{"label": kpi.name, "values": [_float(s.value) for s in rows]}],
            "lines": lines,
            "unit": kpi.get_unit_display() if not UNIT_SUFFIX.get(kpi.unit) else "",
        },
    }


def partnership_trends(request, pk):
    """A trend chart per active KPI with its target and thresholds (panel and full page)."""
    partnership = _partnership(request, pk)
    kpis = list(Kpi.objects.filter(partnership=partnership, is_active=True).order_by("name"))
    by_kpi = defaultdict(list)
    for snap in Snapshot.objects.filter(kpi__in=kpis).order_by("kpi_id", "period"):
        by_kpi[snap.kpi_id].append(snap)
    context = {
        "partnership": partnership,
        "trends": [_trend(kpi, by_kpi.get(kpi.pk, [])) for kpi in kpis],
    }
    return render(request, fragment(request, "kpis/partnership_trends.html", "panel"), context)


HISTORY_HEADER = [
    "KPI",
    "Objective",
    "Unit",
    "Frequency",
    "Period",
    "Period start",
    "Value",
    "Target",
    "Warning",
    "Critical",
    "Status",
    "Measurements",
]


def _history_rows(partnership):
    yield HISTORY_HEADER
    snapshots = (
        Snapshot.objects.filter(partnership=partnership)
        .select_related("kpi__objective")
        .order_by("kpi__name", "period")
    )
    for s in snapshots:
        yield [
            s.kpi.name,
            s.kpi.objective.title,
            s.kpi.get_unit_display(),
            s.get_frequency_display(),
            s.period_label,
            s.period,
            s.value,
            s.target,
            s.warning,
            s.critical,
            s.get_status_display(),
            s.measurement_count,
        ]


def kpi_history_export(request, pk, fmt):
    """Every period of every KPI of a partnership the user may see, as CSV or XLSX."""
    partnership = _partnership(request, pk)
    name = f"kpi-history-{slugify(partnership.title) or partnership.pk}"
    return table_response(_history_rows(partnership), fmt=fmt, filename=name)
