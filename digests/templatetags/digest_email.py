"""Filters for the email templates: colours, absolute links and trend bars that render in
mail clients (tables and divs with inline sizes, no images, no scripts)."""

from django import template

from digests.building import absolute as _absolute
from digests.sections import as_cell

register = template.Library()

# (background, text) per severity, the same palette as static/css/app.css.
COLOURS = {
    "red": ("#fde8e6", "#b3261e"),
    "amber": ("#fff3d6", "#8a5800"),
    "green": ("#e3f4ea", "#1e7b4f"),
    "blue": ("#e6eff8", "#1f4e79"),
    "grey": ("#eceff3", "#5d6b7a"),
}
DEFAULT = ("#eceff3", "#1c2733")
BAR_COLOURS = {"red": "#d9534f", "amber": "#e0a526", "green": "#3aa36f", "grey": "#9aa6b2"}
SPARKS = "▁▂▃▄▅▆▇█"


@register.filter
def absolute(url):
    return _absolute(url)


@register.filter
def bg(severity):
    return COLOURS.get(severity, DEFAULT)[0]


@register.filter
def fg(severity):
    return COLOURS.get(severity, DEFAULT)[1]


@register.filter
def bar_colour(severity):
    return BAR_COLOURS.get(severity, "#2f6fa8")


def _numbers(values):
    out = []
    for value in values or []:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            continue
    return out


@register.filter
def bars(values, height=22):
    """[{"h": pixels, "value": v}] for a few numbers.

    The baseline sits half the range below the smallest value (never below zero for positive
    series), so a change is visible without the smallest bar vanishing or a 2% move looking
    like a collapse.
    """
    numbers = _numbers(values)
    if not numbers:
        return []
    low, high = min(numbers), max(numbers)
    if high == low:
        return [{"h": round(int(height) * 0.6), "value": v} for v in numbers]
    base = low - (high - low) / 2
    if low >= 0:
        base = max(base, 0)
    floor = 2
    return [
        {"h": floor + round((v - base) / (high - base) * (int(height) - floor)), "value": v}
        for v in numbers
    ]


@register.filter
def lower_first(title):
    """ "Stage moves" -> "stage moves" for the summary line; "KPIs ..." stays as it is."""
    if len(title) > 1 and title[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


@register.filter
def spark(values):
    """The same trend as text, for the plain-text part: ▁▃▅▇."""
    numbers = _numbers(values)
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in numbers)


@register.filter
def cell(value):
    return as_cell(value)


@register.filter
def number(value):
    """A trend value written short: 72, 72.5, 1,200."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


@register.filter
def text_rows(table):
    """The table for the plain-text part: (first cell, "Label: value · ..." for the rest)."""
    rows = []
    for row in table.rows:
        cells = [as_cell(value) for value in row]
        parts = [
            f"{label}: {c.text}" + (f" {spark(c.trend)}" if c.trend else "")
            for label, c in zip(table.columns[1:], cells[1:], strict=False)
        ]
        rows.append((cells[0], " · ".join(parts)))
    return rows
