"""Recompute snapshots, alerts, checkpoints and health for many KPIs at once.

One chunk of KPIs is one transaction with a fixed number of statements, whatever the number of
KPIs in it: the KPI rows are locked (so two recomputes of the same KPI run one after the other),
measurements and versions are read in one query each, the maths runs in pandas, and only the
snapshot rows whose values changed are written: each row carries a fingerprint of its computed
columns, rows with a new fingerprint are upserted and rows for periods no longer produced are
deleted, in one statement each. A nightly recompute with no new data reads everything and
writes nothing. Running it twice, or again after a crash, gives the same rows.
"""

import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import alerts, health, maths
from .models import Kpi, KpiVersion, Measurement, Snapshot

KPI_FIELDS = (
    "id",
    "partnership_id",
    "frequency",
    "aggregation",
    "created_at",
    "direction",
    "target",
    "warning",
    "critical",
    "baseline",
    "is_active",
)
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


@dataclass
class RecomputeResult:
    kpis: int = 0
    snapshots: int = 0  # rows written (new or changed)
    unchanged: int = 0  # rows computed again with the same values, left as they were
    partnerships: set = field(default_factory=set)
    # Partnerships where a KPI's latest status changed or a KPI is inactive: their health moves.
    health_changed: set = field(default_factory=set)
    events: list = field(default_factory=list)


def _float(value):
    return np.nan if value is None else float(value)


def _decimal(value):
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


def _kpi_frame(rows):
    frame = pd.DataFrame(
        {
            "kpi_id": [r["id"] for r in rows],
            "partnership_id": [r["partnership_id"] for r in rows],
            "frequency": [r["frequency"] for r in rows],
            "aggregation": [r["aggregation"] for r in rows],
            "start": [timezone.localtime(r["created_at"]).date() for r in rows],
            "direction": [r["direction"] for r in rows],
            "target": [_float(r["target"]) for r in rows],
            "warning": [_float(r["warning"]) for r in rows],
            "critical": [_float(r["critical"]) for r in rows],
            "baseline": [_float(r["baseline"]) for r in rows],
        }
    )
    return frame.astype({"kpi_id": np.int64, "partnership_id": np.int64})


VERSION_COLUMNS = [
    "kpi_id",
    "number",
    "effective_from",
    "direction",
    "target",
    "warning",
    "critical",
    "baseline",
]


def read_frame(sql, params, dtypes):
    """The rows of ``sql`` (PostgreSQL) as a DataFrame with these columns and dtypes.

    The server joins the rows into one tab-separated text and pandas' CSV parser (exact for
    floats since pandas 3) reads it: a million rows fetched as Python tuples, or through COPY
    (one Python call per row), cost two to five times as much.
    """
    names = [f"c{i}" for i in range(len(dtypes))]
    fields = ", ".join(f"coalesce({name}::text, '')" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(concat_ws(E'\\t', {fields}), E'\\n') "
            f"FROM ({sql}) AS rows ({', '.join(names)})",
            params,
        )
        text = cursor.fetchone()[0]
    if not text:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})
    return pd.read_csv(
        io.StringIO(text),
        sep="\t",
        header=None,
        names=list(dtypes),
        dtype=dtypes,
        na_values=[""],
        keep_default_na=False,
    )


MEASUREMENT_SQL = (
    "SELECT id, kpi_id, period - DATE '1970-01-01', grain, value::float8, "
    "extract(epoch FROM recorded_at)::float8 "
    "FROM kpis_measurement WHERE kpi_id = ANY(%s)"
)
# Periods come as day numbers and entry times as seconds: the maths needs nothing more.
MEASUREMENT_DTYPES = {
    "id": np.int64,
    "kpi_id": np.int64,
    "period": np.int64,
    "grain": object,
    "value": float,
    "recorded_at": float,
}


def _measurements_by_orm(kpi_ids):
    # The embedded SQLite default has no string_agg over a subquery of this shape; its
    # portfolios are small enough for model tuples.
    rows = Measurement.objects.filter(kpi_id__in=kpi_ids).values_list(
        "id", "kpi_id", "period", "grain", "value", "recorded_at"
    )
    frame = pd.DataFrame(
        [(i, k, p, g, float(v), r.timestamp()) for i, k, p, g, v, r in rows],
        columns=list(MEASUREMENT_DTYPES),
    )
    frame["period"] = maths.to_days(frame["period"]) if len(frame) else frame["period"]
    return frame.astype(MEASUREMENT_DTYPES)


# Versions are framed with these dtypes at once (an astype afterwards costs more than the read).
VERSION_DTYPES = {
    "kpi_id": np.int64,
    "number": np.int64,
    "target": float,
    "warning": float,
    "critical": float,
    "baseline": float,
}


