"""Reads that several apps' sources make, run as one statement.

A digest asks every app for what is due from its reader ("Needs you") and for the dates coming up
in what they follow ("Coming up"): one query per contributing source, each a round trip with its
own planning, about 1 ms apiece for a handful of rows. A source that returns its read as a
``Later`` (the query, and what to make of its rows) lets the caller run the reads of every
source in one ``UNION ALL``. ``deferrable`` keeps such a source an ordinary function that
returns its result, with the ``Later`` on its ``later`` attribute::

    @deferrable
    def agreement_dates(today, partnership_ids=None):
        rows = Agreement.objects.filter(...).values("partnership_id", "end_date")
        return Later(rows, lambda rows: [...])

    agreement_dates(today)                 # the list, one query
    run_together([agreement_dates.later(today), other.later(today)])  # both, one query
"""

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.query import QuerySet

_NAMED = re.compile(r"%\((\w+)\)s")
# Decimals as written: a float would turn 12.50 into 12.5.
_JSON = json.JSONDecoder(parse_float=Decimal)


@dataclass(frozen=True)
class Raw:
    """A read in plain SQL: ``sql`` with its ``params`` (a list, or a dict for ``%(name)s``
    placeholders), and ``types`` ``{column: to_python}`` for the columns JSON does not carry
    as they are (dates, say)."""

    sql: str
    params: list | dict
    types: dict

    def positional(self):
        """``sql`` and a list of params, as a part of a larger statement needs them."""
        if not isinstance(self.params, dict):
            return self.sql, list(self.params)
        names = []

        def placeholder(match):
            names.append(match.group(1))
            return "%s"

        sql = _NAMED.sub(placeholder, self.sql)
        return sql, [self.params[name] for name in names]


class Later:
    """A result still to read: ``Later(query, then)`` is a ``values()`` queryset (or ``Raw``)
    and ``then(rows)``, which turns its rows (dicts by column name, in the query's order) into
    the result. ``Later.gather`` makes one of several, whose reads are made together."""

    def __init__(self, query, then):
        self.reads = (query,)
        self._finish = lambda rows: then(rows[0])

    @classmethod
    def _of(cls, reads, finish):
        later = cls.__new__(cls)
        later.reads, later._finish = tuple(reads), finish
        return later

    @classmethod
    def gather(cls, items, then=list):
        """``then([result of each item])``: items are Laters, or results already known."""
        items = list(items)
        pending = [item for item in items if isinstance(item, Later)]

        def finish(rows):
            results = {id(later): later.finish(part) for later, part in parts(pending, rows)}
            return then([results.get(id(item), item) for item in items])

        return cls._of([read for later in pending for read in later.reads], finish)

    def finish(self, rows):
        """The result, from the rows of each of ``reads``."""
        return self._finish(rows)

    def now(self):
        return self.finish(read_rows(self.reads))

    def map(self, fn):
        """The same reads, the result passed through ``fn``."""
        return Later._of(self.reads, lambda rows: fn(self._finish(rows)))


def deferrable(source):
    """``source`` returns a ``Later`` (or a result it knew without reading); the decorated
    function returns what it comes to, and keeps ``source`` as ``.later`` for callers that run
    several sources together."""

    @functools.wraps(source)
    def now(*args, **kwargs):
        result = source(*args, **kwargs)
        return result.now() if isinstance(result, Later) else result

    now.later = source
    return now


def later_of(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` as a ``Later`` when ``fn`` is ``deferrable``; else its result,
    read now."""
    later = getattr(fn, "later", None)
    return later(*args, **kwargs) if later else fn(*args, **kwargs)


def call_together(calls):
    """``[(fn, args, kwargs)]`` called, each ``deferrable`` one's read made in one statement
    with the others'; the results in the same order."""
    return Later.gather(later_of(fn, *args, **kwargs) for fn, args, kwargs in calls).now()


def run_together(laters):
    """Each ``Later``'s result, their reads made in one statement."""
    return Later.gather(laters).now()


def parts(laters, rows):
    """``(later, its rows)`` for each of ``laters``, from the rows of all their reads in
    order (as ``read_rows`` gives them)."""
    start = 0
    for later in laters:
        yield later, rows[start : start + len(later.reads)]
        start += len(later.reads)


def named(rows):
    """Rows as objects whose attributes are their columns' names, as ``values_list(...,
    named=True)`` gives them: ``row.partnership__title``."""
    return [SimpleNamespace(**row) for row in rows]


def read_rows(queries):
    """[rows of each query], the queries made as one statement (none when none reads)."""
    parts = [_sql_and_types(query) for query in queries]
    statements, params = [], []
    for index, part in enumerate(parts):
        if part is None:
            continue
        # row_number keeps each part's own order (its ORDER BY) through the union.
        statements.append(
            f"SELECT {index}, row_number() OVER (), row_to_json(part_{index})::text "
            f"FROM ({part[0]}) AS part_{index}"
        )
        params.extend(part[1])
    texts = [[] for _ in queries]
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(statements) + " ORDER BY 1, 2", params)
            for index, _, text in cursor.fetchall():
                texts[index].append(text)
    # A part's rows decoded as one JSON array: an executive's digest reads ~4,000 rows, and a
    # decode a row cost ~5 µs each in overhead alone.
    rows = [_JSON.decode(f"[{','.join(found)}]") if found else [] for found in texts]
    for found, part in zip(rows, parts, strict=True):
        for row in found:
            for column, to_python in part[2].items():
                if row[column] is not None:
                    row[column] = to_python(row[column])
    return rows


def _sql_and_types(query):
    """The part's SQL, its params and its columns' conversions; None when it reads nothing
    (a filter on no ids, say)."""
    if isinstance(query, Raw):
        return *query.positional(), query.types
    if not isinstance(query, QuerySet):
        raise TypeError(f"A Later reads a values() queryset or a Raw, not {query!r}")
    compiler = query.query.get_compiler(using=query.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    types = {}
    for expression, _, alias in compiler.select:
        if alias is None:
            raise TypeError("A Later reads a values() queryset: each column needs its name")
        field = expression.output_field
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            types[alias] = _in_utc
        elif kind not in _AS_THEY_ARE:
            types[alias] = field.to_python
    return sql, list(params), types


def _in_utc(text):
    """A timestamp as the database connection gives it: aware, in UTC (JSON writes it in the
    connection's zone, which Django sets to UTC, as "+00:00")."""
    return datetime.fromisoformat(text).astimezone(UTC)


# What JSON gives back as Python would have it from the database.
_AS_THEY_ARE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "IntegerField",
    "JSONField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
}
