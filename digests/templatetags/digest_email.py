"""Filters for the email templates: colours, absolute links and trend bars that render in
mail clients (tables and divs with inline sizes, no images, no scripts)."""

from html import escape as html_escape

from django import template
from django.utils.safestring import mark_safe

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


def escape(value):
    """What {{ value }} writes: marked-safe text as it is, anything else escaped (Django's
    conditional_escape, without its overhead, for the thousands of cells of a large table)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


_FONT = "-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif"
_TH = (
    '<th align="left" style="padding:7px 8px;{first}background-color:#f0f3f7;border-bottom:1px '
    "solid #dde3ea;font-size:11px;line-height:1.3;font-weight:600;letter-spacing:.04em;"
    'text-transform:uppercase;color:#5d6b7a;text-align:left;">{label}</th>'
)
_TD = (
    '\n    <td valign="top" style="padding:9px 8px;{first}border-bottom:1px solid #e8ecf1;'
    'font-size:14px;line-height:1.35;">\n      {content}\n      {sub}\n    </td>'
)
_PILL = (
    '<span style="display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;'
    'line-height:18px;font-weight:600;background-color:{bg};color:{fg};white-space:nowrap;">'
    "{text}</span>"
)
_LINK = '<a href="{href}" style="color:#1c2733;font-weight:600;text-decoration:none;">{text}</a>'
_PLAIN = '<span style="white-space:nowrap;">{text}</span>'
_TREND_OPEN = (
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
    'style="border-collapse:collapse;"><tr><td valign="bottom" style="padding:0 6px 0 0;'
    'font-size:14px;line-height:1.35;white-space:nowrap;">'
)
_TREND_CLOSE = '</td><td valign="bottom" style="padding:0 0 2px 0;">{bars}</td></tr></table>'
_SUB = '<div style="margin-top:1px;font-size:12px;line-height:1.35;color:#5d6b7a;">{sub}</div>'
_PADDED = "padding-left:10px;"


@register.simple_tag
def email_table(table):
    """A digest table as email HTML: written here rather than by a template, since an
    executive's digest has a row for each of hundreds of partnerships."""
    head = "".join(
        _TH.format(first=_PADDED if i == 0 else "", label=escape(label))
        for i, label in enumerate(table.columns)
    )
    out = [
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;font-family:{_FONT};">\n  <tr>{head}</tr>\n  '
    ]
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            cells.append(_cell_html(as_cell(value), first=i == 0))
        out.append(f"\n  <tr>{''.join(cells)}</tr>\n  ")
    out.append("\n</table>\n")
    return mark_safe("".join(out))


def _cell_html(c, *, first):
    text = escape(c.text)
    if c.severity and not first:
        content = _PILL.format(bg=bg(c.severity), fg=fg(c.severity), text=text)
    elif c.link:
        content = _LINK.format(href=escape(_absolute(c.link)), text=text)
    else:
        content = _PLAIN.format(text=text)
    if c.trend:
        bars_of_cell = bars_html(c.trend, c.severity, 16)
        content = _TREND_OPEN + content + _TREND_CLOSE.format(bars=bars_of_cell)
    sub = _SUB.format(sub=escape(c.sub)) if c.sub else ""
    return _TD.format(first=_PADDED if first else "", content=content, sub=sub)


_BARS_OPEN = (
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
    'style="border-collapse:collapse;display:inline-table;"><tr>'
)
# A line per bar: an email with a line past SMTP's 998 characters goes quoted-printable
# (outbox.senders.OutboxEmail), and a row of bars on one line passes it.
_BAR = (
    '<td valign="bottom" style="padding:0 1px;height:{h}px;vertical-align:bottom;" '
    'title="{title}"><div style="width:7px;height:{bar}px;background-color:{colour};'
    'border-radius:1px;font-size:1px;line-height:1px;">&nbsp;</div></td>\n'
)


@register.simple_tag
def bars_html(values, severity="", height=22):
    """A few numbers as small bars of inline heights, the last one in the severity's colour."""
    height = height or 22
    drawn = bars(values, height)
    out = [_BARS_OPEN]
    for i, bar in enumerate(drawn):
        colour = bar_colour(severity) if i == len(drawn) - 1 else "#b9c8d8"
        out.append(
            _BAR.format(h=height, title=escape(number(bar["value"])), bar=bar["h"], colour=colour)
        )
    out.append("</tr></table>\n")
    return mark_safe("".join(out))


@register.simple_tag
def text_table(table):
    """The table for the plain-text part: one entry per row, its other cells on one line."""
    out = []
    for first, rest in text_rows(table):
        entry = f"\n- {first.text}"
        if rest:
            entry += f" — {rest}"
        if first.sub:
            entry += f"\n  {first.sub}"
        if first.link:
            entry += f"\n  {_absolute(first.link)}"
        out.append(entry + "\n")
    return "".join(out)


_ITEM = (
    '\n          <tr>\n            <td valign="top" style="padding:10px 0;border-top:1px solid '
    '#e8ecf1;font-family:{font};">\n              {badge}{text}\n              {meta}\n'
    "            </td>\n            {trend}\n          </tr>\n          "
)
_BADGE = (
    '<span style="display:inline-block;margin:0 6px 2px 0;padding:1px 8px;border-radius:999px;'
    "font-size:12px;line-height:18px;font-weight:600;background-color:{bg};color:{fg};"
    'white-space:nowrap;">{badge}</span>'
)
_ITEM_LINK = (
    '<a href="{href}" style="color:#1c2733;font-size:15px;line-height:1.4;font-weight:600;'
    'text-decoration:none;">{text}</a>'
)
_ITEM_TEXT = '<span style="font-size:15px;line-height:1.4;font-weight:600;">{text}</span>'
_META = '<div style="margin-top:2px;font-size:13px;line-height:1.4;color:#5d6b7a;">{meta}</div>'
_TREND = (
    '\n            <td valign="top" align="right" width="96" style="padding:12px 0 8px 12px;'
    'border-top:1px solid #e8ecf1;font-family:{font};">\n              {bars}\n              '
    "{label}\n            </td>\n            "
)
_TREND_LABEL = (
    '<div style="margin-top:3px;font-size:11px;line-height:1.3;color:#5d6b7a;">{label}</div>'
)


@register.simple_tag
def items_html(items, font):
    """A section's items as email HTML, like the table: each has a badge, a linked sentence,
    a second line and small bars."""
    font = escape(font)
    out = [
        '\n        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'border="0" style="border-collapse:collapse;">\n          '
    ]
    for item in items:
        badge = ""
        if item.badge:
            badge = _BADGE.format(
                bg=bg(item.severity), fg=fg(item.severity), badge=escape(item.badge)
            )
        if item.link:
            text = _ITEM_LINK.format(href=escape(_absolute(item.link)), text=escape(item.text))
        else:
            text = _ITEM_TEXT.format(text=escape(item.text))
        meta = _META.format(meta=escape(item.meta)) if item.meta else ""
        trend = ""
        if item.trend:
            label = _TREND_LABEL.format(label=escape(item.trend_label)) if item.trend_label else ""
            trend = _TREND.format(font=font, bars=bars_html(item.trend, item.severity), label=label)
        out.append(_ITEM.format(font=font, badge=badge, text=text, meta=meta, trend=trend))
    out.append("\n        </table>\n        ")
    return mark_safe("".join(out))