def _version_column(values, dtype):
    if dtype is float:
        values = [_float(v) for v in values]
    return np.array(values, dtype=dtype)


def load_frames(kpi_ids):
    """(versions, measurements) frames for these KPIs: one query each."""
    versions = list(KpiVersion.objects.filter(kpi_id__in=kpi_ids).values_list(*VERSION_COLUMNS))
    columns = list(zip(*versions, strict=True)) or [()] * len(VERSION_COLUMNS)
    versions = pd.DataFrame(
        {
            name: _version_column(values, VERSION_DTYPES.get(name, object))
            for name, values in zip(VERSION_COLUMNS, columns, strict=True)
        }
    )
    if connection.vendor == "postgresql":
        measurements = read_frame(MEASUREMENT_SQL, [list(kpi_ids)], MEASUREMENT_DTYPES)
    else:
        measurements = _measurements_by_orm(kpi_ids)
    return versions, measurements


def fingerprints(frame):
    """A 64-bit hash of each row's computed columns (the same values give the same hash)."""
    combined = np.zeros(len(frame), dtype=np.uint64)
    for name in maths.SNAPSHOT_COLUMNS:
        values = frame[name].to_numpy()
        if values.dtype.kind in "iu":
            values = values.astype(np.int64)
        elif values.dtype.kind == "f":
            values = values.astype(float)
        elif values.dtype.kind != "b":
            values = values.astype(object)  # strings and dates, whatever pandas made of them
        # Wraps around modulo 2**64, as a hash may.
        combined = combined * np.uint64(1_000_003) ^ pd.util.hash_array(values)
    return combined.view(np.int64)


# Only what a run needs of the stored rows, as three texts (a usual night reads all 1.57 M):
# every row's fingerprint, the KPI and status of latest rows, and the id of rows whose period
# the computed frame no longer produces (before its first period or after its last; periods in
# between are always produced). One number per row is what the server spends its time on.
STORED_SQL = (
    "SELECT string_agg(s.fingerprint::text, E'\\n'), "
    "string_agg(s.kpi_id::text || E'\\t' || s.status, E'\\n') FILTER (WHERE s.is_latest), "
    "string_agg(s.id::text, ',') FILTER ("
    "WHERE r.kpi_id IS NULL OR s.period < r.first OR s.period > r.last) "
    f"FROM {Snapshot._meta.db_table} s "
    "LEFT JOIN unnest(%s::bigint[], %s::date[], %s::date[]) AS r (kpi_id, first, last) "
    "ON r.kpi_id = s.kpi_id "
    "WHERE s.kpi_id = ANY(%s)"
)


@dataclass
class StoredRows:
    """What a run needs of what is stored for some KPIs, read in one statement: their
    snapshots (for write_changes and latest_changes), open alerts and due checkpoints."""

    fingerprints: np.ndarray  # of every row that has one
    latest: dict  # {kpi_id: status} of the latest rows
    stale_ids: list  # rows for a period the computed frame no longer produces
    open_alerts: dict = field(default_factory=dict)  # as alerts.read_open_alerts gives
    due_checkpoints: list = field(default_factory=list)  # as alerts.read_due_checkpoints


def produced_ranges(frame):
    """{kpi_id: (first period, last period)} of a frame sorted by KPI and period."""
    if frame.empty:
        return {}
    kpis = frame["kpi_id"].to_numpy()
    starts = np.r_[True, kpis[1:] != kpis[:-1]]
    ends = np.r_[kpis[1:] != kpis[:-1], True]
    periods = frame["period"].to_numpy()
    return {
        int(k): (first, last)
        for k, first, last in zip(kpis[starts], periods[starts], periods[ends], strict=True)
    }


