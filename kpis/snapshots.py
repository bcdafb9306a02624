"""Recompute snapshots, alerts, checkpoints and health for many KPIs at once.

One chunk of KPIs is one transaction with a fixed number of statements, whatever the number of
KPIs in it: the KPI rows are locked (so two recomputes of the same KPI run one after the other),
measurements and versions are read in one query each, the maths runs in pandas, and only the
snapshot rows whose values changed are written: each row carries a fingerprint of its computed
columns, rows with a new fingerprint are upserted and rows for periods no longer produced are
deleted, in one statement each. A nightly recompute with no new data reads everything and
writes nothing. Running it twice, or again after a crash, gives the same rows.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import alerts, health, maths
from .models import Kpi, KpiVersion, Snapshot
from .queries import snapshot_bulk, snapshot_reads, snapshot_writes
from .queries.snapshot_writes import decimal_or_none, rows_of

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
    return versions, snapshot_reads.measurements(kpi_ids)


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
    return snapshot_reads.stored_rows(
        kpi_ids, produced_ranges(frame), today=today, inactive_ids=inactive_ids
    )


def latest_states(frame):
    """{kpi_id: {"status", "period", "value", "partnership_id"}} of the frame's latest rows."""
    if frame.empty:
        return {}
    columns = ["kpi_id", "status", "period", "value", "partnership_id"]
    return {
        int(row["kpi_id"]): {
            "status": row["status"],
            "period": row["period"],
            "value": decimal_or_none(row["value"]),
            "partnership_id": int(row["partnership_id"]),
        }
        for row in rows_of(frame.loc[frame["is_latest"].astype(bool), columns])
    }


def latest_changes(stored, latest):
    """KPI ids whose latest status differs between the stored rows and ``latest_states``."""
    before = stored.latest
    after = {kpi_id: state["status"] for kpi_id, state in latest.items()}
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


# Above this many rows the upsert goes through COPY (docs/decisions/sql-snapshot-copy-upsert.md):
# for the 4,000 rows of 2,000 KPIs a week on, bulk_create takes over a second. Below it,
# bulk_create's single statement is fewer queries.
COPY_THRESHOLD = 1000


def write_changes(frame, stored, run_writes=None):
    """Make the stored snapshots of these KPIs equal to ``frame``, touching only what differs.

    Frame rows whose fingerprint is not stored (new or changed) are upserted by (KPI, period),
    or handed to ``run_writes`` (a full recompute's snapshot_bulk.RunWrites) when given;
    stored rows for periods the frame no longer produces are deleted.
    """
    fresh = frame[~frame["fingerprint"].isin(stored.fingerprints)]
    if stored.stale_ids:
        Snapshot.objects.filter(pk__in=stored.stale_ids).delete()
    if fresh.empty:
        return 0
    if run_writes is not None:
        return run_writes.write(fresh, timezone.now(), uuid.uuid4())
    upsert = (
        snapshot_writes.upsert_by_copy
        if len(fresh) >= COPY_THRESHOLD
        else snapshot_writes.upsert_reference
    )
    return upsert(fresh, timezone.now(), uuid.uuid4())


def _write_snapshots(active, inactive_ids, *, today, result, run_writes=None):
    """Compute the active KPIs' snapshots and write what changed. Returns (latest states,
    StoredRows)."""
    active_ids = [r["id"] for r in active]
    versions, measurements = load_frames(active_ids)
    frame = maths.compute_snapshots(_kpi_frame(active), versions, measurements, today=today)
    # Sorted so that concurrent writers lock rows in the same order.
    frame = frame.sort_values(["kpi_id", "period"])
    frame["fingerprint"] = fingerprints(frame)
    stored = stored_rows(active_ids, frame, today=today, inactive_ids=inactive_ids)
    written = write_changes(frame, stored, run_writes)
    result.snapshots += written
    result.unchanged += len(frame) - written
    latest_by_kpi = latest_states(frame)
    changed = latest_changes(stored, latest_by_kpi)
    result.health_changed.update(r["partnership_id"] for r in active if r["id"] in changed)
    return latest_by_kpi, stored


def recompute_chunk(kpi_ids, *, today=None, now=None, notify=True, result=None, run_writes=None):
    """Recompute one set of KPIs in one transaction (alert emails included: they are written
    to the outbox in it, see alerts.evaluate). Returns the RecomputeResult. With ``run_writes``
    its snapshot rows wait in the run's stage until ``run_writes.finish()``."""
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
            latest_by_kpi, stored = _write_snapshots(
                active, inactive_ids, today=today, result=result, run_writes=run_writes
            )
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


def _recompute_chunks(kpi_ids, *, run_writes=None, **options):
    size = chunk_size()
    for start in range(0, len(kpi_ids), size):
        recompute_chunk(kpi_ids[start : start + size], run_writes=run_writes, **options)


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
    if explicit_kpis:
        _recompute_chunks(kpi_ids, today=today, now=now, notify=notify, result=result)
    else:
        # A full recompute is all or nothing, and its rows are written at once at the end
        # (snapshot_bulk: a cold run rebuilds instead of upserting 1.57 million rows).
        with transaction.atomic():
            run_writes = snapshot_bulk.RunWrites()
            _recompute_chunks(
                kpi_ids, today=today, now=now, notify=notify, result=result, run_writes=run_writes
            )
            run_writes.finish()
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
