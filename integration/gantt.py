"""The plan's timeline drawn as SVG: where each bar, line and label goes, in user units of a
fixed viewBox (the template draws what this computes; no script, no CDN)."""

from datetime import date, timedelta

LABEL_W = 230  # the label column, left of the time axis
CHART_W = 650
HEAD_H = 26  # the month labels above the rows
ROW_H = 24
LABEL_CHARS = 34


def _months(lo, hi):
    """First days of the months between lo and hi, thinned to about eight ticks."""
    months, day = [], date(lo.year, lo.month, 1)
    while day <= hi:
        if day >= lo:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 8))
    return months[::step]


def _short(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def chart(plan, today):
    """The drawing of ``plan`` (``selectors.plan_for``): {"width", "height", "today_x",
    "ticks", "rows", "links"}, or None when the plan has no milestone."""
    items = list(plan.milestones.values())
    if not items:
        return None
    lo = min([today, *(m.start for m in items)]) - timedelta(days=4)
    hi = max([today, *(m.due_date for m in items)]) + timedelta(days=10)
    span = (hi - lo).days

    def x(day):
        return round(LABEL_W + (day - lo).days * CHART_W / span, 1)

    rows, where, y = [], {}, HEAD_H
    for stream in plan.workstreams:
        rows.append({"kind": "stream", "y": y, "label": _short(stream.title), "full": stream.title})
        y += ROW_H
        for m in stream.items:
            start, end = x(m.start), x(m.due_date)
            rows.append(
                {
                    "kind": "milestone",
                    "y": y,
                    "label": _short(m.title),
                    "full": m.title,
                    "x": start,
                    "w": max(2, round(end - start, 1)),
                    "due_x": end,
                    "milestone": m,
                }
            )
            where[m.pk] = (start, end, y)
            y += ROW_H
    links = []
    for m in items:
        for dep in m.deps:
            _, dep_end, dep_y = where[dep.pk]
            start, _, my_y = where[m.pk]
            mid = ROW_H / 2
            links.append(f"M{dep_end},{dep_y + mid} H{max(dep_end, start) + 3} V{my_y + mid}")
    return {
        "width": LABEL_W + CHART_W + 10,
        "height": y + 16,
        "today_x": x(today),
        "ticks": [{"x": x(d), "label": f"{d:%b %y}"} for d in _months(lo, hi)],
        "rows": rows,
        "links": links,
        "mid": ROW_H / 2,
    }
