"""The portfolio table: one row per visible partnership, with columns, filters and summary tiles
that the apps declare in their ``plugins.Contributions`` (this app never imports them).

A column adds SQL annotations to the partnership queryset (so it can be sorted and filtered in
the database), renders its cell from a template, and gives a plain value for exports. A column
may also give ``render(row) -> safe HTML``, exactly what its template renders: the table then
skips the template engine for that cell, which matters at 50 rows times a dozen columns. A column
that needs more than a scalar (a sparkline, say) may also ``decorate`` the rows of one page with
a constant number of queries.
"""

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .links import url
from .plugins import contributed


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    template: str
    export: Callable | None = None  # row -> plain value for CSV/XLSX; None: not exported
    annotate: Callable[[QuerySet], QuerySet] | None = None
    sort: str | None = None  # field or annotation to order by
    decorate: Callable[[list], None] | None = None  # attaches extra data to a page of rows
    order: int = 100
    css: str = ""
    export_label: str = ""
    render: Callable | None = None  # row -> safe HTML, the same as ``template`` gives

    @functools.cached_property
    def td(self):
        # The same for every row: built once, not once per cell (25 rows x a dozen columns).
        return format_html('<td class="{}">', self.css)


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    choices: Callable[[], list]  # [(value, label)], evaluated per request
    apply: Callable[[QuerySet, str], QuerySet]
    order: int = 100


@dataclass(frozen=True)
class Tile:
    label: str
    value: int | str
    query: str = ""  # querystring for the filtered table, or a full URL when ``url`` is set
    url: str = ""
    tone: str = ""  # "", "green", "amber", "red", "blue"
    group: str = ""


@dataclass(frozen=True)
class Health:
    score: int | None
    band: str  # "green", "amber", "red" or "" when not scored yet
    label: str = ""


def health_for(partnership_ids):
    """{id: Health}, the latest health of each partnership, from the app that scores it
    (``Contributions.health_source``; the last declared)."""
    sources = contributed("health_source")
    if not sources:
        return {}
    return sources[-1](list(partnership_ids))


def columns():
    return sorted(contributed("columns"), key=lambda c: (c.order, c.key))


def filters():
    return sorted(contributed("filters"), key=lambda f: (f.order, f.key))


def tile_builders():
    tiles = sorted(contributed("tiles"), key=lambda t: t.order)
    return [t.builder for t in tiles]


def sort_keys():
    return {c.key: c.sort for c in columns() if c.sort}


def annotate(queryset):
    for column in columns():
        if column.annotate:
            queryset = column.annotate(queryset)
    return queryset


_annotated = {}


def annotated(today):
    """Every partnership with its partner, owner and every column's annotations, to filter.

    Built once a day per process (some annotations count overdue items as of today): building
    a dozen subquery annotations takes longer than the database takes to run them, and the
    columns do not change once the apps are loaded (the key holds them all the same). Each
    caller gets its own copy, so the kept one is never evaluated (and never holds rows).
    """
    key = (today, tuple(columns()))
    if key not in _annotated:
        from .models import Partnership

        _annotated.clear()
        _annotated[key] = annotate(Partnership.objects.select_related("partner", "owner"))
    return _annotated[key].all()


def decorate(rows):
    for column in columns():
        if column.decorate:
            column.decorate(rows)
    return rows


def export_rows(rows):
    """Plain rows (header first) for CSV/XLSX, in column order."""
    exported = [c for c in columns() if c.export]
    yield [c.export_label or c.label for c in exported]
    for row in rows:
        yield [c.export(row) for c in exported]


# Helpers for the cell fast paths: a page renders a few hundred cells, and ``format_html``'s
# checks for lazy text on every argument and ``reverse()`` on every row (now ``links.url``) were
# most of their cost.


def cell_html(template, *args):
    """``format_html(template, *args)``: the same escaping (``conditional_escape``), the same
    safe result."""
    return SafeString(
        template.format(
            *(a.__html__() if hasattr(a, "__html__") else html.escape(str(a)) for a in args)
        )
    )


@functools.lru_cache(maxsize=1024)
def _day(value, language):
    # ``language`` keys the cache: the month's name is translated.
    return conditional_escape(date_filter(value, "j M Y"))


def day(value):
    """``{{ value|date:"j M Y" }}`` for a date: the same text, formatted once per day and
    language (a page shows a few dozen dates, most of them again on the next page built)."""
    return _day(value, get_language())


