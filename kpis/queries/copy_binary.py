"""Snapshot rows as binary COPY data, every field of a fixed width, formatted by numpy.

In PostgreSQL's binary COPY format a row is its field count, then each field as a length and
big-endian bytes. When no field varies in width, a row is a numpy record and a piece of 50,000
rows one ``tobytes()``: at ``large`` that costs Python a few hundredths of a second a chunk
where the text took a second, and the server parses it in less than half the time. So the
stage holds no NULL and no text: a string is its place in a fixed vocabulary, a missing number
is NaN, and the numeric columns come in numeric's own form (base-10000 digits, see
``_numerics``); ``stage_select`` turns a stage row back into the table's values. The text COPY
(copy_text.py) and bulk_create write the same rows (tests/kpis/test_copy_binary.py).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .. import maths
from ..models import Direction, Frequency, Snapshot, Status
from ..models.values import VALUE_DIGITS, VALUE_PLACES
from .names import Names

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
TRAILER = b"\xff\xff"

VOCABULARIES = {
    "frequency": tuple(Frequency.values),
    "status": tuple(Status.values),
    "trend": maths.TRENDS,
    "direction": tuple(Direction.values),
}

# Numeric values as 4 integer and 2 fraction base-10000 digits: numeric(20, 6) holds at most
# 14 integer digits and 6 decimals.
NUMERIC_TYPE = f"numeric({VALUE_DIGITS}, {VALUE_PLACES})"
SCALE = 10**VALUE_PLACES
INTEGER_GROUPS, FRACTION_GROUPS = 4, 2
NUMERIC_NAN = 0xC000
NUMERIC_NEG = 0x4000
# Below 2**30, a float that is the nearest to a number of millionths is that number in its
# shortest repr (what the text COPY sends), and rint(x * 10**6) recovers it exactly.
EXACT_BELOW = 2.0**30

PG_EPOCH = date(2000, 1, 1)
PG_EPOCH_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)

# (column, kind): the stage's columns, in COPY order, as copy_text.NAMES and then the stamps.
FIELDS = [
    ("kpi_id", "int8"),
    ("partnership_id", "int8"),
    ("period", "date"),
    ("period_end", "date"),
    ("frequency", "code"),
    ("is_closed", "bool"),
    ("is_latest", "bool"),
    ("value", "numeric"),
    ("measurement_count", "int4"),
    ("known_since", "float8"),  # seconds, made a timestamp by stage_select
    ("status", "code"),
    ("attainment", "float8"),
    ("change", "float8"),
    ("change_pct", "float8"),
    ("trend_slope", "float8"),
    ("trend", "code"),
    ("rolling_avg", "numeric"),
    ("kpi_version", "int4"),
    ("direction", "code"),
    ("target", "numeric"),
    ("warning", "numeric"),
    ("critical", "numeric"),
    ("fingerprint", "int8"),
    ("computed_at", "timestamptz"),
    ("run", "uuid"),
]
NAMES = [name for name, _ in FIELDS]

_NUMERIC_WIRE = np.dtype(
    [("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"), ("dscale", ">i2")]
    + [("digits", ">i2", (INTEGER_GROUPS + FRACTION_GROUPS,))]
)
# (numpy dtype of the field's bytes, SQL type of the stage column)
_KINDS = {
    "int8": (np.dtype(">i8"), "bigint"),
    "int4": (np.dtype(">i4"), "integer"),
    "date": (np.dtype(">i4"), "date"),
    "code": (np.dtype(">i2"), "smallint"),
    "bool": (np.dtype("u1"), "boolean"),
    "float8": (np.dtype(">f8"), "double precision"),
    "numeric": (_NUMERIC_WIRE, NUMERIC_TYPE),
    "timestamptz": (np.dtype(">i8"), "timestamptz"),
    "uuid": (np.dtype("V16"), "uuid"),
}
ROW = np.dtype(
    [("count", ">i2")]
    + [
        part
        for name, kind in FIELDS
        for part in ((f"{name}_length", ">i4"), (name, _KINDS[kind][0]))
    ]
)


_SNAPSHOT = Names(Snapshot)


def _column(name):
    return getattr(_SNAPSHOT, name)


# The table's columns the stage fills, named as in the table.
COLUMNS = [_column(name) for name in NAMES]


def stage_definition():
    """The stage's column definitions, for CREATE TABLE."""
    return [f"{_column(name)} {_KINDS[kind][1]}" for name, kind in FIELDS]


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _select(name, kind, alias):
    column = alias + _column(name)
    if kind == "code":
        words = ", ".join(_literal(word) for word in VOCABULARIES[name])
        return f"(ARRAY[{words}]::text[])[{column} + 1]"
    if name == "known_since":
        return f"to_timestamp(nullif({column}, 'NaN'))"
    if kind in ("float8", "numeric"):
        return f"nullif({column}, 'NaN')"
    return column


