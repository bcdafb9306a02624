"""Writing a confirmed plan: revisions of the replaced values, then the measurements.

Two writers make the same rows: ``write_reference`` through the ORM, and ``write_by_copy``,
which sends new rows by COPY straight into the table and corrections through a temporary table
(see docs/decisions/import-copy-write.md). Building a model instance and binding six parameters a
row took ~60 µs a row, most of a 100,000-row import.
"""

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from ..models import Measurement, MeasurementRevision, Source

WRITE_CHUNK = 5000
# Below this many rows the ORM's two statements are fewer than the COPY path's six.
COPY_THRESHOLD = 1000


def write(plan, *, user, batch, now=None, progress=None, source=Source.IMPORT):
    """Write the plan's creates and corrections, in the transaction where ``check`` made the plan
    with ``for_update``. Returns (created, corrected)."""
    todo = plan[plan["outcome"] != "unchanged"]
    writer = write_by_copy if len(todo) >= COPY_THRESHOLD else write_reference
    writer(
        todo,
        user=user,
        batch=batch,
        now=now or timezone.now(),
        progress=progress or (lambda pct: None),
        source=source,
    )
    return int((todo["outcome"] == "create").sum()), int((todo["outcome"] == "correct").sum())


def write_reference(todo, *, user, batch, now, progress, source):
    corrections = todo[todo["outcome"] == "correct"]
    MeasurementRevision.objects.bulk_create(
        [
            MeasurementRevision(
                measurement_id=int(r.measurement_id),
                value=r.old_value,
                note=r.old_note or "",
                source=r.old_source,
                recorded_by_id=None if pd.isna(r.old_by) else int(r.old_by),
                recorded_at=r.old_at,
                replaced_by=user,
                replaced_at=now,
                replaced_via=source,
            )
            for r in corrections.itertuples(index=False)
        ],
        batch_size=WRITE_CHUNK,
    )
    total = max(len(todo), 1)
    for start in range(0, len(todo), WRITE_CHUNK):
        chunk = todo.iloc[start : start + WRITE_CHUNK]
        Measurement.objects.bulk_create(
            [
                Measurement(
                    kpi_id=int(r.kpi_id),
                    period=r.period,
                    grain=r.grain,
                    value=Decimal(r.exact),
                    note=r.note,
                    source=source,
                    recorded_by=user,
                    recorded_at=now,
                    import_batch=batch,
                )
                for r in chunk.itertuples(index=False)
            ],
            update_conflicts=True,
            unique_fields=["kpi", "grain", "period"],
            update_fields=["value", "note", "source", "recorded_by", "recorded_at", "import_batch"],
        )
        progress(min(99, 50 + int(50 * (start + len(chunk)) / total)))


COPY_ROWS = 20_000


