"""Formatting KPI values and drawing small inline SVG charts (no JavaScript needed)."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, mark_safe

from kpis import periods
from kpis.models import STATUS_BADGE, Status, Unit

register = template.Library()


def _number(value, places):
    value = Decimal(str(value))
    if places == 0:
        value = value.quantize(Decimal("1"))
    else:
        value = value.quantize(Decimal(1).scaleb(-places)).normalize()
        if value == value.to_integral():
            value = value.quantize(Decimal("1"))
    sign = "−" if value < 0 else ""
    text = intcomma(format(abs(value), "f"))
    return f"{sign}{text}"


def format_value(value, unit):
    if value is None or value == "":
        return "—"
    unit = str(unit)
    if unit == Unit.PERCENT:
        return f"{_number(value, 1)}%"
    if unit == Unit.CURRENCY:
        return _number(value, 0 if abs(Decimal(str(value))) >= 1000 else 2)
    if unit == Unit.COUNT:
        return _number(value, 2)
    if unit == Unit.DAYS:
        return f"{_number(value, 1)} d"
    if unit == Unit.HOURS:
        return f"{_number(value, 1)} h"
    if unit == Unit.RATIO:
        return _number(value, 3)
    return _number(value, 1)


@register.filter
def kpi_value(value, kpi):
    """A value in the KPI's unit: 95.5%, 120,000 USD, 3.5 d."""
    text = format_value(value, getattr(kpi, "unit", kpi))
    currency = getattr(kpi, "currency", "")
    if currency and text != "—" and str(kpi.unit) == Unit.CURRENCY:
        return f"{text} {currency}"
    return text


@register.filter
def period_label(day, frequency):
    if not day:
        return "—"
    return periods.period_label(day, str(frequency))


@register.filter
def period_code(day, frequency):
    return periods.period_code(day, str(frequency)) if day else ""


@register.filter
def pct(ratio):
    if ratio is None or ratio == "":
        return "—"
    return f"{float(ratio) * 100:.0f}%"


@register.filter
def status_badge(status):
    return STATUS_BADGE.get(status, "")


@register.filter
def status_label(status):
    try:
        return Status(status).label
    except ValueError:
        return "Pending"


@register.simple_tag
def change_arrow(change, direction, unit):
    """▲/▼ with the change, green when it moves the right way for the KPI."""
    if change is None:
        return mark_safe('<span class="muted">—</span>')
    change = float(change)
    if abs(change) < 1e-9:
        return mark_safe('<span class="kpi-change flat">= 0</span>')
    good = (change > 0) == (str(direction) == "higher")
    arrow = "▲" if change > 0 else "▼"
    return format_html(
        '<span class="kpi-change {}" title="Change against the previous period">{} {}</span>',
        "good" if good else "bad",
        arrow,
        format_value(abs(change), unit),
    )


@register.simple_tag
def sparkline(points, width=120, height=32, target=None, label=""):
    """A tiny line chart of (value or None) points; gaps where there is no data."""
    values = [float(v) for v in points if v is not None]
    if not values:
        return format_html(
            '<svg class="sparkline" width="{}" height="{}" role="img" aria-label="No data yet">'
            '<line x1="0" y1="{}" x2="{}" y2="{}" class="spark-empty"/></svg>',
            width,
            height,
            height / 2,
            width,
            height / 2,
        )
    scale_values = values + ([float(target)] if target is not None else [])
    low, high = min(scale_values), max(scale_values)
    span = (high - low) or 1.0
    pad = 3
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(v):
        return pad + (height - 2 * pad) * (1 - (float(v) - low) / span)

    segments, current = [], []
    for i, v in enumerate(points):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append((pad + i * step, y(v)))
    if current:
        segments.append(current)
    parts = []
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="0" y1="{ty:.1f}" x2="{width}" y2="{ty:.1f}" class="spark-target"/>'
        )
    for seg in segments:
        if len(seg) == 1:
            x0, y0 = seg[0]
            parts.append(f'<circle cx="{x0:.1f}" cy="{y0:.1f}" r="1.8" class="spark-dot"/>')
        else:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in seg)
            parts.append(f'<polyline points="{path}" class="spark-line"/>')
    last_x, last_y = segments[-1][-1]
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" class="spark-last"/>')
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        label or "Trend",
        mark_safe("".join(parts)),  # numbers only, built above
    )


@register.simple_tag
def kpi_chart(snapshots, unit, width=720, height=220):
    """A larger chart of a KPI's snapshots with its target and thresholds in force."""
    rows = list(snapshots)
    if not rows:
        return ""
    values = [float(s.value) for s in rows if s.value is not None]
    levels = [float(x) for s in rows for x in (s.target, s.warning, s.critical)]
    low, high = min(values + levels), max(values + levels)
    span = (high - low) or 1.0
    low, high = low - span * 0.08, high + span * 0.08
    span = high - low
    left, right, top, bottom = 30, 30, 10, 26
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(len(rows) - 1, 1)

    def x(i):
        return left + i * step

    def y(v):
        return top + inner_h * (1 - (float(v) - low) / span)

    parts = []
    for attr, css in (
        ("critical", "chart-critical"),
        ("warning", "chart-warning"),
        ("target", "chart-target"),
    ):
        pts = " ".join(f"{x(i):.1f},{y(getattr(s, attr)):.1f}" for i, s in enumerate(rows))
        parts.append(f'<polyline points="{pts}" class="{css}"/>')
    segment = []
    for i, s in enumerate(rows + [None]):
        if s is None or s.value is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" class="chart-line"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(s.value):.1f}")
    for i, s in enumerate(rows):
        if s.value is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(s.value):.1f}" r="3.2" '
                f'class="chart-dot dot-{s.status}"><title>{s.period_label}: '
                f"{format_value(s.value, unit)}</title></circle>"
            )
        else:
            parts.append(
                f'<rect x="{x(i) - 3:.1f}" y="{top + inner_h - 6:.1f}" width="6" height="6" '
                f'class="chart-nodata"><title>{s.period_label}: no data</title></rect>'
            )
    parts += _period_labels(rows, x, height)
    return format_html(
        '<svg class="kpi-chart" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="Values by period with target and thresholds">{}</svg>',
        width,
        height,
        mark_safe("".join(parts)),  # numbers and escaped-free period codes only
    )


def _period_labels(rows, x, height):
    """About eight period codes under the chart, the first and the latest always."""
    parts = []
    every = max(1, len(rows) // 8)
    labelled = list(range(0, len(rows), every))
    if len(rows) - 1 - labelled[-1] < every / 2:
        labelled[-1] = len(rows) - 1  # the latest period always, without overlapping
    else:
        labelled.append(len(rows) - 1)
    for i, s in enumerate(rows):
        if i in labelled:
            anchor = "start" if i == 0 else "end" if i == len(rows) - 1 else "middle"
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 6}" class="chart-label" '
                f'text-anchor="{anchor}">{periods.period_code(s.period, s.frequency)}</text>'
            )
    return parts


@register.filter
def plain_number(value):
    """A stored decimal as people type it: 12.5, not 12.500000."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value)).normalize()
    return format(value, "f")
