from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def portfolio_cells(context, columns, row):
    """One table row's ``<td>`` cells, the same HTML as ``{% include column.template %}`` each.

    Columns with a ``render`` fast path skip the template engine; the others render their
    template, loaded once per page rather than once per cell, in the page's own context.
    """
    templates = context.render_context.dicts[0].setdefault("portfolio_cell_templates", {})
    cells = []
    for column in columns:
        if column.render is not None:
            html = column.render(row)
        else:
            cell = templates.get(column.template)
            if cell is None:
                cell = templates[column.template] = context.template.engine.get_template(
                    column.template
                )
            with context.push(column=column, row=row):
                html = cell.render(context)
        cells.append(f"{column.td}{conditional_escape(html)}</td>")
    return mark_safe("".join(cells))


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, target="#results", css=""):
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
        '<th class="{}" aria-sort="{}"><a href="{}" class="{}" hx-get="{}" hx-target="{}" '
        'hx-push-url="true">{}</a></th>',
        css,
        aria,
        url,
        state,
        url,
        target,
        label,
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