def stored_rows(kpi_ids, frame, *, today, inactive_ids=()):
    """StoredRows of these KPIs, against ``frame`` (sorted by KPI and period) for which rows
    are stale, with checkpoints due by ``today``; open alerts also of ``inactive_ids``."""
    ranges = produced_ranges(frame)
    alert_ids = [*kpi_ids, *inactive_ids]
    if connection.vendor == "postgresql":
        firsts = [first for first, _ in ranges.values()]
        lasts = [last for _, last in ranges.values()]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ({alerts.OPEN_ALERTS_TEXT_SQL}), ({alerts.DUE_CHECKPOINTS_TEXT_SQL}), "
                f"stored.* FROM ({STORED_SQL}) AS stored",
                [alert_ids, today, list(kpi_ids), list(ranges), firsts, lasts, list(kpi_ids)],
            )
            open_alerts, due, fingerprints, latest, stale = cursor.fetchone()
        prints = (
            pd.read_csv(io.StringIO(fingerprints), header=None, dtype=np.int64)[0].to_numpy()
            if fingerprints
            else np.array([], dtype=np.int64)
        )
        latest = dict(line.split("\t") for line in latest.split("\n")) if latest else {}
        return StoredRows(
            fingerprints=prints,
            latest={int(k): status for k, status in latest.items()},
            stale_ids=[int(pk) for pk in stale.split(",")] if stale else [],
            open_alerts=alerts.parse_open_alerts(open_alerts),
            due_checkpoints=alerts.parse_due_checkpoints(due),
        )
    rows = Snapshot.objects.filter(kpi_id__in=kpi_ids).values_list(
        "id", "kpi_id", "period", "fingerprint", "is_latest", "status"
    )
    out = StoredRows(
        fingerprints=[],
        latest={},
        stale_ids=[],
        open_alerts=alerts.read_open_alerts(alert_ids),
        due_checkpoints=alerts.read_due_checkpoints(kpi_ids, today),
    )
    for pk, kpi_id, period, fingerprint, is_latest, status in rows:
        if fingerprint is not None:
            out.fingerprints.append(fingerprint)
        if is_latest:
            out.latest[kpi_id] = status
        first, last = ranges.get(kpi_id, (None, None))
        if first is None or not first <= period <= last:
            out.stale_ids.append(pk)
    out.fingerprints = np.array(out.fingerprints, dtype=np.int64)
    return out


def latest_states(frame):
    """{kpi_id: {"status", "period", "value", "partnership_id"}} of the frame's latest rows."""
    if frame.empty:
        return {}
    columns = ["kpi_id", "status", "period", "value", "partnership_id"]
    return {
        int(row["kpi_id"]): {
            "status": row["status"],
            "period": row["period"],
            "value": _decimal(row["value"]),
            "partnership_id": int(row["partnership_id"]),
        }
        for row in _rows(frame.loc[frame["is_latest"].astype(bool), columns])
    }


def latest_changes(stored, latest):
    """KPI ids whose latest status differs between the stored rows and ``latest_states``."""
    before = stored.latest
    after = {kpi_id: state["status"] for kpi_id, state in latest.items()}
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def _rows(frame):
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
    "value": _decimal,
    "measurement_count": int,
    "known_since": _moment,
    "attainment": _none,
    "change": _none,
    "change_pct": _none,
    "trend_slope": _none,
    "rolling_avg": _decimal,
    "kpi_version": int,
    "target": _decimal,
    "warning": _decimal,
    "critical": _decimal,
    "fingerprint": int,
}


def _same(value):
    return value


def _snapshot_objects(frame, computed_at, run):
    columns = [*maths.SNAPSHOT_COLUMNS, "fingerprint"]
    return [
        Snapshot(
            **{name: _FIELD_VALUES.get(name, _same)(value) for name, value in row.items()},
            computed_at=computed_at,
            run=run,
        )
        for row in _rows(frame[columns])
    ]


# Above this many rows the upsert goes through COPY into a temporary table: building a model
# instance and binding ~25 parameters per row cost ~0.3 ms a row (3 minutes for 10,000 weekly
# KPIs over 3 years; 1.2 s for the 4,000 rows of 2,000 KPIs a week on). Below it, bulk_create's
# single statement is fewer queries.
COPY_THRESHOLD = 1000
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
    # repr of the float is what _decimal and _none send: numeric(20, 6) and float8 parse it alike.
    floats = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    return [_NULL if f != f else repr(f) for f in floats.tolist()]


def _text_ints(values):
    return [str(int(v)) for v in values]


def _text_bools(values):
    return ["t" if bool(v) else "f" for v in values]