def _copy_text(value):
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _per_distinct(values, as_text):
    """``as_text`` of each value, worked out once a distinct value: an import's periods, notes
    and values repeat (ten weeks, one note and 90 numbers for 100,000 rows)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.array([as_text(u) for u in uniques], dtype=object).take(codes)


def _lines(todo, suffix=""):
    """The rows as COPY text, in the unique index's order (KPI, grain, period: a KPI has one
    grain in a plan): KPI, grain, period, value, note, then ``suffix`` (the columns all rows
    share) and a new line. Each value is the text the ORM would send for it (the server rounds
    it to the column's places alike)."""
    kpi = todo["kpi_id"].to_numpy(dtype=np.int64)
    order = np.lexsort((_per_distinct(todo["period"], date.toordinal).astype(np.int64), kpi))
    columns = zip(
        kpi[order].tolist(),
        todo["grain"].to_numpy(dtype=object)[order].tolist(),
        _per_distinct(todo["period"], date.isoformat)[order].tolist(),
        _per_distinct(todo["exact"], lambda x: str(Decimal(x)))[order].tolist(),
        _per_distinct(todo["note"], _copy_text)[order].tolist(),
        strict=True,
    )
    return [f"{k}\t{g}\t{p}\t{v}\t{n}{suffix}\n" for k, g, p, v, n in columns]


def _column(model, name):
    return model._meta.get_field(name).column


def _copy(cursor, table, columns, lines, progress=None):
    """COPY the lines in parts: progress is written between them, on a connection of its own.
    A failure raises Django's error, as a statement's would."""
    for start in range(0, len(lines), COPY_ROWS):
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.wrap_database_errors, cursor.copy(statement) as copy:
            copy.write("".join(lines[start : start + COPY_ROWS]))
        if progress:
            progress(start + COPY_ROWS)


def write_by_copy(todo, *, user, batch, now, progress, source):
    """What ``write_reference`` writes, for many rows. Call it in the transaction where
    ``check`` made the plan under lock (``for_update``): its KPIs and stored rows are held.

    Corrections go through a temporary table: the values they replace into revisions, then one
    update. New rows go by COPY straight into the measurements, in the unique index's order
    (KPI, period), a third faster than the file's; their ids follow that order. No one else can
    store one of them meanwhile: storing a measurement locks its KPI (``measurement_record``
    does, and so does the foreign key's check at commit), and the check holds the KPIs for
    update. Were one stored all the same, the COPY would fail on the unique index, and the
    import with it: nothing is overwritten unseen.
    """
    total = max(len(todo), 1)
    creates = todo[(todo["outcome"] == "create").to_numpy()]
    corrections = todo[(todo["outcome"] == "correct").to_numpy()]
    with connection.cursor() as cursor:
        if len(corrections):
            _correct(cursor, corrections, user=user, batch=batch, now=now, source=source)
        by = "\\N" if user is None else str(user.pk)
        batch_id = "\\N" if batch is None else str(batch.pk)
        columns = [
            _column(Measurement, name)
            for name in ("kpi", "grain", "period", "value", "note", "source")
            + ("recorded_by", "recorded_at", "import_batch")
        ]
        lines = _lines(creates, f"\t{_copy_text(source)}\t{by}\t{now.isoformat()}\t{batch_id}")
        _copy(
            cursor,
            Measurement._meta.db_table,
            columns,
            lines,
            lambda done: progress(min(90, 50 + int(40 * (len(corrections) + done) / total))),
        )
    progress(99)


def _correct(cursor, corrections, *, user, batch, now, source):
    """The stored rows the plan corrects (``check`` locked them): their values into revisions,
    then the plan's values over them."""
    m, r = Measurement._meta.db_table, MeasurementRevision._meta.db_table
    mc = {name: _column(Measurement, name) for name in ("recorded_by", "import_batch", "kpi")}
    cursor.execute(
        "CREATE TEMPORARY TABLE _import_rows (kpi_id bigint, grain text, "
        "period date, value numeric, note text) ON COMMIT DROP"
    )
    _copy(
        cursor, "_import_rows", ["kpi_id", "grain", "period", "value", "note"], _lines(corrections)
    )
    cursor.execute(
        f"INSERT INTO {r} ({_column(MeasurementRevision, 'measurement')}, value, note, "
        f"source, {_column(MeasurementRevision, 'recorded_by')}, recorded_at, "
        f"{_column(MeasurementRevision, 'replaced_by')}, replaced_at, replaced_via) "
        f"SELECT m.id, m.value, m.note, m.source, m.{mc['recorded_by']}, m.recorded_at, "
        f"%s, %s, %s FROM _import_rows i JOIN {m} m ON m.{mc['kpi']} = i.kpi_id "
        "AND m.grain = i.grain AND m.period = i.period ORDER BY i.kpi_id, i.grain, i.period",
        [user.pk if user else None, now, source],
    )
    cursor.execute(
        f"UPDATE {m} m SET value = i.value, note = i.note, source = %s, "
        f"{mc['recorded_by']} = %s, recorded_at = %s, {mc['import_batch']} = %s "
        f"FROM _import_rows i WHERE m.{mc['kpi']} = i.kpi_id AND m.grain = i.grain "
        "AND m.period = i.period",
        [source, user.pk if user else None, now, batch.pk if batch else None],
    )
    cursor.execute("DROP TABLE _import_rows")
