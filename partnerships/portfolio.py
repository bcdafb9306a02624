"""The portfolio table: one row per visible partnership, with columns, filters and summary tiles
that the apps declare in their ``plugins.Contributions`` (this app never imports them).

A column adds SQL annotations to the partnership queryset (so it can be sorted and filtered in
the database), renders its cell with ``render(row) -> safe HTML`` (``cell_html`` below), and
gives a plain value for exports. A column that needs more than a scalar (a sparkline, say) may
also ``decorate`` the rows of one page with a constant number of queries.

Cells are written in Python only, not also as templates: a page shows 50 rows of 13 cells, and
rendering them through templates made the first view after a write half as slow again (its
ratio to the floor 11.4 -> 17.3; docs/decisions/html-one-source.md).
"""

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .conversion import total
from .currencies import amount_text
from .links import url
from .plugins import contributed


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    render: Callable  # row -> safe HTML of the cell's content
    export: Callable | None = None  # row -> plain value for CSV/XLSX; None: not exported
    annotate: Callable[[QuerySet], QuerySet] | None = None
    sort: str | None = None  # field or annotation to order by
    decorate: Callable[[list], None] | None = None  # attaches extra data to a page of rows
    order: int = 100
    css: str = ""
    export_label: str = ""
    legend: str = ""  # safe HTML under the header's label: what the cells' chips count
    # More export-only columns right after this one: ((label, row -> plain value), ...).
    also_export: tuple = ()

    @functools.cached_property
    def td(self):
        # The same for every row: built once, not once per cell (50 rows x 13 columns).
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


ATTENTION = "attention"


def attention():
    return sorted(contributed("attention"), key=lambda a: (a.order, a.key))


def by_attention(queryset, today):
    """``queryset`` in the default order, the partnerships that most need attention first:
    each app's criteria in turn (``Contributions.attention``), then by title."""
    order = []
    for criterion in attention():
        name = f"attention_{criterion.key.replace('.', '_')}"
        queryset = queryset.alias(**{name: criterion.expression(today)})
        field = F(name)
        order.append(
            field.desc(nulls_last=True) if criterion.descending else field.asc(nulls_last=True)
        )
    return queryset.order_by(*order, "title", "pk")


def attention_statement():
    """The default order in words, for the page: "unhealthy first, then ..."."""
    labels = [criterion.label for criterion in attention()]
    if not labels:
        return "By title."
    return "Needs attention first: " + ", then ".join(labels) + "; then by title."


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
    cells = []
    for column in columns():
        if column.export:
            cells.append((column.export_label or column.label, column.export))
            cells.extend(column.also_export)
    yield [label for label, _ in cells]
    for row in rows:
        yield [export(row) for _, export in cells]


# Helpers for the cells: a page renders 650 cells (50 rows, 13 columns), and at that count
# ``format_html``'s checks for lazy text on every argument, the date filter on every date and
# ``reverse()`` on every row (hence ``links.url``) each cost 2-3 ms of the page (measured in
# docs/decisions/html-one-source.md).


def _escaped(value):
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def cell_html(template, *args, **kwargs):
    """``format_html(template, *args, **kwargs)``: the same escaping (``conditional_escape``),
    the same safe result."""
    return SafeString(
        template.format(*map(_escaped, args), **{k: _escaped(v) for k, v in kwargs.items()})
    )


@functools.lru_cache(maxsize=1024)
def _day(value, language):
    # ``language`` keys the cache: the month's name is translated.
    return conditional_escape(date_filter(value, "j M Y"))


def day(value):
    """``{{ value|date:"j M Y" }}`` for a date: the same text, formatted once per day and
    language (a page shows a hundred dates, most of them again on the next page built)."""
    return _day(value, get_language())


# The base app's own columns (declared in contributions.py) ------------------------------

COLUMNS = []


def _annotate_next_date(queryset):
    return queryset.annotate(next_date=Coalesce(F("agreement__end_date"), F("end_date")))


def _person(user):
    return (user.get_full_name() or user.username) if user else ""


_MUTED_DASH = mark_safe('<span class="muted">—</span>')


def _render_title(row):
    # Below 1,480 px the partner, type, owner and value columns fold into this line rather
    # than vanish.
    facts = [row.partner.name, row.get_type_display(), _person(row.owner) or "no owner"]
    value = getattr(row, "annual_value", None)
    if value is not None:
        estimate = " est." if getattr(row, "value_is_estimate", False) else ""
        facts.append(f"{amount_text(value, row.value_currency)}{estimate}")
    return cell_html(
        '<a href="{}">{}</a><span class="sub show-md">{}</span>',
        url("partnerships:detail", row.pk),
        row.title,
        " · ".join(facts),
    )


