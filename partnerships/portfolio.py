"""The portfolio table: one row per visible partnership, with columns, filters and summary tiles
that other apps contribute from ``AppConfig.ready`` (this app never imports them).

A column adds SQL annotations to the partnership queryset (so it can be sorted and filtered in
the database), renders its cell from a template, and gives a plain value for exports. A column
that needs more than a scalar (a sparkline, say) may also ``decorate`` the rows of one page with
a constant number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce


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


@dataclass
class _Registry:
    columns: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    tiles: dict = field(default_factory=dict)


_registry = _Registry()


_health_source = []


def register_health_source(fn):
    """``fn(partnership_ids) -> {id: Health}``: the latest health of each partnership."""
    _health_source[:] = [fn]


@dataclass(frozen=True)
class Health:
    score: int | None
    band: str  # "green", "amber", "red" or "" when not scored yet
    label: str = ""


def health_for(partnership_ids):
    if not _health_source:
        return {}
    return _health_source[0](list(partnership_ids))


def register_column(column):
    _registry.columns[column.key] = column


def register_filter(flt):
    _registry.filters[flt.key] = flt


def register_tiles(key, builder, *, order=100):
    """``builder(visible_queryset, today) -> list[Tile]``; a constant number of queries."""
    _registry.tiles[key] = (order, builder)


def columns():
    return sorted(_registry.columns.values(), key=lambda c: (c.order, c.key))


def filters():
    return sorted(_registry.filters.values(), key=lambda f: (f.order, f.key))


def tile_builders():
    return [builder for _, builder in sorted(_registry.tiles.values(), key=lambda t: t[0])]


def sort_keys():
    return {c.key: c.sort for c in columns() if c.sort}


def annotate(queryset):
    for column in columns():
        if column.annotate:
            queryset = column.annotate(queryset)
    return queryset


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


# The base app's own columns -------------------------------------------------------------


def _annotate_next_date(queryset):
    return queryset.annotate(next_date=Coalesce(F("agreement__end_date"), F("end_date")))


def _person(user):
    return (user.get_full_name() or user.username) if user else ""


register_column(
    Column(
        "title",
        "Partnership",
        "partnerships/cells/title.html",
        export=lambda p: p.title,
        sort="title",
        order=0,
        css="title-cell",
    )
)
register_column(
    Column(
        "partner",
        "Partner",
        "partnerships/cells/partner.html",
        export=lambda p: p.partner.name,
        sort="partner__name",
        order=1,
        css="hide-sm hide-md",
    )
)
register_column(
    Column(
        "type",
        "Type",
        "partnerships/cells/type.html",
        export=lambda p: p.get_type_display(),
        sort="type",
        order=2,
        css="hide-sm hide-md",
    )
)
register_column(
    Column(
        "stage",
        "Stage",
        "partnerships/cells/stage.html",
        export=lambda p: p.get_stage_display(),
        sort="stage",
        order=3,
    )
)
register_column(
    Column(
        "owner",
        "Owner",
        "partnerships/cells/owner.html",
        export=lambda p: _person(p.owner),
        sort="owner__first_name",
        order=4,
        css="hide-sm hide-md nowrap",
    )
)
register_column(
    Column(
        "value",
        "Annual value",
        "partnerships/cells/value.html",
        export=lambda p: p.estimated_annual_value,
        sort="estimated_annual_value",
        order=5,
        css="num hide-sm hide-md",
    )
)
register_column(
    Column(
        "next_date",
        "Renewal / end",
        "partnerships/cells/next_date.html",
        export=lambda p: p.next_date,
        annotate=_annotate_next_date,
        sort="next_date",
        order=90,
        css="hide-sm nowrap",
    )
)


# The base app's tiles ----------------------------------------------------------------------


def _stage_tiles(visible, today):
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


register_tiles("stages", _stage_tiles, order=0)
