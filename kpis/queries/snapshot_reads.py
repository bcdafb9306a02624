"""What a recompute reads: measurements as a frame, and what is stored for its KPIs.

Both adapters have the server join rows into one value: a million rows fetched as Python tuples,
or through COPY (one Python call per row), cost two to five times as much. The measurements come
as fixed-width binary numbers that numpy reads as they are (a text for pandas' CSV parser cost
the server twice as long to write), the stored rows as tab-separated text. Each has its ORM
reference.
"""

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import connection

from .. import maths
from ..models import Alert, Checkpoint, CorrectiveAction, Measurement, Snapshot
from .names import Names

# Periods come as day numbers and entry times as seconds: the maths needs nothing more.
MEASUREMENT_DTYPES = {
    "id": np.int64,
    "kpi_id": np.int64,
    "period": np.int64,
    "grain": object,
    "value": float,
    "recorded_at": float,
}
# Each row's numbers as fixed-width big-endian bytes, the rows one bytea; the grains as lines.
MEASUREMENT_WIRE = np.dtype(
    [("id", ">i8"), ("kpi_id", ">i8"), ("period", ">i4"), ("value", ">f8"), ("recorded_at", ">f8")]
)
_m = Names(Measurement)
# date_part gives the seconds as a float8 (the microseconds divided by 10**6, rounded once):
# the float that extract's exact numeric, cast, gives, at half the cost.
MEASUREMENT_SQL = (
    f"SELECT string_agg(int8send({_m.id}) || int8send({_m.kpi}) "
    f"|| int4send({_m.period} - DATE '1970-01-01') || float8send({_m.value}::float8) "
    f"|| float8send(date_part('epoch', {_m.recorded_at})), ''::bytea), "
    f"string_agg({_m.grain}, E'\\n') FROM {_m.table} WHERE {_m.kpi} = ANY(%s)"
)


def measurements(kpi_ids):
    """The measurements of these KPIs as a frame of MEASUREMENT_DTYPES."""
    with connection.cursor() as cursor:
        cursor.execute(MEASUREMENT_SQL, [list(kpi_ids)])
        numbers, grains = cursor.fetchone()
    rows = np.frombuffer(numbers or b"", dtype=MEASUREMENT_WIRE)
    columns = {name: rows[name] for name in MEASUREMENT_WIRE.names}
    columns["grain"] = np.array(grains.split("\n") if grains else [], dtype=object)
    if len(columns["grain"]) != len(rows):
        raise ValueError("a grain with a line break")
    return pd.DataFrame(
        {name: pd.Series(columns[name], dtype=dtype) for name, dtype in MEASUREMENT_DTYPES.items()}
    )


def measurements_reference(kpi_ids):
    """What ``measurements`` gives, from model tuples."""
    rows = Measurement.objects.filter(kpi_id__in=kpi_ids).values_list(
        "id", "kpi_id", "period", "grain", "value", "recorded_at"
    )
    frame = pd.DataFrame(
        [(i, k, p, g, float(v), r.timestamp()) for i, k, p, g, v, r in rows],
        columns=list(MEASUREMENT_DTYPES),
    )
    frame["period"] = maths.to_days(frame["period"]) if len(frame) else frame["period"]
    return frame.astype(MEASUREMENT_DTYPES)


@dataclass
class StoredRows:
    """What a run needs of what is stored for some KPIs: their snapshots (for the writes and
    the latest statuses), open alerts and due checkpoints."""

    fingerprints: np.ndarray  # of every row that has one
    latest: dict  # {kpi_id: status} of the latest rows
    stale_ids: list  # rows for a period the computed frame no longer produces
    open_alerts: dict = field(default_factory=dict)  # {kpi_id: {"id", "kpi_id", "severity"}}
    due_checkpoints: list = field(default_factory=list)  # [(checkpoint id, KPI id)]