def _render_partner(row):
    return cell_html(
        '<a href="{}">{}</a>', url("partnerships:partner_detail", row.partner_id), row.partner.name
    )


def _render_type(row):
    return conditional_escape(row.get_type_display())


def _render_stage(row):
    return cell_html('<span class="badge stage-{}">{}</span>', row.stage, row.get_stage_display())


def _render_owner(row):
    if row.owner:
        return conditional_escape(_person(row.owner))
    return mark_safe('<span class="muted">Unassigned</span>')


def _annotate_value(queryset):
    # The agreement's value once one is recorded (amendments update it), the estimate before.
    return queryset.annotate(
        annual_value=Coalesce(F("agreement__value"), F("estimated_annual_value")),
        value_is_estimate=Q(agreement__value__isnull=True),
        value_currency=Case(
            When(agreement__value__isnull=False, then=F("agreement__currency")),
            default=F("currency"),
        ),
    )


def value_total(rows, today):
    """The annual value of ``rows`` (a filtered portfolio) in the reporting currency: one
    grouped query for the sums per currency, one for the rates."""
    sums = (
        rows.filter(annual_value__isnull=False)
        .order_by()
        .values("value_currency")
        .annotate(n=Count("pk"), amount=Sum("annual_value"))
    )
    return total([(r["value_currency"], r["n"], r["amount"]) for r in sums], today)


def _render_value(row):
    if row.annual_value is None:
        return _MUTED_DASH
    shown = conditional_escape(amount_text(row.annual_value, row.value_currency))
    if row.value_is_estimate:
        return cell_html(
            '{} <span class="muted" title="Estimate: no agreement yet">est.</span>', shown
        )
    return shown


def _export_currency(row):
    return row.value_currency if row.annual_value is not None else ""


def _render_next_date(row):
    if row.next_date:
        return day(row.next_date)
    return _MUTED_DASH


COLUMNS.append(
    Column(
        "title",
        "Partnership",
        _render_title,
        export=lambda p: p.title,
        sort="title",
        order=0,
        css="title-cell",
    )
)
COLUMNS.append(
    Column(
        "partner",
        "Partner",
        _render_partner,
        export=lambda p: p.partner.name,
        sort="partner__name",
        order=1,
        css="hide-sm hide-md",
    )
)
COLUMNS.append(
    Column(
        "type",
        "Type",
        _render_type,
        export=lambda p: p.get_type_display(),
        sort="type",
        order=2,
        css="hide-sm hide-md",
    )
)
COLUMNS.append(
    Column(
        "stage",
        "Stage",
        _render_stage,
        export=lambda p: p.get_stage_display(),
        sort="stage",
        order=3,
    )
)
COLUMNS.append(
    Column(
        "owner",
        "Owner",
        _render_owner,
        export=lambda p: _person(p.owner),
        sort="owner__first_name",
        order=4,
        css="hide-sm hide-md nowrap",
    )
)
COLUMNS.append(
    Column(
        "value",
        "Annual value",
        _render_value,
        export=lambda p: p.annual_value,
        also_export=(("Currency", _export_currency),),
        annotate=_annotate_value,
        sort="annual_value",
        order=5,
        css="num hide-sm hide-md",
    )
)
COLUMNS.append(
    Column(
        "next_date",
        "Renewal / end",
        _render_next_date,
        export=lambda p: p.next_date,
        annotate=_annotate_next_date,
        sort="next_date",
        order=90,
        css="hide-sm nowrap",
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


# The base app's filters --------------------------------------------------------------------


def _apply_conflicts(queryset, value):
    from .models import Interaction

    open_ones = Interaction.objects.filter(
        kind=Interaction.Kind.CONFLICT, resolved_on__isnull=True, partnership=OuterRef("pk")
    )
    if value == "open":
        return queryset.filter(Exists(open_ones))
    if value == "overdue":
        return queryset.filter(Exists(open_ones.filter(due_on__lt=timezone.localdate())))
    return queryset


# The digest's collapsed conflicts ("9 open conflicts about lead ownership") link here.
CONFLICTS_FILTER = Filter(
    "conflicts",
    "Conflicts",
    lambda: [("open", "Open conflicts"), ("overdue", "Conflicts past due")],
    _apply_conflicts,
    order=60,
)
