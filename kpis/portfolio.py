"""KPI columns, the health filter and tiles of the portfolio table, and the health source of the
strategic-alignment page (see partnerships/portfolio.py). Every figure is one SQL annotation or
one query for a whole page, whatever the number of partnerships or KPIs.
"""

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe

from partnerships.links import url
from partnerships.plugins import Attention
from partnerships.portfolio import Column, Filter, Health, Tile, cell_html

from .health import BANDS
from .models import (
    Alert,
    CorrectiveAction,
    HealthSnapshot,
    Kpi,
    Severity,
    Snapshot,
    Status,
)
from .selectors import health_trends
from .templatetags.kpis import sparkline

BAND_LABELS = {band: label for band, _, label in BANDS}
NOT_SCORED = "none"


def _latest_health(field):
    latest = HealthSnapshot.objects.filter(partnership=OuterRef("pk")).order_by("-period")
    return Subquery(latest.values(field)[:1])


def _count(queryset):
    counted = queryset.order_by().values("partnership_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def annotate_health(queryset):
    if "health_score" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        health_score=_latest_health("score"), health_band=_latest_health("band")
    )


def annotate_kpis(queryset):
    latest = Snapshot.objects.filter(
        partnership_id=OuterRef("pk"), is_latest=True, kpi__is_active=True
    )
    active = Kpi.objects.filter(partnership_id=OuterRef("pk"), is_active=True)
    return queryset.annotate(
        kpis_active=_count(active),
        kpis_on_track=_count(latest.filter(status=Status.ON_TRACK)),
        kpis_at_risk=_count(latest.filter(status=Status.AT_RISK)),
        kpis_off_track=_count(latest.filter(status=Status.OFF_TRACK)),
    )


def annotate_alerts(queryset):
    open_alerts = Alert.objects.filter(partnership_id=OuterRef("pk"), resolved_at__isnull=True)
    return queryset.annotate(
        open_alert_count=_count(open_alerts),
        open_off_track_alerts=_count(open_alerts.filter(severity=Severity.OFF_TRACK)),
    )


def decorate(rows):
    """The health trend of each row of the page, for its sparkline: one query for the page
    (everything else is an annotation of the row query)."""
    trends = health_trends([row.pk for row in rows])
    for row in rows:
        row.health_trend = [point["score"] for point in trends.get(row.pk, [])]
        row.health_label = BAND_LABELS.get(getattr(row, "health_band", None) or "", "")


def _kpis_export(row):
    return (
        f"{row.kpis_on_track} on track / {row.kpis_at_risk} at risk / "
        f"{row.kpis_off_track} off track"
    )


def _alerts_export(row):
    if not row.open_alert_count:
        return 0
    worst = "off track" if row.open_off_track_alerts else "at risk"
    return f"{row.open_alert_count} ({worst})"


def _render_health(row):
    if row.health_score is None:
        return mark_safe('<span class="muted">not scored</span>')
    trend = row.health_trend
    spark = sparkline(trend, 44, 18, label="Health by month") if len(trend) > 1 else ""
    return cell_html(
        '<span class="health-cell"><span class="badge badge-{}" title="{}">{}</span>{}</span>',
        row.health_band,
        row.health_label,
        row.health_score,
        spark,
    )


_SR_ON = mark_safe('<span class="sr-only"> on track,</span>')
_SR_AT = mark_safe('<span class="sr-only"> at risk,</span>')
_SR_OFF = mark_safe('<span class="sr-only"> off track</span>')


def _render_kpis(row):
    if not row.kpis_active:
        return mark_safe('<span class="muted">no KPIs</span>')
    on, at, off = row.kpis_on_track, row.kpis_at_risk, row.kpis_off_track
    return cell_html(
        # Screen readers hear each count with its meaning; sighted users get it on hover and
        # from the column header.
        '<span class="kpi-counts">'
        '<span class="count count-green" title="On track">{on}{sr_on}</span>'
        '<span class="count count-amber" title="At risk">{at}{sr_at}</span>'
        '<span class="count count-red" title="Off track">{off}{sr_off}</span>'
        "</span>",
        sr_on=_SR_ON,
        sr_at=_SR_AT,
        sr_off=_SR_OFF,
        on=on,
        at=at,
        off=off,
    )


def _render_alerts(row):
    if not row.open_alert_count:
        return mark_safe('<span class="muted">none</span>')
    off = bool(row.open_off_track_alerts)
    return cell_html(
        '<a href="{}?partnership={}" class="badge {}">{} · {}</a>',
        url("kpis:alert_inbox"),
        row.pk,
        "badge-red" if off else "badge-amber",
        row.open_alert_count,
        "off track" if off else "at risk",
    )


