"""The plan's timeline drawn as SVG: where each bar, line and label goes, in user units of a
fixed viewBox (the template draws what this computes; no script, no CDN).

Two layouts: ``wide`` puts the labels in a column left of the bars; ``narrow`` (for phones)
puts each label above its bar, so the whole timeline fits 360 px at its natural text size.
"""

from dataclasses import dataclass
from datetime import date, timedelta

HEAD_H = 26  # the month labels above the rows


@dataclass(frozen=True)
class Layout:
    label_w: int  # the label column, left of the time axis (0: labels above the bars)
    chart_w: int
    row_h: int  # a milestone's row
    bar_y: int  # the bar's top within its row
    label_chars: int
    ticks: int  # about how many month labels


WIDE = Layout(label_w=230, chart_w=650, row_h=24, bar_y=7, label_chars=34, ticks=8)
NARROW = Layout(label_w=4, chart_w=336, row_h=36, bar_y=20, label_chars=46, ticks=4)
STREAM_H = 24


def _months(lo, hi, most):
    """First days of the months between lo and hi, thinned to about ``most`` ticks."""
    months, day = [], date(lo.year, lo.month, 1)
    while day <= hi:
        if day >= lo:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // most))
    return months[::step]


def _short(text, most):
    return text if len(text) <= most else text[: most - 1] + "…"


def chart(plan, today, layout=WIDE):
    """The drawing of ``plan`` (``selectors.plan_for``) in ``layout``: {"width", "height",
    "today_x", "ticks", "rows", "links"}, or None when the plan has no milestone."""
    items = list(plan.milestones.values())
    if not items:
        return None
    lo = min([today, *(m.start for m in items)]) - timedelta(days=4)
    hi = max([today, *(m.due_date for m in items)]) + timedelta(days=10)
    span = (hi - lo).days

    def x(day):
        return round(layout.label_w + (day - lo).days * layout.chart_w / span, 1)

    rows, where = _rows(plan, layout, x)
    height = (rows[-1]["y"] + layout.row_h) if rows else HEAD_H
    return {
        "width": layout.label_w + layout.chart_w + 10,
        "height": height + 16,
        "today_x": x(today),
        "ticks": [{"x": x(d), "label": f"{d:%b %y}"} for d in _months(lo, hi, layout.ticks)],
        "rows": rows,
        "links": _links(items, where, layout),
    }


def _rows(plan, layout, x):
    rows, where, y = [], {}, HEAD_H
    for stream in plan.workstreams:
        label = _short(stream.title, layout.label_chars)
        rows.append({"kind": "stream", "y": y, "text_y": y + 16, "label": label})
        y += STREAM_H
        for m in stream.items:
            start, end = x(m.start), x(m.due_date)
            rows.append(
                {
                    "kind": "milestone",
                    "y": y,
                    "text_y": y + 16 if layout is WIDE else y + 14,
                    "text_x": 16 if layout is WIDE else 10,
                    "bar_y": y + layout.bar_y,
                    "due_y": y + layout.bar_y + 5,
                    "label": _short(m.title, layout.label_chars),
                    "x": start,
                    "w": max(2, round(end - start, 1)),
                    "due_x": end,
                    "milestone": m,
                }
            )
            where[m.pk] = (start, end, y + layout.bar_y + 5)
            y += layout.row_h
    return rows, where


def _links(items, where, layout):
    """The dependency arrows: from a dependency's due date down to its dependent's bar."""
    links = []
    for m in items:
        for dep in m.deps:
            _, dep_end, dep_y = where[dep.pk]
            start, _, my_y = where[m.pk]
            links.append(f"M{dep_end},{dep_y} H{max(dep_end, start) + 3} V{my_y}")
    return links
