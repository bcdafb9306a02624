"""The partnership dashboard's KPI trend charts and a partnership's KPI history export.

Both read a constant number of queries whatever the number of KPIs (one for the KPIs, one for
the snapshots they show)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from partnerships import access, pagecache
from partnerships.exports import table_response
from partnerships.forms import people
from partnerships.header import Fact
from partnerships.models import Partnership

from . import selectors, services
from .forms import AcknowledgeForm, CorrectiveActionForm
from .models import UNIT_SUFFIX, Alert, HealthSnapshot, Kpi, Snapshot
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
            "unit": kpi.unit_label if not UNIT_SUFFIX.get(kpi.unit) else "",
        },
    }


def partnership_trends(request, pk):
    """A trend chart per active KPI with its target and thresholds (panel and full page)."""
    partnership = _partnership(request, pk)

    def context():
        kpis = list(Kpi.objects.filter(partnership=partnership, is_active=True).order_by("name"))
        by_kpi = selectors.recent_snapshots(kpis, points=TREND_POINTS)
        return {
            "partnership": partnership,
            "trends": [_trend(kpi, by_kpi.get(kpi.pk, [])) for kpi in kpis],
        }

    return pagecache.panel(
        request, "kpis/partnership_trends.html", context, key=f"trends:{partnership.pk}"
    )


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
            s.kpi.unit_label,
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


# Inline actions of the alerts panel: each answers the refreshed panel (errors inside it, 200,
# because HTMX swaps only 2xx answers). Without JavaScript the forms post to the alert pages.


def _panel_alert(request, alert_pk):
    try:
        return (
            Alert.objects.visible_to(request.user)
            .select_related("kpi", "partnership__owner")
            .get(pk=alert_pk)
        )
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


def _alerts_panel(request, partnership, *, alert_pk=None, **problem):
    """The alerts panel; ``problem`` (ack_error, action_error, action_data) goes on one alert."""
    unresolved, resolved = selectors.alerts_for_partnership(partnership, resolved_limit=5)
    for alert in unresolved:
        if alert.pk == alert_pk:
            for key, value in problem.items():
                setattr(alert, key, value)
    context = {
        "partnership": partnership,
        "unresolved": unresolved,
        "resolved": resolved,
        "can_edit": services.can_edit_kpis(request.user, partnership),
        "can_acknowledge": access.can_acknowledge_alerts(request.user, partnership),
        "today": timezone.localdate(),
        "people": people(),
    }
    return render(request, "kpis/partnership_alerts.html#panel", context)


@require_POST
def panel_acknowledge(request, alert_pk):
    alert = _panel_alert(request, alert_pk)
    if not services.can_acknowledge(request.user, alert):
        raise PermissionDenied("Only executives and the partnership owner acknowledge alerts.")
    form = AcknowledgeForm(request.POST)
    error = "Say what is being done about it."
    if form.is_valid():
        try:
            services.alert_acknowledge(
                alert=alert, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            error = ""
    return _alerts_panel(request, alert.partnership, alert_pk=alert.pk, ack_error=error)


@require_POST
def panel_action_create(request, alert_pk):
    alert = _panel_alert(request, alert_pk)
    if not services.can_edit_kpis(request.user, alert.partnership):
        raise PermissionDenied("You can see this alert but not act on it.")
    form = CorrectiveActionForm(request.POST)
    if form.is_valid():
        try:
            form.create(alert=alert, by=request.user)
        except ValidationError as exc:
            message = " ".join(exc.messages)
        else:
            return _alerts_panel(request, alert.partnership)
    else:
        message = " ".join(
            f"{form.fields[name].label}: {' '.join(errs)}"
            if name in form.fields
            else " ".join(errs)
            for name, errs in form.errors.items()
        )
    return _alerts_panel(
        request,
        alert.partnership,
        alert_pk=alert.pk,
        action_error=message,
        action_data=request.POST,
    )


def header_health(partnership):
    """The latest health score in the page header, with what takes most points off (one
    query)."""
    latest = HealthSnapshot.objects.filter(partnership=partnership).order_by("-period").first()
    if latest is None:
        return Fact("Health", "not scored yet", url="#panel-health")
    worst = sorted(
        (part for part in latest.components if part.get("points")),
        key=lambda part: part["points"],
        reverse=True,
    )[:2]
    why = " · ".join(f"{part['label']} −{part['points']:g}" for part in worst)
    return Fact(
        "Health",
        f"{latest.score} · {latest.get_band_display()}",
        detail=f"points off: {why}" if why else "",
        tone=latest.band,
        url="#panel-health",
    )
