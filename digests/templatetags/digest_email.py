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
    """[{"h": pixels, "value": v}] scaled between the smallest and largest value."""
    numbers = _numbers(values)
    if not numbers:
        return []
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1
    floor = 3
    return [
        {"h": floor + round((v - low) / span * (int(height) - floor)), "value": v} for v in numbers
    ]


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
