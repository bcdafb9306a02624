"""A full recompute's snapshot writes: staged for the whole run, then merged in one go.

A full recompute is one transaction. Each chunk sends its new or changed rows to one temporary
table by COPY; at the end they are upserted, or, when they are a large share of the table (a
cold run, after a change of the rules), the table is rebuilt: the rows the run leaves as they
are set aside, the table emptied by TRUNCATE with its indexes, unique keys and foreign keys
dropped, the staged and the set-aside rows inserted, and the indexes and keys built again, one
sort or one join each. At ``large``, writing 1.57 million rows through six indexes one row at a
time was over half of the run, and deleting them first, then building indexes that read the
deleted rows too, most of what was left (docs/decisions/cold-recompute.md).

TRUNCATE and a reader: from the first ``DROP`` to the commit the table is locked against
readers, who then read the new rows, never an empty table: a statement of a READ COMMITTED
transaction (every transaction here) takes its snapshot once it holds its locks
(tests/kpis/test_snapshot_bulk.py reads the table from another connection during a rebuild).
Indexes and constraints are dropped and created inside the transaction under their own names
and definitions, so what the migrations describe is what stands after the commit, and a crash
leaves everything as it was.
"""

from django.db import connection

from ..models import Snapshot
from . import copy_binary
from . import snapshot_writes as writes

STAGE = "_snapshot_run"
IDS = "_snapshot_replaced"
KEPT = "_snapshot_kept"
# Above this share of the table's rows the rebuild beats the upsert (see the decision record).
REBUILD_SHARE = 0.3
# A partial index holding less than this share of the table's rows is kept through a rebuild.
SMALL_INDEX_SHARE = 0.05
# The rebuild's two joins (stage to table, and to the ids kept) as hash joins in one batch: the
# delete then visits the rows in the stage's (KPI, period) order, the table's own after a
# rebuild, instead of through an index or in spilled batches in no order, every visit evicting
# a dirty page from shared buffers (8.3 s then, against 4). No JIT: the estimates of a stage
# without statistics are far off, and compiling the insert took 0.17 s.
JOIN_SETTINGS = {
    "work_mem": "256MB",
    "enable_nestloop": "off",
    "enable_mergejoin": "off",
    "jit": "off",
}


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


def _set_local(cursor, settings):
    """Set these settings until the transaction ends; returns their values before."""
    before = {}
    for name, value in settings.items():
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
        before[name] = cursor.fetchone()[0]
    return before


def _rebuilt_indexes(cursor, table):
    """(name, definition) of the indexes the rebuild drops and creates again: those backing no
    constraint, but for partial ones holding a few rows (kept, and written a row at a time)."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "AND NOT (i.indpred IS NOT NULL AND c.reltuples >= 0 AND c.reltuples < %s * t.reltuples) "
        "ORDER BY c.relname",
        [table, SMALL_INDEX_SHARE],
    )
    return cursor.fetchall()


def _rebuilt_constraints(cursor, table):
    """(name, definition) of the table's primary key, unique constraints and foreign keys."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') "
        "ORDER BY contype = 'f', conname",
        [table],
    )
    return cursor.fetchall()


def _set_aside(cursor, table, stage):
    """Note the id of each row of the table that a row of ``stage`` replaces, and copy aside
    the rows none replaces (none in a cold run); returns how many were set aside."""
    kpi, period, pk = (writes._column(n) for n in ("kpi", "period", "id"))
    cursor.execute(
        f"CREATE TEMPORARY TABLE {IDS} ON COMMIT DROP AS "
        f"SELECT t.{pk}, t.{kpi}, t.{period}, s.{kpi} IS NULL AS kept FROM {table} t "
        f"LEFT JOIN {stage} s ON s.{kpi} = t.{kpi} AND s.{period} = t.{period}"
    )
    cursor.execute(f"SELECT count(*) FROM {IDS} WHERE kept")
    kept = cursor.fetchone()[0]
    if kept:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {KEPT} ON COMMIT DROP AS SELECT t.* FROM {table} t "
            f"WHERE t.{pk} IN (SELECT {pk} FROM {IDS} WHERE kept)"
        )
    return kept


def _insert_staged(cursor, table, stage, kept):
    """Insert the rows of ``stage``, each with the id of the row it replaces, if any, then the
    ``kept`` rows set aside."""
    kpi, period, pk = (writes._column(n) for n in ("kpi", "period", "id"))
    columns, selected = copy_binary.COLUMNS, copy_binary.stage_select("s.")
    # No ORDER BY: the stage is in (KPI, period) order already, and a hash join probed by it
    # keeps that order (sorting 1.57 million wide rows took two seconds, on disk).
    cursor.execute(
        f"INSERT INTO {table} ({pk}, {', '.join(columns)}) "
        f"SELECT coalesce(i.{pk}, nextval(pg_get_serial_sequence(%s, %s))), "
        + ", ".join(selected)
        + f" FROM {stage} s LEFT JOIN {IDS} i ON i.{kpi} = s.{kpi} AND i.{period} = s.{period}",
        [table, pk],
    )
    if kept:
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {KEPT}")
        cursor.execute(f"DROP TABLE {KEPT}")
    cursor.execute(f"DROP TABLE {IDS}")


def replace_from(cursor, stage):
    """Make the table's rows for each (KPI, period) of ``stage`` the staged ones (keeping the
    ids of the rows they replace) and keep the others, with the table emptied first and its
    indexes and keys built again afterwards."""
    table = Snapshot._meta.db_table
    # Writers wait from here; readers go on reading the old rows until the indexes are dropped.
    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    before = _set_local(cursor, JOIN_SETTINGS)
    kept = _set_aside(cursor, table, stage)
    indexes, constraints = _rebuilt_indexes(cursor, table), _rebuilt_constraints(cursor, table)
    # The checks the run has queued so far (its alerts' keys, say) are made now: neither a
    # table with checks pending nor one they refer to can be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if indexes:
        cursor.execute(f"DROP INDEX {', '.join(name for name, _ in indexes)}")
    if constraints:
        # Unique indexes checked a row at a time, and two deferred checks queued a row for the
        # foreign keys (which CREATE INDEX refuses): built again, each is one sort or one join.
        cursor.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"DROP CONSTRAINT {name}" for name, _ in constraints)
        )
    # Emptied, not deleted from: a DELETE wrote every row once more, and the builds below read
    # each deleted row beside its new one (the covering index 5.3 s against 2.1 s at large).
    cursor.execute(f"TRUNCATE {table}")
    _insert_staged(cursor, table, stage, kept)
    _set_local(cursor, before)
    before = _set_local(cursor, {"maintenance_work_mem": "256MB", "jit": "off"})
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for _, definition in indexes:
        cursor.execute(definition)
    _set_local(cursor, before)