def _text_strings(values):
    return [str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") for v in values]


_COPY_COLUMNS = [
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


def _upsert_by_copy(frame, computed_at, run):
    """The same upsert as bulk_create(update_conflicts=True) on (kpi, period), for many rows:
    COPY the rows into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE."""
    columns = [name for name, _ in _COPY_COLUMNS] + ["computed_at", "run"]
    table = Snapshot._meta.db_table
    updates = [Snapshot._meta.get_field(name).column for name in UPDATE_FIELDS]
    stamp = [computed_at.isoformat(), str(run)]
    selected = ["to_timestamp(known_since)" if c == "known_since" else c for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE _snapshot_upsert (LIKE {table}) ON COMMIT DROP; "
            "ALTER TABLE _snapshot_upsert DROP COLUMN id; "
            "ALTER TABLE _snapshot_upsert ALTER COLUMN known_since TYPE float8 USING NULL"
        )
        with cursor.copy(f"COPY _snapshot_upsert ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(frame), COPY_ROWS):
                part = frame.iloc[start : start + COPY_ROWS]
                texts = [convert(part[name].tolist()) for name, convert in _COPY_COLUMNS]
                copy.write(
                    "".join("\t".join((*row, *stamp)) + "\n" for row in zip(*texts, strict=True))
                )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM _snapshot_upsert "
            "ON CONFLICT (kpi_id, period) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in updates)
        )
        cursor.execute("DROP TABLE _snapshot_upsert")
    return len(frame)


def write_changes(frame, stored):
    """Make the stored snapshots of these KPIs equal to ``frame``, touching only what differs.

    Frame rows whose fingerprint is not stored (new or changed) are upserted by (KPI, period);
    stored rows for periods the frame no longer produces are deleted.
    """
    fresh = frame[~frame["fingerprint"].isin(stored.fingerprints)]
    if stored.stale_ids:
        Snapshot.objects.filter(pk__in=stored.stale_ids).delete()
    if fresh.empty:
        return 0
    run = uuid.uuid4()
    if len(fresh) >= COPY_THRESHOLD:
        return _upsert_by_copy(fresh, timezone.now(), run)
    objs = _snapshot_objects(fresh, timezone.now(), run)
    Snapshot.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["kpi", "period"], update_fields=UPDATE_FIELDS
    )
    return len(objs)


def recompute_chunk(kpi_ids, *, today=None, now=None, notify=True, result=None):
    """Recompute one set of KPIs in one transaction. Returns the RecomputeResult."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    result = result or RecomputeResult()
    with transaction.atomic():
        rows = list(
            Kpi.objects.select_for_update()
            .filter(pk__in=kpi_ids)
            .order_by("pk")
            .values(*KPI_FIELDS)
        )
        active = [r for r in rows if r["is_active"]]
        inactive_ids = [r["id"] for r in rows if not r["is_active"]]
        active_ids = [r["id"] for r in active]
        latest_by_kpi, stored = {}, None
        if active:
            versions, measurements = load_frames(active_ids)
            frame = maths.compute_snapshots(_kpi_frame(active), versions, measurements, today=today)
            # Sorted so that concurrent writers lock rows in the same order.
            frame = frame.sort_values(["kpi_id", "period"])
            frame["fingerprint"] = fingerprints(frame)
            stored = stored_rows(active_ids, frame, today=today, inactive_ids=inactive_ids)
            written = write_changes(frame, stored)
            result.snapshots += written
            result.unchanged += len(frame) - written
            latest_by_kpi = latest_states(frame)
            changed = latest_changes(stored, latest_by_kpi)
            result.health_changed.update(r["partnership_id"] for r in active if r["id"] in changed)
        result.health_changed.update(r["partnership_id"] for r in rows if not r["is_active"])
        result.events += alerts.evaluate(
            active_ids=active_ids,
            inactive_ids=inactive_ids,
            latest=latest_by_kpi,
            now=now,
            notify=notify,
            open_alerts=stored.open_alerts if stored else None,
        )
        alerts.record_due_checkpoints(
            kpi_ids=active_ids,
            latest=latest_by_kpi,
            today=today,
            now=now,
            due=stored.due_checkpoints if stored else None,
        )
        result.kpis += len(rows)
        result.partnerships.update(r["partnership_id"] for r in rows)
    return result


def chunk_size():
    return getattr(settings, "KPI_SNAPSHOT_CHUNK", 2000)


def recompute(kpi_ids=None, *, partnership_ids=None, today=None, now=None, notify=True):
    """Recompute the given KPIs (or every KPI, or those of some partnerships), then health.

    Health is scored again for every partnership in scope, or, when KPIs are named, only for
    those where a KPI's latest status changed or a KPI is inactive.
    """
    today = today or timezone.localdate()
    explicit_kpis = kpi_ids is not None
    if kpi_ids is None:
        queryset = Kpi.objects.all()
        if partnership_ids is not None:
            queryset = queryset.filter(partnership_id__in=partnership_ids)
        kpi_ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    kpi_ids = sorted(set(kpi_ids))
    result = RecomputeResult()
    size = chunk_size()
    for start in range(0, len(kpi_ids), size):
        recompute_chunk(
            kpi_ids[start : start + size], today=today, now=now, notify=notify, result=result
        )
    if explicit_kpis:
        # Only KPI statuses feed health from here; the other inputs have not moved.
        affected = set(result.health_changed)
    else:
        affected = set(result.partnerships) | set(partnership_ids or [])
    if affected:
        health.compute_health(sorted(affected), today=today, now=now)
    return result


def as_of(day):
    """A moment inside ``day`` in the configured time zone (for replays and backfills)."""
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time(6, 0)))


def backfill_dates(months, today=None):
    """The first day of each of the last ``months`` months, oldest first (for replays)."""
    today = today or timezone.localdate()
    out = []
    first = today.replace(day=1)
    for back in range(months, 0, -1):
        month = first.month - 1 - back
        out.append(date(first.year + month // 12, month % 12 + 1, 1))
    return out
