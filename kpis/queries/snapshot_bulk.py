"""A full recompute's snapshot writes: staged for the whole run, then merged in one go.

A full recompute is one transaction. Each chunk sends its new or changed rows to one temporary
table by COPY; at the end they are upserted, or, when they are a large share of the table (a
cold run, after a change of the rules), the rows they replace are deleted and they are inserted
with the secondary indexes dropped and built again, sorted, afterwards: at ``large``, writing
1.57 million rows through six indexes one row at a time was over half of the run
(docs/decisions/cold-recompute.md). A DELETE, not a TRUNCATE: a reader whose snapshot is older
than the commit still sees the old rows, never an empty table. The indexes are dropped and
created inside the transaction under their own names and definitions, and so are the foreign
keys (checked by one join each instead of two lookups a row), so what the migrations describe
is what stands after the commit, and a crash leaves everything as it was.
"""

from django.db import connection

from ..models import Snapshot
from . import snapshot_writes as writes

STAGE = "_snapshot_run"
IDS = "_snapshot_replaced"
# Above this share of the table's rows the rebuild beats the upsert (see the decision record).
REBUILD_SHARE = 0.3


class RunWrites:
    """The writes of one full recompute, in its transaction."""

    def __init__(self):
        self.staged = 0

    def write(self, frame, computed_at, run):
        with connection.cursor() as cursor:
            if not self.staged:
                writes.create_stage(cursor, STAGE)
            writes.copy_into(cursor, STAGE, frame, computed_at, run)
        self.staged += len(frame)
        return len(frame)

    def finish(self):
        """Merge the staged rows into the table; returns "rebuild", "upsert" or None."""
        if not self.staged:
            return None
        with connection.cursor() as cursor:
            if self.staged >= REBUILD_SHARE * _table_rows(cursor):
                replace_from(cursor, STAGE)
                how = "rebuild"
            else:
                writes.upsert_from(cursor, STAGE)
                how = "upsert"
            cursor.execute(f"DROP TABLE {STAGE}")
        self.staged = 0
        return how


def _table_rows(cursor):
    # The planner's estimate: a count would read the whole table for a ratio.
    cursor.execute(
        "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
        [Snapshot._meta.db_table],
    )
    return cursor.fetchone()[0]


def _secondary_indexes(cursor, table):
    """(name, definition) of the table's indexes that back no constraint."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        [table],
    )
    return cursor.fetchall()


def _foreign_keys(cursor, table):
    """(name, definition) of the table's foreign keys."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    return cursor.fetchall()


def replace_from(cursor, stage):
    """Make the table's rows for each (KPI, period) of ``stage`` the staged ones (keeping the
    ids of the rows they replace), with the secondary indexes built afterwards."""
    table = Snapshot._meta.db_table
    kpi, period, pk = (writes._column(n) for n in ("kpi", "period", "id"))
    columns, selected = writes._columns()
    # Writers wait from here; readers go on reading the old rows until the indexes are dropped.
    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {IDS} ({pk} bigint, {kpi} bigint, {period} date) ON COMMIT DROP"
    )
    cursor.execute(
        f"WITH gone AS (DELETE FROM {table} t USING {stage} s "
        f"WHERE t.{kpi} = s.{kpi} AND t.{period} = s.{period} "
        f"RETURNING t.{pk}, t.{kpi}, t.{period}) INSERT INTO {IDS} SELECT * FROM gone"
    )
    indexes, keys = _secondary_indexes(cursor, table), _foreign_keys(cursor, table)
    # The checks the run has queued so far (its alerts' keys, say) are made now: neither a
    # table with checks pending nor one they refer to can be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if indexes:
        cursor.execute(f"DROP INDEX {', '.join(name for name, _ in indexes)}")
    if keys:
        # Else each inserted row queues two deferred checks (and CREATE INDEX refuses a table
        # with checks pending); added back, each key is checked by one join.
        cursor.execute(
            f"ALTER TABLE {table} " + ", ".join(f"DROP CONSTRAINT {name}" for name, _ in keys)
        )
    cursor.execute(
        f"INSERT INTO {table} ({pk}, {', '.join(columns)}) "
        f"SELECT coalesce(i.{pk}, nextval(pg_get_serial_sequence(%s, %s))), "
        + ", ".join(f"s.{c}" if c in columns else c for c in selected)
        + f" FROM {stage} s LEFT JOIN {IDS} i ON i.{kpi} = s.{kpi} AND i.{period} = s.{period} "
        f"ORDER BY s.{kpi}, s.{period}",
        [table, pk],
    )
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    if keys:
        cursor.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"ADD CONSTRAINT {name} {definition}" for name, definition in keys)
        )
    cursor.execute(f"DROP TABLE {IDS}")