# The base app's own columns (declared in contributions.py) ------------------------------

COLUMNS = []


def _annotate_next_date(queryset):
    return queryset.annotate(next_date=Coalesce(F("agreement__end_date"), F("end_date")))


def _person(user):
    return (user.get_full_name() or user.username) if user else ""


# Fast paths for the base cells; tests/partnerships check them against the templates, which
# end with a newline that ``{% include %}`` keeps.
_MUTED_DASH = '<span class="muted">—</span>\n'


def _render_title(row):
    return cell_html(
        '<a href="{}">{}</a><span class="sub show-md">{}</span>\n',
        url("partnerships:detail", row.pk),
        row.title,
        row.partner.name,
    )


def _render_partner(row):
    return cell_html(
        '<a href="{}">{}</a>\n',
        url("partnerships:partner_detail", row.partner_id),
        row.partner.name,
    )


def _render_type(row):
    return cell_html("{}\n", row.get_type_display())


def _render_stage(row):
    return cell_html('<span class="badge stage-{}">{}</span>\n', row.stage, row.get_stage_display())


def _render_owner(row):
    if row.owner:
        return cell_html("{}\n", row.owner.get_full_name() or row.owner.username)
    return mark_safe('<span class="muted">Unassigned</span>\n')


def _render_value(row):
    if row.estimated_annual_value is not None:
        return cell_html("{}\n", floatformat(row.estimated_annual_value, "0g"))
    return mark_safe(_MUTED_DASH)


def _render_next_date(row):
    if row.next_date:
        return cell_html("{}\n", day(row.next_date))
    return mark_safe(_MUTED_DASH)


COLUMNS.append(
    Column(
        "title",
        "Partnership",
        "partnerships/cells/title.html",
        export=lambda p: p.title,
        sort="title",
        order=0,
        css="title-cell",
        render=_render_title,
    )
)
COLUMNS.append(
    Column(
        "partner",
        "Partner",
        "partnerships/cells/partner.html",
        export=lambda p: p.partner.name,
        sort="partner__name",
        order=1,
        css="hide-sm hide-md",
        render=_render_partner,
    )
)
COLUMNS.append(
    Column(
        "type",
        "Type",
        "partnerships/cells/type.html",
        export=lambda p: p.get_type_display(),
        sort="type",
        order=2,
        css="hide-sm hide-md",
        render=_render_type,
    )
)
COLUMNS.append(
    Column(
        "stage",
        "Stage",
        "partnerships/cells/stage.html",
        export=lambda p: p.get_stage_display(),
        sort="stage",
        order=3,
        render=_render_stage,
    )
)
COLUMNS.append(
    Column(
        "owner",
        "Owner",
        "partnerships/cells/owner.html",
        export=lambda p: _person(p.owner),
        sort="owner__first_name",
        order=4,
        css="hide-sm hide-md nowrap",
        render=_render_owner,
    )
)
COLUMNS.append(
    Column(
        "value",
        "Annual value",
        "partnerships/cells/value.html",
        export=lambda p: p.estimated_annual_value,
        sort="estimated_annual_value",
        order=5,
        css="num hide-sm hide-md",
        render=_render_value,
    )
)
COLUMNS.append(
    Column(
        "next_date",
        "Renewal / end",
        "partnerships/cells/next_date.html",
        export=lambda p: p.next_date,
        annotate=_annotate_next_date,
        sort="next_date",
        order=90,
        css="hide-sm nowrap",
        render=_render_next_date,
    )
)


# The base app's tiles ----------------------------------------------------------------------


def stage_tiles(visible, today):
    """Partnerships by stage and renewals due in 90 days, in one grouped query."""
    from .models import Stage

    horizon = today + timedelta(days=90)
    due = Q(next_date__gte=today, next_date__lte=horizon)
    grouped = (
        _annotate_next_date(visible)
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"), due=Count("pk", filter=due))
    )
    counts, renewals = {}, 0
    for row in grouped:
        counts[row["stage"]] = row["n"]
        renewals += row["due"]
    tones = {"active": "green", "under_review": "amber", "renewal": "amber"}
    tiles = [
        Tile(
            label, counts.get(value, 0), f"stage={value}", tone=tones.get(value, ""), group="Stage"
        )
        for value, label in Stage.choices
    ]
    tiles.append(
        Tile(
            "Renewals or ends in 90 days",
            renewals,
            "renewal=90",
            tone="amber" if renewals else "",
            group="Attention",
        )
    )
    return tiles