def _texts_sql():
    s, a = Names(Snapshot), Names(Alert)
    c, ca = Names(Checkpoint), Names(CorrectiveAction)
    # "alert id<TAB>KPI id<TAB>severity" lines.
    open_alerts = (
        f"SELECT string_agg({a.id}::text || E'\\t' || {a.kpi}::text || E'\\t' || {a.severity}, "
        f"E'\\n') FROM {a.table} WHERE {a.kpi} = ANY(%(alert_kpis)s) AND {a.resolved_at} IS NULL"
    )
    # "checkpoint id<TAB>KPI id" lines.
    due = (
        f"SELECT string_agg(c.{c.id}::text || E'\\t' || a.{ca.kpi}::text, E'\\n') "
        f"FROM {c.table} c JOIN {ca.table} a ON a.{ca.id} = c.{c.action} "
        f"WHERE c.{c.recorded_at} IS NULL AND c.{c.due_on} <= %(today)s "
        f"AND a.{ca.kpi} = ANY(%(kpi_ids)s)"
    )
    # Every row's fingerprint, the KPI and status of latest rows, and the id of rows whose
    # period the computed frame no longer produces (before its first period or after its last;
    # periods in between are always produced). One number per row is what the server spends
    # its time on.
    stored = (
        f"SELECT string_agg(s.{s.fingerprint}::text, E'\\n'), "
        f"string_agg(s.{s.kpi}::text || E'\\t' || s.{s.status}, E'\\n') "
        f"FILTER (WHERE s.{s.is_latest}), "
        f"string_agg(s.{s.id}::text, ',') FILTER ("
        f"WHERE r.kpi_id IS NULL OR s.{s.period} < r.first OR s.{s.period} > r.last) "
        f"FROM {s.table} s "
        "LEFT JOIN unnest(%(range_kpis)s::bigint[], %(firsts)s::date[], %(lasts)s::date[]) "
        f"AS r (kpi_id, first, last) ON r.kpi_id = s.{s.kpi} "
        f"WHERE s.{s.kpi} = ANY(%(kpi_ids)s)"
    )
    return f"SELECT ({open_alerts}), ({due}), stored.* FROM ({stored}) AS stored"


STORED_SQL = _texts_sql()


def stored_rows(kpi_ids, ranges, *, today, inactive_ids=()):
    """StoredRows of these KPIs in one statement. ``ranges`` is {kpi_id: (first, last)} of the
    periods the computed frame produces; rows outside are stale. Checkpoints due by ``today``;
    open alerts also of ``inactive_ids``."""
    with connection.cursor() as cursor:
        cursor.execute(
            STORED_SQL,
            {
                "alert_kpis": [*kpi_ids, *inactive_ids],
                "today": today,
                "kpi_ids": list(kpi_ids),
                "range_kpis": list(ranges),
                "firsts": [first for first, _ in ranges.values()],
                "lasts": [last for _, last in ranges.values()],
            },
        )
        open_alerts, due, prints, latest, stale = cursor.fetchone()
    return StoredRows(
        fingerprints=pd.read_csv(io.StringIO(prints), header=None, dtype=np.int64)[0].to_numpy()
        if prints
        else np.array([], dtype=np.int64),
        latest={int(k): v for k, v in (line.split("\t") for line in (latest or "").splitlines())},
        stale_ids=[int(pk) for pk in stale.split(",")] if stale else [],
        open_alerts=_parse_open_alerts(open_alerts),
        due_checkpoints=[tuple(map(int, line.split("\t"))) for line in (due or "").splitlines()],
    )


def _parse_open_alerts(text):
    out = {}
    for line in (text or "").splitlines():
        pk, kpi_id, severity = line.split("\t")
        out[int(kpi_id)] = {"id": int(pk), "kpi_id": int(kpi_id), "severity": severity}
    return out


def open_alerts_reference(kpi_ids):
    """{kpi_id: {"id", "kpi_id", "severity"}} of the open alerts of these KPIs."""
    return {
        a["kpi_id"]: a
        for a in Alert.objects.filter(kpi_id__in=kpi_ids, resolved_at__isnull=True).values(
            "id", "kpi_id", "severity"
        )
    }


def due_checkpoints_reference(kpi_ids, today):
    """[(checkpoint id, KPI id)] of the unrecorded checkpoints of these KPIs due by ``today``."""
    return list(
        Checkpoint.objects.filter(
            recorded_at__isnull=True, due_on__lte=today, action__kpi_id__in=kpi_ids
        ).values_list("pk", "action__kpi_id")
    )


def stored_rows_reference(kpi_ids, ranges, *, today, inactive_ids=()):
    """What ``stored_rows`` gives, from model tuples (four queries)."""
    rows = Snapshot.objects.filter(kpi_id__in=kpi_ids).values_list(
        "id", "kpi_id", "period", "fingerprint", "is_latest", "status"
    )
    out = StoredRows(
        fingerprints=[],
        latest={},
        stale_ids=[],
        open_alerts=open_alerts_reference([*kpi_ids, *inactive_ids]),
        due_checkpoints=due_checkpoints_reference(kpi_ids, today),
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
