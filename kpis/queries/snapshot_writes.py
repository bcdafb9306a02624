"""Writing computed snapshot rows: the COPY upsert and its bulk_create reference.

Both make the stored row of each (KPI, period) in the frame equal to the frame's row, stamped
with the run, and return the number of rows written.
"""

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection

from .. import maths
from ..models import Snapshot

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


# The COPY adapter: the rows as tab-separated text into a temporary table, then one INSERT ...
# ON CONFLICT DO UPDATE. Building a model instance and binding ~25 parameters per row cost
# ~0.3 ms a row (docs/decisions/sql-snapshot-copy-upsert.md).
COPY_ROWS = 50_000
_NULL = "\\N"


def _text_dates(values):
    out = []
    for v in values:
        if v is None or v is pd.NaT:
            out.append(_NULL)
        else:
            out.append((v.date() if isinstance(v, datetime) else v).isoformat())
    return out


def _text_numbers(values):
    # repr of the float is what the reference sends: numeric(20, 6) and float8 parse it alike.
    floats = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    return [_NULL if f != f else repr(f) for f in floats.tolist()]


def _text_ints(values):
    return [str(int(v)) for v in values]


def _text_bools(values):
    return ["t" if bool(v) else "f" for v in values]


def _text_strings(values):
    return [str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") for v in values]


COPY_COLUMNS = [
    ("kpi_id", _text_ints),
    ("partnership_id", _text_ints),
    ("period", _text_dates),
    ("period_end", _text_dates),
    ("frequency", _text_strings),
    ("is_closed", _text_bools),
    ("is_latest", _text_bools),
    ("value", _text_numbers),
    ("measurement_count", _text_ints),
    ("known_since", _text_numbers),  # seconds, made a timestamp by the INSERT
    ("status", _text_strings),
    ("attainment", _text_numbers),
    ("change", _text_numbers),
    ("change_pct", _text_numbers),
    ("trend_slope", _text_numbers),
    ("trend", _text_strings),
    ("rolling_avg", _text_numbers),
    ("kpi_version", _text_ints),
    ("direction", _text_strings),
    ("target", _text_numbers),
    ("warning", _text_numbers),
    ("critical", _text_numbers),
    ("fingerprint", _text_ints),
]


def _column(name):
    return Snapshot._meta.get_field(name).column


def upsert_by_copy(frame, computed_at, run):
    """What ``upsert_reference`` does, through COPY (for many rows)."""
    table = Snapshot._meta.db_table
    columns = [_column(name) for name, _ in COPY_COLUMNS] + [
        _column("computed_at"),
        _column("run"),
    ]
    known = _column("known_since")
    updates = [_column(name) for name in UPDATE_FIELDS]
    stamp = [computed_at.isoformat(), str(run)]
    selected = [f"to_timestamp({c})" if c == known else c for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE _snapshot_upsert (LIKE {table}) ON COMMIT DROP; "
            f"ALTER TABLE _snapshot_upsert DROP COLUMN {_column('id')}; "
            f"ALTER TABLE _snapshot_upsert ALTER COLUMN {known} TYPE float8 USING NULL"
        )
        with cursor.copy(f"COPY _snapshot_upsert ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(frame), COPY_ROWS):
                part = frame.iloc[start : start + COPY_ROWS]
                texts = [convert(part[name].tolist()) for name, convert in COPY_COLUMNS]
                copy.write(
                    "".join("\t".join((*row, *stamp)) + "\n" for row in zip(*texts, strict=True))
                )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM _snapshot_upsert "
            f"ON CONFLICT ({_column('kpi')}, {_column('period')}) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in updates)
        )
        cursor.execute("DROP TABLE _snapshot_upsert")
    return len(frame)