def stage_select(alias=""):
    """The SELECT list that makes a stage row (``alias`` its table's, with a dot) the table's
    values for COLUMNS: NaN becomes NULL and a code its word."""
    return [_select(name, kind, alias) for name, kind in FIELDS]


def _codes(column, vocabulary):
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    try:
        places = np.array([vocabulary.index(word) for word in uniques], dtype=np.int16)
    except ValueError:
        raise ValueError(f"{column.name}: a value outside {vocabulary}") from None
    if (codes < 0).any():
        raise ValueError(f"{column.name}: a missing value")
    return places[codes]


def _days(column):
    """Days since 2000-01-01 (PostgreSQL's date) of dates, or of datetimes' own dates."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    if (codes < 0).any():
        raise ValueError(f"{column.name}: a missing date")
    days = [
        (v.date() if isinstance(v, datetime) else v).toordinal() - PG_EPOCH.toordinal()
        for v in uniques
    ]
    return np.array(days, dtype=np.int32)[codes]


def _floats(column):
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _millionths(value):
    """The value's shortest repr rounded to millionths as PostgreSQL rounds (half away from
    zero), as an integer: the slow path, for values ``_numerics`` cannot take exactly."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1) / SCALE, rounding=ROUND_HALF_UP)
    return int(rounded.scaleb(VALUE_PLACES))


def _digits(millionths):
    """Base-10000 digits, most significant first, of non-negative numbers of millionths
    (numpy int64, or Python ints for the slow path)."""
    whole, fraction = divmod(millionths, SCALE)
    fraction = fraction * 10 ** (4 * FRACTION_GROUPS - VALUE_PLACES)
    groups = [whole // 10 ** (4 * i) % 10**4 for i in reversed(range(INTEGER_GROUPS))]
    return groups + [fraction // 10 ** (4 * i) % 10**4 for i in reversed(range(FRACTION_GROUPS))]


def _numerics(column, out):
    """Fill ``out`` with the column's values as numeric(20, 6) in PostgreSQL's binary form
    (sign and digits; the rest is TEMPLATE's), NaN where a value is missing."""
    values = _floats(column)
    missing = np.isnan(values)
    with np.errstate(invalid="ignore", over="ignore"):
        millionths = np.rint(values * SCALE)
        exact = ~missing & (np.abs(values) < EXACT_BELOW) & (millionths / SCALE == values)
    millionths = np.where(exact, millionths, 0).astype(np.int64)
    out["sign"] = np.where(missing, NUMERIC_NAN, np.where(millionths < 0, NUMERIC_NEG, 0))
    out["digits"] = np.stack(_digits(np.abs(millionths)), axis=1)
    for at in np.flatnonzero(~exact & ~missing):
        units = _millionths(values[at])
        if abs(units) >= 10 ** (4 * INTEGER_GROUPS + VALUE_PLACES):
            raise ValueError(f"{column.name}: {values[at]!r} is too large for {NUMERIC_TYPE}")
        out["sign"][at] = NUMERIC_NEG if units < 0 else 0
        out["digits"][at] = _digits(abs(units))


def _template():
    """A row with what every row holds: the field count, the lengths, numerics' layout."""
    row = np.zeros(1, dtype=ROW)
    row["count"] = len(FIELDS)
    for name, kind in FIELDS:
        row[f"{name}_length"] = _KINDS[kind][0].itemsize
        if kind == "numeric":
            row[name]["ndigits"] = INTEGER_GROUPS + FRACTION_GROUPS
            row[name]["weight"] = INTEGER_GROUPS - 1
            row[name]["dscale"] = VALUE_PLACES
    return row


TEMPLATE = _template()


def encode(frame, computed_at, run):
    """The frame's rows, stamped with the run, as binary COPY rows (no header or trailer)."""
    row = TEMPLATE.copy()
    row["computed_at"] = (computed_at - PG_EPOCH_MOMENT) // timedelta(microseconds=1)
    row["run"] = np.frombuffer(run.bytes, dtype="V16")
    out = np.repeat(row, len(frame))
    for name, kind in FIELDS:
        if kind == "code":
            out[name] = _codes(frame[name], VOCABULARIES[name])
        elif kind == "date":
            out[name] = _days(frame[name])
        elif kind == "float8":
            out[name] = _floats(frame[name])
        elif kind == "numeric":
            _numerics(frame[name], out[name])
        elif kind not in ("timestamptz", "uuid"):  # the stamps are the template's
            out[name] = frame[name].to_numpy()
    return out.tobytes()
