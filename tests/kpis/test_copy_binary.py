"""Binary COPY of snapshot rows stages what the text COPY stages and writes what bulk_create
writes, numeric values rounded as PostgreSQL rounds their shortest repr, however large or
unrounded."""

import random
import uuid
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction
from django.utils import timezone

from kpis import maths, snapshots
from kpis.models import Kpi, Snapshot
from kpis.queries import copy_binary, copy_text, snapshot_writes

from .conftest import make_kpi, measure, months

TODAY = date(2024, 6, 2)
EDGE_NUMBERS = [
    np.nan,
    -0.0,
    0.0,
    1e-7,
    -1e-7,
    5e-7,
    -5e-7,
    1.5e-6,
    0.1234565,
    -0.1234565,
    2 / 3,
    123456.789012,
    -3768.12,
    2.0**30 - 0.5,
    2.0**30,
    -(2.0**30) - 1.25,
    123456789012.345678,
    99999999999999.99,
    -12345678901234.5,
]


def numerics_reference(values):
    """(sign, digits) of each value, a value at a time through its repr (None when missing)."""
    out = []
    for value in values:
        if value != value:
            out.append(None)
            continue
        units = copy_binary._millionths(value)
        sign = copy_binary.NUMERIC_NEG if units < 0 else 0
        out.append((sign, copy_binary._digits(abs(units))))
    return out


def numerics_fast(values):
    wire = np.repeat(copy_binary.TEMPLATE, len(values))["value"]
    copy_binary._numerics(pd.Series(values, name="value", dtype=float), wire)
    return [
        None if sign == copy_binary.NUMERIC_NAN else (int(sign), [int(d) for d in digits])
        for sign, digits in zip(wire["sign"], wire["digits"], strict=True)
    ]


def test_numerics_equal_the_value_at_a_time_rounding():
    rng = random.Random(7)
    values = list(EDGE_NUMBERS)
    for _ in range(20_000):
        magnitude = 10 ** rng.uniform(-8, 13.5)
        value = rng.choice([-1, 1]) * magnitude
        values.append(round(value, rng.choice([2, 6, 6, 9])) if rng.random() < 0.8 else value)
    assert numerics_fast(values) == numerics_reference(values)


def test_a_number_too_large_for_the_column_is_refused():
    with pytest.raises(ValueError, match="too large"):
        wire = np.repeat(copy_binary.TEMPLATE, 1)["value"]
        copy_binary._numerics(pd.Series([1e17], name="value"), wire)
    with pytest.raises(ValueError, match="outside"):
        copy_binary._codes(pd.Series(["sideways"], name="trend"), maths.TRENDS)


def _frame():
    rows = list(Kpi.objects.order_by("pk").values(*snapshots.KPI_FIELDS))
    versions, measurements = snapshots.load_frames([r["id"] for r in rows])
    frame = maths.compute_snapshots(
        snapshots._kpi_frame(rows), versions, measurements, today=TODAY
    ).sort_values(["kpi_id", "period"])
    # Edge values in every kind of column, and dates given as (naive) datetimes.
    n = len(frame)
    numbers = (EDGE_NUMBERS * (n // len(EDGE_NUMBERS) + 1))[:n]
    for name in ("value", "rolling_avg", "attainment", "change_pct"):
        frame[name] = numbers
        numbers = numbers[1:] + numbers[:1]
    frame["known_since"] = 1.7e9 + np.array(numbers) % 1e8
    frame["target"] = pd.Series([Decimal("41443.190000")] * n, dtype=object, index=frame.index)
    frame["period_end"] = [datetime(d.year, d.month, d.day, 23) for d in frame["period_end"]]
    frame["fingerprint"] = snapshots.fingerprints(frame)
    return frame


def _stored():
    leave_out = ("id",)
    columns = [f.column for f in Snapshot._meta.concrete_fields if f.name not in leave_out]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {Snapshot._meta.db_table} ORDER BY kpi_id, period"
        )
        return cursor.fetchall()


@pytest.mark.django_db
def test_binary_copy_writes_what_bulk_create_writes(partnership):
    lower = {"direction": "lower", "warning": Decimal("110"), "critical": Decimal("120")}
    for frequency, fields in (("weekly", {}), ("monthly", lower), ("quarterly", {})):
        kpi = make_kpi(partnership, frequency=frequency, **fields)
        for day, value in months(2024, 1, [100, 85.25, 70, 95, 0]):
            measure(kpi, day, value)
    frame = _frame()
    run, moment = uuid.uuid4(), timezone.now()

    def write(upsert):
        with transaction.atomic():
            Snapshot.objects.all().delete()
            upsert(frame, moment, run)
            out = _stored()
            transaction.set_rollback(True)
        return out

    binary = write(snapshot_writes.upsert_by_copy)
    assert len(binary) == len(frame) > 20
    assert binary == write(snapshot_writes.upsert_reference)


def _staged(frame, moment, run, *, binary):
    """The stage's rows as the table's values, staged by binary or by text COPY."""
    with transaction.atomic(), connection.cursor() as cursor:
        if binary:
            snapshot_writes.create_stage(cursor, "_staged")
            snapshot_writes.copy_into(cursor, "_staged", frame, moment, run)
            selected = copy_binary.stage_select()
        else:
            # The stage as the text COPY had it: the table's columns, seconds for known_since.
            cursor.execute(
                "CREATE TEMPORARY TABLE _staged (LIKE kpis_snapshot); "
                "ALTER TABLE _staged DROP COLUMN id; "
                "ALTER TABLE _staged ALTER COLUMN known_since TYPE float8 USING NULL"
            )
            columns = [*copy_binary.COLUMNS]
            text = copy_text.copy_text_reference(frame, [moment.isoformat(), str(run)])
            with cursor.copy(f"COPY _staged ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(text)
            selected = ["to_timestamp(known_since)" if c == "known_since" else c for c in columns]
        cursor.execute(f"SELECT {', '.join(selected)} FROM _staged ORDER BY kpi_id, period")
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_binary_copy_stages_what_the_text_copy_stages(partnership):
    kpi = make_kpi(partnership, frequency="weekly")
    for day, value in months(2024, 1, [100, 85.25, 70, 95, 0]):
        measure(kpi, day, value)
    frame = _frame()
    run, moment = uuid.uuid4(), timezone.now()
    binary = _staged(frame, moment, run, binary=True)
    assert len(binary) == len(frame) > 20
    assert binary == _staged(frame, moment, run, binary=False)