COLUMNS = [
    Column(
        "health",
        "Health",
        _render_health,
        export=lambda row: row.health_score,
        export_label="Health score",
        annotate=annotate_health,
        sort="health_score",
        decorate=decorate,
        order=10,
        css="nowrap",
    ),
    Column(
        "kpis",
        "KPIs",
        _render_kpis,
        legend=mark_safe(
            '<span class="th-legend"><span class="count count-green" title="On track">on</span>'
            '<span class="count count-amber" title="At risk">at risk</span>'
            '<span class="count count-red" title="Off track">off</span></span>'
        ),
        export=_kpis_export,
        export_label="KPIs on track / at risk / off track",
        annotate=annotate_kpis,
        sort="kpis_off_track",
        order=20,
        css="nowrap",
    ),
    Column(
        "alerts",
        "Open alerts",
        _render_alerts,
        export=_alerts_export,
        annotate=annotate_alerts,
        sort="open_alert_count",
        order=30,
        css="nowrap",
    ),
]


# The portfolio's default order (``Contributions.attention``) -------------------------------


def health_band_rank(today):
    """0 unhealthy, 1 needs attention, 2 healthy, from the latest health; 3 not scored yet."""
    ranked = (
        HealthSnapshot.objects.filter(partnership=OuterRef("pk"))
        .order_by("-period")
        .annotate(
            rank=Case(
                When(band="red", then=Value(0)),
                When(band="amber", then=Value(1)),
                default=Value(2),
            )
        )
        .values("rank")[:1]
    )
    return Coalesce(Subquery(ranked, output_field=IntegerField()), Value(3))


def open_alerts(today):
    return _count(Alert.objects.filter(partnership_id=OuterRef("pk"), resolved_at__isnull=True))


def overdue_corrective_actions(today):
    overdue = CorrectiveAction.objects.filter(
        partnership_id=OuterRef("pk"),
        state__in=CorrectiveAction.OPEN_STATES,
        due_date__lt=today,
    )
    return _count(overdue)


ATTENTION = [
    Attention("kpis.band", "unhealthy first", health_band_rank, order=10),
    Attention("kpis.alerts", "the most open alerts", open_alerts, order=20, descending=True),
    Attention(
        "kpis.corrective",
        "the most overdue corrective actions",
        overdue_corrective_actions,
        order=40,
        descending=True,
    ),
]


def apply_health(queryset, value):
    queryset = annotate_health(queryset)
    if value == NOT_SCORED:
        return queryset.filter(health_band__isnull=True)
    if value in BAND_LABELS:
        return queryset.filter(health_band=value)
    return queryset


HEALTH_FILTER = Filter(
    "health",
    "Health",
    lambda: [*((band, label) for band, _, label in BANDS), (NOT_SCORED, "Not scored yet")],
    apply_health,
    order=10,
)


def tiles(visible, today):
    """Partnerships by health band, and open alerts by severity: two queries, each reading a
    partnership's latest health or its open alerts once (an aggregate over the annotations
    would evaluate each of them again for every FILTER)."""
    bands = dict(
        annotate_health(visible.order_by())
        .values_list("health_band")
        .annotate(n=Count("pk"))
        .values_list("health_band", "n")
    )
    counts = {band: bands.get(band, 0) for band in BAND_LABELS}
    counts[NOT_SCORED] = bands.get(None, 0)
    severities = dict(
        Alert.objects.unresolved()
        .filter(partnership__in=visible.values("pk"))
        .order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    counts["alerts"] = sum(severities.values())
    counts["off_track"] = severities.get(Severity.OFF_TRACK, 0)
    out = [
        Tile(label, counts[band], f"health={band}", tone=band, group="Health")
        for band, _, label in BANDS
    ]
    out.append(Tile("Not scored yet", counts[NOT_SCORED], f"health={NOT_SCORED}", group="Health"))
    inbox = reverse("kpis:alert_inbox")
    at_risk = counts["alerts"] - counts["off_track"]
    out += [
        Tile(
            "Off track",
            counts["off_track"],
            url=f"{inbox}?severity={Severity.OFF_TRACK}",
            tone="red" if counts["off_track"] else "",
            group="Open alerts",
        ),
        Tile(
            "At risk",
            at_risk,
            url=f"{inbox}?severity={Severity.AT_RISK}",
            tone="amber" if at_risk else "",
            group="Open alerts",
        ),
    ]
    return out


def health_source(partnership_ids):
    """{id: Health} — the latest health of each partnership (one query, on any database)."""
    out = {}
    for pid, points in health_trends(partnership_ids, points=1).items():
        score, band = points[-1]["score"], points[-1]["band"]
        out[pid] = Health(score, band, BAND_LABELS.get(band, ""))
    return out
