"""How an app plugs into the base app: one declaration, collected from the app configs.

An app names its declaration in its ``AppConfig``::

    class GovernanceConfig(AppConfig):
        name = "governance"
        contributions = "governance.contributions.CONTRIBUTIONS"

and that module holds one ``Contributions`` listing everything the app adds to the others:
panels of the partnership page and the slot each goes in, portfolio columns, filters and
tiles, stage-gate conditions, header facts, timeline sources, menu entries, demo seeders,
digest sections and columns, reminder dates, the inputs of the health score, what puts a
partnership first in the portfolio's default order, what entering or ending a stage does, and
the sections of the renewal decision pack. The base app reads them through ``contributed()``
and never imports the apps that provide them.

The entries are plain data: each names a function of the app that provides it, with the
signature documented on the entry. Portfolio columns and filters are ``portfolio.Column`` and
``portfolio.Filter``.
"""

import functools
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from enum import StrEnum

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string

from .roles import ALL_ROLES


class Slot(StrEnum):
    """Where a panel goes on the partnership page."""

    MAIN = "main"  # the main column, before the objectives
    AFTER_OBJECTIVES = "after_objectives"  # the main column, after the objectives
    SIDE_TOP = "side_top"  # the top of the side column, above the stage card (one panel)
    SIDE = "side"  # the side column, below the stage card


@dataclass(frozen=True)
class Panel:
    """A panel of the partnership page, loaded from its own URL (``url_name`` takes ``pk``,
    and answers HTMX with the panel alone). ``order`` sorts the panels of one slot.

    ``reserve`` is the (desktop, phone) height in px the page keeps for the panel while it
    loads: about its usual height, so the page does not jump as panels arrive."""

    key: str
    title: str
    url_name: str
    slot: Slot = Slot.MAIN
    order: int = 100
    wide: bool = False
    reserve: tuple[int, int] = (200, 240)
    stylesheet: str = ""  # a static path the page links in its head

    def url(self, partnership):
        return reverse(self.url_name, kwargs={"pk": partnership.pk})


@dataclass(frozen=True)
class Gate:
    """A condition a partnership must meet before it moves into ``to_stage``:
    ``condition(partnership) -> list[str]``, what is missing in words a user can act on."""

    to_stage: str
    condition: Callable
    key: str = ""  # defaults to the condition's dotted name

    def __post_init__(self):
        if not self.key:
            default = f"{self.condition.__module__}.{self.condition.__qualname__}"
            object.__setattr__(self, "key", default)


@dataclass(frozen=True)
class Tiles:
    """Summary tiles above the portfolio: ``builder(visible_queryset, today) ->
    list[portfolio.Tile]``, a constant number of queries."""

    key: str
    builder: Callable
    order: int = 100


@dataclass(frozen=True)
class HeaderFact:
    """A fact in the header of the partnership page: ``fn(partnership) -> header.Fact | None``,
    at most one query."""

    key: str
    fn: Callable
    order: int = 100


@dataclass(frozen=True)
class TimelineSource:
    """Recent activity: ``fn(partnership, limit) -> list[timeline.Event]``, its newest events
    in one query."""

    key: str
    fn: Callable


@dataclass(frozen=True)
class Nav:
    """A main-menu entry."""

    label: str
    url_name: str
    order: int = 100
    # The roles (partnerships.roles) shown this entry: a menu offers only what the role can open.
    for_roles: tuple[str, ...] = ALL_ROLES

    @property
    def url(self):
        return reverse(self.url_name)


@dataclass(frozen=True)
class Seeder:
    """Demo data for ``manage.py seed_demo``: ``fn(ctx)``, idempotent; ``ctx`` holds the users,
    partners, partnerships and goals the base seed created (keyed by name)."""

    key: str
    fn: Callable
    order: int = 100


@dataclass(frozen=True)
class HealthInput:
    """Inputs of the health score another app knows (open risks, overdue actions...).

    ``reads(partnership_ids, *, today) -> {key: (queryset, columns)}`` are parts for
    ``aggregates.read_together``, so the score reads every app's inputs in one query;
    ``values(read, partnership_ids) -> {partnership_id: {input: value}}`` turns what was read
    into the named inputs ``kpis.health.health_score`` takes."""

    key: str
    reads: Callable
    values: Callable


@dataclass(frozen=True)
class DigestSection:
    """A section of the weekly digest: ``builder(user, partnership_ids, week_start, week_end)
    -> digests.sections.SectionData | None``. Lower ``order`` comes first. News sections decide
    whether the week had anything to report; a summary (``news=False``) does not."""

    key: str
    title: str
    builder: Callable
    order: int = 100
    news: bool = True


@dataclass(frozen=True)
class DigestColumns:
    """Columns of the digest's table of followed partnerships: ``fn(partnership_ids,
    week_start) -> {partnership_id: {column label: value}}``."""

    key: str
    fn: Callable
    order: int = 100


