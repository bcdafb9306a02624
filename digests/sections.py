"""What a digest is made of: sections and partnership-table columns contributed by apps.

Apps declare them in their ``Contributions`` (partnerships/plugins.py) so this app never
imports them::

    from digests.sections import MAX_ITEMS, SectionData, Item, left_out

    def health_changes(user, partnership_ids, week_start, week_end):
        rows = ...  # one or two queries for all of partnership_ids at once, worst first
        if not rows:
            return None
        return SectionData(
            title="Health band changed",
            items=[Item(text=..., link=..., severity="red", badge="Off track",
                        trend=[61, 58, 52, 44]) for row in rows[:MAX_ITEMS]],
            **left_out(rows, "partnership", more=PORTFOLIO),
            partnership_ids={row.partnership_id for row in rows},
        )

    CONTRIBUTIONS = Contributions(
        digest_sections=[
            DigestSection("kpis.health", "Health band changed", health_changes, order=10)
        ],
    )

``week_start`` and ``week_end`` are timezone-aware datetimes at midnight in the recipient's
time zone; the digest covers ``week_start <= t < week_end`` and ``week_end`` is the send day
(``week_end.date()`` is "today" for looking ahead). A builder must run a bounded number of
queries whatever the number of partnerships, and return ``None`` (or a SectionData without
items or table rows) when it has nothing to report.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.urls import reverse

from partnerships.aggregates import ids_param  # noqa: F401  (part of the section API)
from partnerships.plugins import DigestColumns, DigestSection, contributed

SEVERITIES = ("red", "amber", "green", "blue", "grey")
# What one section lists at most; past that it says how many more there are.
MAX_ITEMS = 50


@dataclass
class Item:
    """One row of a section: a sentence, where it links to, and how urgent it is."""

    text: str
    link: str = ""
    severity: str = ""  # one of SEVERITIES, or "" for none
    badge: str = ""  # a short word shown in a coloured pill, e.g. "Overdue", "Off track"
    meta: str = ""  # a small second line, e.g. "Cloud co-sell alliance · due 3 Dec"
    trend: list = field(default_factory=list)  # a few numbers, drawn as small bars
    trend_label: str = ""  # what the bars show, e.g. "attainment, last 6 weeks"


@dataclass
class Cell:
    """One cell of a table; plain strings and numbers are also accepted as cells."""

    text: str
    link: str = ""
    severity: str = ""  # colours the text as a pill
    trend: list = field(default_factory=list)
    sub: str = ""  # a small second line


@dataclass
class Table:
    columns: list  # header labels
    rows: list  # each a list of Cell (or str) in the column order


@dataclass
class Card:
    """One partnership's scorecard: its health, every KPI as an Item, and the week's changes."""

    title: str
    link: str = ""
    severity: str = ""  # the health band's colour
    score: str = ""  # e.g. "36"
    change: str = ""  # e.g. "−4 this week (was 40)"
    sub: str = ""  # e.g. "Partner · owner"
    trend: list = field(default_factory=list)  # health by month
    items: list = field(default_factory=list)  # Item per KPI, worst first
    changes: list = field(default_factory=list)  # sentences: what changed this week
    omitted_note: str = ""  # e.g. "And 4 more KPIs on track."


@dataclass
class SectionData:
    title: str
    items: list = field(default_factory=list)
    table: Table | None = None
    intro: str = ""  # one optional sentence under the title
    more_link: str = ""  # e.g. the dashboard page listing everything
    more_label: str = "See all"
    # How many more the section found than it lists, and the sentence that says so (shown
    # with more_link), e.g. "And 12 more alerts."
    omitted: int = 0
    omitted_note: str = ""
    # Every partnership the section reports on, listed or not. None means the section does
    # not say, and the table of followed partnerships then lists them all.
    partnership_ids: set | None = None
    cards: list = field(default_factory=list)  # Card per partnership, for a scorecard
    headline: str = ""  # the worst news in a few words, for the subject line
    lead: str = ""  # a sentence the digest opens with (the first section's that has one)

    @property
    def is_empty(self):
        return (
            not self.items
            and not self.cards
            and not (self.table and self.table.rows)
            and not self.omitted
        )

    @property
    def count(self):
        """How many things the section reports, listed or not."""
        listed = len(self.items) or len(self.cards) or len(self.table.rows if self.table else [])
        return listed + self.omitted


# A section as the apps declare it (key, title, builder, order, news).
Section = DigestSection


def sections():
    """Every declared section, lower ``order`` first.

    Suggested orders: 10 health band changes, 20 KPI status changes, 30 alerts, 40 overdue
    actions, 50 stage moves, 60 open conflicts, 70 upcoming dates, 900 the partnership table.
    """
    return sorted(contributed("digest_sections"), key=lambda s: (s.order, s.key))


# Columns of the "Your partnerships" table --------------------------------------------------

# ``fn(partnership_ids, week_start) -> {partnership_id: {column label: value}}`` where a value
# is a string, a number or a ``Cell`` (text, link, severity, trend). Columns appear in source
# order, then in the order the labels first appear; a partnership missing from the result shows
# a dash. Run a bounded number of queries for all ids at once.
ColumnSource = DigestColumns


def column_sources():
    return sorted(contributed("digest_columns"), key=lambda c: (c.order, c.key))


# Where a section's reader sees everything it left out: (URL name, link label).
PORTFOLIO = ("partnerships:list", "Open the portfolio")


def see_all(more, condition=True):
    """SectionData's ``more_link`` and ``more_label`` for ``more`` (a URL name and a label); the
    link only when ``condition``."""
    name, label = more
    return {"more_link": reverse(name) if condition else "", "more_label": label}


def left_out(rows, noun, *, more=None):
    """SectionData's ``omitted`` and ``omitted_note`` for a section listing the first
    MAX_ITEMS of ``rows``: {"omitted": 12, "omitted_note": "And 12 more alerts, not listed
    here."}; ``noun`` is singular, the plural adds an s. With ``more`` (see ``see_all``), also
    the link to the page listing them all, when some are left out."""
    omitted = max(len(rows) - MAX_ITEMS, 0)
    note = f"And {omitted:,} more {noun if omitted == 1 else f'{noun}s'}, not listed here."
    out = {"omitted": omitted, "omitted_note": note if omitted else ""}
    if more is not None:
        out.update(see_all(more, omitted > 0))
    return out


def plural(count, singular, plural_form=None):
    """ "1 alert", "12 alerts", "1,200 alerts"."""
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {word}"


def as_cell(value):
    if isinstance(value, Cell):
        return value
    if value is None or value == "":
        return Cell("—")
    return Cell(str(value))


# Work shared by several sections of one digest ----------------------------------------------

_build_memo = ContextVar("digest_build_memo", default=None)


@contextmanager
def build_scope():
    """One digest build: values computed through ``memo`` are shared until it ends."""
    token = _build_memo.set({})
    try:
        yield
    finally:
        _build_memo.reset(token)


def build_memo():
    """The store of the digest build under way, None outside one."""
    return _build_memo.get()


def memo(key, compute, *, shared=False):
    """``compute()`` once per digest build for ``key`` (a hashable of the arguments); with
    ``shared``, once per batch of digests when they are built in one (``batch_scope``): for
    what depends on the partnerships and the week alone, never on who reads it."""
    batch = _batch.get() if shared else None
    store = batch.store if batch is not None else _build_memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


# Work shared by the digests of one batch -------------------------------------------------------


@dataclass
class Batch:
    store: dict = field(default_factory=dict)
    partnership_ids: frozenset = frozenset()  # every partnership the batch's recipients follow


_batch = ContextVar("digest_batch", default=None)


@contextmanager
def batch_scope():
    """Digests built one after another, as a fan-out task builds its few: what sections
    ``memo(..., shared=True)`` is read once for the batch, for all its ``partnership_ids``
    (set by the caller once it knows them), and each digest takes its own part. A digest built
    later in the batch says what the data said when the batch read it, a second or so before,
    as if it had been built then. Yields the Batch."""
    token = _batch.set(Batch())
    try:
        yield _batch.get()
    finally:
        _batch.reset(token)


def batch_partnerships():
    """The partnerships of the batch under way; none outside one."""
    batch = _batch.get()
    return batch.partnership_ids if batch is not None else frozenset()


def per_partnerships(key, partnership_ids, read, part):
    """``read(ids)`` for ``partnership_ids``: once per digest build for them or for more (a
    section of fewer partnerships than the scorecard's reads nothing), and in a batch of
    digests once for all the batch's partnerships. ``part(result, ids)`` takes from a wider
    read what it says of ``ids``; ``read`` must say of each partnership what it would alone."""
    wanted = frozenset(partnership_ids)
    computed = memo(key, dict, shared=True)
    for ids, result in computed.items():
        if wanted <= ids:
            return result if ids == wanted else part(result, wanted)
    ids = wanted | batch_partnerships()
    computed[ids] = read(sorted(ids))
    return computed[ids] if ids == wanted else part(computed[ids], wanted)


_NEWS = ("digests.partnerships_with_news",)


def partnerships_with_news():
    """The partnerships this build's news sections reported on, once they have all run (the
    summaries run after them), as a Counter of how many sections report each; None outside a
    build or when a section did not say."""
    store = _build_memo.get()
    return None if store is None else store.get(_NEWS)


def record_news(partnership_ids):
    store = _build_memo.get()
    if store is not None:
        store[_NEWS] = partnership_ids
