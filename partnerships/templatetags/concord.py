from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from partnerships.currencies import amount_text

register = template.Library()


@register.simple_tag
def portfolio_cells(columns, row):
    """One table row's ``<td>`` cells, each column's ``render(row)``."""
    return mark_safe(
        "".join(f"{column.td}{conditional_escape(column.render(row))}</td>" for column in columns)
    )


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, target="#results", css="", legend=""):
    """A sortable column header: a real link (works without JS) that HTMX swaps in place."""
    request = context["request"]
    current = request.GET.get("sort", context.get("default_sort", ""))
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{key}" if current == key else key
    url = f"?{query.urlencode()}"
    state = "sorted" if current == key else "sorted-desc" if current == f"-{key}" else ""
    aria = {"sorted": "ascending", "sorted-desc": "descending"}.get(state, "none")
    return format_html(
        '<th class="{}" aria-sort="{}"><a href="{}" class="{}" data-hx-get="{}" '
        'data-hx-target="{}" data-hx-push-url="true">{}</a>{}</th>',
        css,
        aria,
        url,
        state,
        url,
        target,
        label,
        legend,
    )


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def term(value):
    """An agreement term as kept in amendment history (JSON), written for people."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        except ValueError:
            pass
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return f"{number:,.0f}" if number == number.to_integral() else f"{number:,.2f}"
    return value


@register.simple_tag
def panel_stylesheets():
    """<link>s for the stylesheets the partnership page's panels use, in the page's head: a
    stylesheet arriving with its panel would restyle it after it is drawn, and the page jumps."""
    from django.templatetags.static import static

    from partnerships.panels import panels

    sheets = sorted({panel.stylesheet for panel in panels() if panel.stylesheet})
    return format_html_join_links(static(sheet) for sheet in sheets)


def format_html_join_links(urls):
    from django.utils.html import format_html_join

    return format_html_join("\n", '<link rel="stylesheet" href="{}">', ((url,) for url in urls))


@register.filter
def money(amount, currency):
    """``{{ amount|money:currency }}``: ``1,250,000 USD``, an amount never shown without its
    currency."""
    if amount is None or amount == "":
        return ""
    return amount_text(amount, currency)