@dataclass(frozen=True)
class Reminder:
    """Dates that must not be missed: ``fn(today, partnership_ids=None) -> list of
    digests.dates.DueDate`` (see digests/dates.py); ``deferrable`` ones are read together."""

    key: str
    fn: Callable


@dataclass(frozen=True)
class Attention:
    """One criterion of the portfolio's default order, "needs attention first".

    ``expression(today)`` is an SQL expression over a partnership row (a subquery on
    ``OuterRef("pk")``, say). Rows sort by each criterion in ``order``, highest first when
    ``descending`` (counts of open or overdue things), and ``label`` says it on the page."""

    key: str
    label: str
    expression: Callable
    order: int = 100
    descending: bool = False


@dataclass(frozen=True)
class OnEnd:
    """What ending a partnership closes. ``describe(partnership) -> [str]`` says it before the
    user confirms (one line per kind of thing still open, none when nothing is);
    ``close(partnership, *, by, now, reason)`` does it, in the move's transaction."""

    key: str
    describe: Callable
    close: Callable
    order: int = 100


@dataclass(frozen=True)
class OnEnter:
    """What entering ``to_stage`` sets up (an integration plan from its template, say):
    ``fn(partnership, *, by, now)``, called in the move's transaction after the stage is saved.
    It must be idempotent: a partnership can enter the same stage more than once."""

    key: str
    to_stage: str
    fn: Callable
    order: int = 100


@dataclass(frozen=True)
class WorkSource:
    """Something due from a user, listed on "My work" (``partnerships.work``).

    ``items(user, today) -> [work.WorkItem]`` the open ones the user must act on (when it is
    ``partnerships.later.deferrable``, "My work" and the digest read it with the other sources'
    reads, in one statement);
    ``complete(user, pk)`` and ``reopen(user, pk)`` (optional) mark one done and undo that,
    each returning the item as it now is, or None when the user may not (or it is gone)."""

    key: str
    label: str
    items: Callable
    complete: Callable | None = None
    reopen: Callable | None = None
    order: int = 100


@dataclass(frozen=True)
class PackSection:
    """A section of the renewal decision pack: ``fn(partnership, *, today) ->
    renewals.pack.Section | None``, read with the same selectors as the page it summarises
    (a few queries, bounded whatever the partnership's history)."""

    key: str
    title: str
    fn: Callable
    order: int = 100


@dataclass(frozen=True)
class Contributions:
    """Everything one app adds to the others."""

    panels: Sequence[Panel] = ()
    columns: Sequence = ()  # portfolio.Column
    filters: Sequence = ()  # portfolio.Filter
    tiles: Sequence[Tiles] = ()
    # ``fn(partnership_ids) -> {id: portfolio.Health}``: the latest health of each partnership
    # (one app scores health; the last one declared is used).
    health_source: Callable | None = None
    health_inputs: Sequence[HealthInput] = ()
    gates: Sequence[Gate] = ()
    facts: Sequence[HeaderFact] = ()
    timeline: Sequence[TimelineSource] = ()
    nav: Sequence[Nav] = ()
    seeders: Sequence[Seeder] = ()
    digest_sections: Sequence[DigestSection] = ()
    digest_columns: Sequence[DigestColumns] = ()
    reminders: Sequence[Reminder] = ()
    attention: Sequence[Attention] = ()
    on_end: Sequence[OnEnd] = ()
    on_enter: Sequence[OnEnter] = ()
    # ``fn(objective_ids, today) -> {id: objectives.Reading}``: objectives read from the KPIs
    # that measure them.
    objective_readings: Sequence[Callable] = ()
    work: Sequence[WorkSource] = ()
    # ``fn(partnership_ids) -> {id: [email, ...]}``: each partnership's escalation path, the
    # people on our side in step order (alert emails follow it).
    escalation_paths: Sequence[Callable] = ()
    pack_sections: Sequence[PackSection] = ()


_KINDS = {f.name for f in fields(Contributions)}
_added = []  # declarations added with ``added()``, after the apps'


def declarations():
    """Each installed app's declaration, in INSTALLED_APPS order, then any ``added()``."""
    return [*_from_apps(tuple(apps.get_app_configs())), *_added]


@functools.lru_cache(maxsize=4)
def _from_apps(configs):
    # Keyed by the app configs: a test that changes INSTALLED_APPS gets its apps' declarations.
    found = []
    for config in configs:
        path = getattr(config, "contributions", None)
        if path:
            found.append(import_string(path))
    return found


def contributed(kind):
    """Every app's entries of one kind (a field of ``Contributions``), in app order."""
    if kind not in _KINDS:
        raise ValueError(f"Nothing is contributed as {kind!r}; see Contributions.")
    if kind == "health_source":
        return [d.health_source for d in declarations() if d.health_source]
    return [entry for declaration in declarations() for entry in getattr(declaration, kind)]


@contextmanager
def added(declaration):
    """Contribute ``declaration`` as if one more app declared it, until the block ends (for
    tests, and scripts that try a contribution out)."""
    _added.append(declaration)
    try:
        yield declaration
    finally:
        _added.remove(declaration)
