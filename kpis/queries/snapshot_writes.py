"""Writing computed snapshot rows: the COPY upsert and its bulk_create reference.

Both make the stored row of each (KPI, period) in the frame equal to the frame's row, stamped
with the run, and return the number of rows written.
"""

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from .. import maths
from ..models import Snapshot
from . import copy_binary

# What an upsert on (kpi, period) rewrites: every computed column of maths.SNAPSHOT_COLUMNS but
# the conflict key, plus the stamps of the run.
UPDATE_FIELDS = [
    "partnership",
    *(
        name
        for name in maths.SNAPSHOT_COLUMNS
        if name not in ("kpi_id", "partnership_id", "period")
    ),
    "fingerprint",
    "computed_at",
    "run",
]


def decimal_or_none(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return Decimal(repr(float(value)))


def _moment(seconds):
    """An aware datetime from seconds since the epoch, None for NaN."""
    if seconds is None or seconds != seconds:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def _none(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)


def _same(value):
    return value


def rows_of(frame):
    """The rows of a frame as dicts of Python values (itertuples builds a namedtuple class on
    every call: most of the cost for the one or two rows an incremental recompute writes)."""
    names = list(frame.columns)
    columns = [frame[name].tolist() for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


# What each computed column becomes as a model field's value; the others pass as they are.
_FIELD_VALUES = {
    "kpi_id": int,
    "partnership_id": int,
    "is_closed": bool,
    "is_latest": bool,
    "value": decimal_or_none,
    "measurement_count": int,
    "known_since": _moment,
    "attainment": _none,
    "change": _none,
    "change_pct": _none,
    "trend_slope": _none,
    "rolling_avg": decimal_or_none,
    "kpi_version": int,
    "target": decimal_or_none,
    "warning": decimal_or_none,
    "critical": decimal_or_none,
    "fingerprint": int,
}


def upsert_reference(frame, computed_at, run):
    """The upsert as bulk_create(update_conflicts=True) on (kpi, period)."""
    columns = [*maths.SNAPSHOT_COLUMNS, "fingerprint"]
    objs = [
        Snapshot(
            **{name: _FIELD_VALUES.get(name, _same)(value) for name, value in row.items()},
            computed_at=computed_at,
            run=run,
        )
        for row in rows_of(frame[columns])
    ]
    Snapshot.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["kpi", "period"], update_fields=UPDATE_FIELDS
    )
    return len(objs)


# The COPY adapter: the rows as binary COPY data into a temporary table, then one INSERT ...
# ON CONFLICT DO UPDATE. Building a model instance and binding ~25 parameters per row cost
# ~0.3 ms a row (docs/decisions/sql-snapshot-copy-upsert.md).
COPY_ROWS = 50_000


def _column(name):
    return Snapshot._meta.get_field(name).column


def create_stage(cursor, name):
    """A temporary table, dropped at commit, for snapshot rows sent by ``copy_into``."""
    columns = ", ".join(copy_binary.stage_definition())
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns}) ON COMMIT DROP")


def copy_into(cursor, name, frame, computed_at, run):
    """The frame's rows, stamped with the run, into the stage ``name`` by binary COPY."""
    # A thread sends each piece while the next is formatted: the server parses as Python
    # formats, on the other core, instead of each waiting for the other.
    writer = QueuedLibpqWriter(cursor.cursor)
    columns = ", ".join(copy_binary.COLUMNS)
    with cursor.copy(f"COPY {name} ({columns}) FROM STDIN (FORMAT BINARY)", writer=writer) as copy:
        copy.write(copy_binary.HEADER)
        for start in range(0, len(frame), COPY_ROWS):
            copy.write(copy_binary.encode(frame.iloc[start : start + COPY_ROWS], computed_at, run))
        copy.write(copy_binary.TRAILER)


def upsert_from(cursor, name):
    """The rows of the stage ``name`` upserted by (KPI, period)."""
    table = Snapshot._meta.db_table
    columns, selected = copy_binary.COLUMNS, copy_binary.stage_select()
    updates = [_column(name) for name in UPDATE_FIELDS]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {name} "
        f"ON CONFLICT ({_column('kpi')}, {_column('period')}) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in updates)
    )


def upsert_by_copy(frame, computed_at, run):
    """What ``upsert_reference`` does, through COPY (for many rows)."""
    with connection.cursor() as cursor:
        create_stage(cursor, "_snapshot_upsert")
        copy_into(cursor, "_snapshot_upsert", frame, computed_at, run)
        upsert_from(cursor, "_snapshot_upsert")
        cursor.execute("DROP TABLE _snapshot_upsert")
    return len(frame)
