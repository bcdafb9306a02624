"""The events of an object (or of everything), as django-pghistory's ``Events`` aggregate.

``Events`` unions the event tables and works out each event's before -> after (``pgh_diff``);
its own filters name one object or what points at it directly. Here each table gets the clause
of ``registry.scope`` instead, applied inside the table's part of the union, so a history reads
only its own rows.
"""

from django.db import connection
from pghistory.models import Context, EventsQuery, EventsQueryCompiler, EventsQuerySet

from . import registry
from .models import AuditEvent

# A history's order, newest first; the model breaks ties between tables' ids.
ORDERING = ("-pgh_created_at", "-pgh_id", "-pgh_model")
# A history pages through its newest events only: counting them all reads every event
# (0.16 s at large, a second at huge, on each page); the filters reach older ones.
COUNT_CAP = 10_000


class _Compiler(EventsQueryCompiler):
    def _get_where_clause(self, event_model):
        clauses = self.query.clauses
        if clauses is None:
            return ""
        return f"WHERE {clauses[event_model]}"


class _Query(EventsQuery):
    clauses = None

    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = _Compiler
        return compiler

    def chain(self, klass=None):
        clone = super().chain(klass)
        clone.clauses = self.clauses
        return clone


class _QuerySet(EventsQuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or _Query(model), using, hints)


def _clauses(target, pk, models):
    """{event model: SQL over ``_event`` selecting its events, or None for all of them}."""
    chosen = registry.event_models()
    if models is not None:
        chosen = {label: chosen[label] for label in models if label in chosen}
    if target is None:
        return dict.fromkeys(chosen.values())
    number = str(int(pk))  # an int: it goes into the SQL as text
    scope = registry.scope(target)
    return {m: c.replace("{pk}", number) for m, c in scope.items() if m in chosen.values()}


def events(*, target=None, pk=None, models=None):
    """The events of the ``target`` model's object ``pk`` and of what belongs to it (all
    events without a target), of the followed ``models`` labels only when given."""
    queryset = _QuerySet(AuditEvent)
    clauses = _clauses(target, pk, models)
    if target is not None:
        queryset.query.clauses = clauses
    if not clauses:  # across() with no table would mean every table
        return queryset.none()
    return queryset.across(*clauses)


def _events_by_id(ids):
    """The events named by {event model: [pgh_id, ...]}, by (event model label, pgh_id)."""
    queryset = _QuerySet(AuditEvent)
    queryset.query.clauses = {
        model: "_event.pgh_id IN ({})".format(",".join(str(int(i)) for i in found))
        for model, found in ids.items()
    }
    return {(e.pgh_model, e.pgh_id): e for e in queryset.across(*ids)}


class EventList:
    """The events of a history, newest first, read in slices like a queryset (a Paginator's).

    ``Events`` works out every event's before -> after ahead of its sort: a minute at a
    million events for any page. Here a narrow query over the event tables' own columns
    finds the slice's events (each table read newest first by its index), and only those go
    through ``Events``. ``events()`` ordered by ``ORDERING`` is the plain reference.
    """

    more = False

    def __init__(self, clauses, conditions=()):
        self.clauses = clauses  # {event model: SQL over _event, or None for all its rows}
        self.conditions = list(conditions)  # [(SQL over _event and _pgh_context, params)]

    def _union(self):
        context = any("_pgh_context" in sql for sql, _ in self.conditions)
        join = (
            f'LEFT JOIN "{Context._meta.db_table}" _pgh_context '
            "ON _pgh_context.id = _event.pgh_context_id"
            if context
            else ""
        )
        parts, params = [], []
        for model, clause in self.clauses.items():
            where = [f"({clause})"] if clause else []
            where += [f"({sql})" for sql, _ in self.conditions]
            params.extend(value for _, values in self.conditions for value in values)
            # No "WHERE TRUE" for a table read whole: PostgreSQL would then sort all its
            # rows instead of merging the tables' indexes (0.7 s against 0.07 s at large).
            parts.append(
                f"SELECT '{model._meta.label}' AS pgh_model, _event.pgh_id, _event.pgh_created_at "
                f'FROM "{model._meta.db_table}" _event {join} '
                + (f"WHERE {' AND '.join(where)}" if where else "")
            )
        return " UNION ALL ".join(parts), params

    def count(self):
        """How many, up to ``COUNT_CAP``; ``more`` says whether there are more than that."""
        if not self.clauses:
            return 0
        union, params = self._union()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM ({union}) _keys LIMIT %s) _capped",
                [*params, COUNT_CAP + 1],
            )
            found = cursor.fetchone()[0]
        self.more = found > COUNT_CAP
        return min(found, COUNT_CAP)

    def __len__(self):
        return self.count()

    def _keys(self, start, stop):
        # Sorted by (pgh_created_at, pgh_id) alone, the tables' indexes feed one merge; the
        # model, which breaks ties, would force a sort of every event. A (time, id) is
        # unique within a table, so at most one row per table ties with the last one
        # wanted: the first stop + tables - 1 by time and id hold every row of the slice.
        union, params = self._union()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pgh_model, pgh_id FROM (SELECT * FROM ({union}) _keys "
                "ORDER BY pgh_created_at DESC, pgh_id DESC LIMIT %s) _top "
                "ORDER BY pgh_created_at DESC, pgh_id DESC, pgh_model DESC "
                "OFFSET %s LIMIT %s",
                [*params, stop + len(self.clauses) - 1, start, stop - start],
            )
            return cursor.fetchall()

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("An EventList is read in slices.")
        start, stop = window.start or 0, window.stop
        if not self.clauses or stop is None or stop <= start:
            return []
        keys = self._keys(start, stop)
        by_label = {model._meta.label: model for model in self.clauses}
        ids = {}
        for label, pk in keys:
            ids.setdefault(by_label[label], []).append(pk)
        found = _events_by_id(ids) if ids else {}
        return [found[key] for key in keys if key in found]


def history(*, target=None, pk=None, models=None, conditions=()):
    """The events ``events()`` selects, newest first (``ORDERING``), as an ``EventList``;
    ``conditions`` narrow them as the history filters do."""
    return EventList(_clauses(target, pk, models), conditions)
