"""The import's fast paths against their plain references: the COPY writer writes what the ORM
writer writes (rows, revisions, audit events), and parsing a column's distinct cells reads what
parsing every cell reads."""

from datetime import date, datetime

import pandas as pd
import pytest
from django.db import transaction
from django.utils import timezone

from audit import queries
from kpis.imports import check, read_table, writing
from kpis.imports.distinct import over_distinct
from kpis.imports.period_cells import parse_periods
from kpis.models import Measurement, MeasurementImport, MeasurementRevision
from kpis.numbers import parse_text

from .conftest import make_kpi, measure

TODAY = date(2024, 6, 15)
NOW = timezone.make_aware(datetime(2024, 6, 15, 9, 30))

NOTES = ["", "plain", "tab\there", "new\nline", "back\\slash \\N", "quote \"'", "é ünïcode ✓"]
VALUES = ["12", "1.0000005", "-3.25", "1e-07", "2,5", "99999999.123456789", "0", "1 234,5"]


def _csv(kpis, weeks):
    lines = ["kpi_id,period,value,note"]
    for n, (kpi, week) in enumerate((k, w) for w in range(1, weeks + 1) for k in kpis):
        note = NOTES[n % len(NOTES)].replace('"', '""')
        value = VALUES[n % len(VALUES)]
        lines.append(f'{kpi.pk},{date.fromisocalendar(2024, week, 1)},"{value}","{note}"')
    return ("\n".join(lines) + "\n").encode()


def _state():
    measurements = sorted(
        Measurement.objects.values_list(
            "kpi_id",
            "grain",
            "period",
            "value",
            "note",
            "source",
            "recorded_by_id",
            "recorded_at",
            "import_batch_id",
        )
    )
    revisions = sorted(
        MeasurementRevision.objects.values_list(
            "measurement__kpi_id",
            "measurement__period",
            "value",
            "note",
            "source",
            "recorded_by_id",
            "recorded_at",
            "replaced_by_id",
            "replaced_at",
            "replaced_via",
        )
    )
    events = sorted(
        (e.pgh_label, e.pgh_data["kpi_id"], e.pgh_data["period"], e.pgh_data["note"])
        for e in queries.events(models=["kpis.Measurement"])
    )
    return measurements, revisions, events


@pytest.fixture
def planned(partnership, manager):
    """A checked plan over three weekly KPIs: stored values corrected, kept and created."""
    kpis = [
        make_kpi(partnership, frequency="weekly", unit="currency", name=f"W{n}") for n in range(3)
    ]
    for kpi in kpis[:2]:
        measure(kpi, date.fromisocalendar(2024, 1, 1), 7, note="old", recorded_by=manager)
        measure(kpi, date.fromisocalendar(2024, 2, 1), 1.0000005)
    frame = read_table(_csv(kpis, 8), "m.csv")
    batch = MeasurementImport.objects.create(uploaded_by=manager, original_name="m.csv")
    return frame, batch


def _write(writer, frame, manager, batch):
    """What ``writer`` leaves in the database, rolled back after."""
    with transaction.atomic():
        result = check(frame, manager, today=TODAY, for_update=True)
        assert not result.errors, result.errors[:3]
        todo = result.plan[result.plan["outcome"] != "unchanged"]
        assert set(todo["outcome"]) == {"create", "correct"}
        writer(todo, user=manager, batch=batch, now=NOW, progress=lambda pct: None, source="import")
        state = _state()
        transaction.set_rollback(True)
    return state


def test_the_copy_writer_writes_what_the_reference_writes(planned, manager):
    frame, batch = planned
    fast = _write(writing.write_by_copy, frame, manager, batch)
    plain = _write(writing.write_reference, frame, manager, batch)
    assert fast == plain
    measurements, revisions, events = fast
    assert len(measurements) == 24 and len(revisions) == 4
    assert {e[0] for e in events} == {"insert", "update"}
    notes = {m[4] for m in measurements}
    assert "tab\there" in notes and "back\\slash \\N" in notes and "new\nline" in notes


def test_write_takes_the_copy_path_for_many_rows(planned, manager, monkeypatch):
    frame, batch = planned
    taken = []
    monkeypatch.setattr(writing, "COPY_THRESHOLD", 10)
    for name in ("write_by_copy", "write_reference"):
        real = getattr(writing, name)
        monkeypatch.setattr(
            writing, name, lambda todo, _real=real, _name=name, **kw: taken.append(_name)
        )
    with transaction.atomic():
        plan = check(frame, manager, today=TODAY, for_update=True).plan
        assert writing.write(plan, user=manager, batch=batch) == (20, 4)
        assert writing.write(plan.head(5), user=manager, batch=batch) == (1, 4)
        transaction.set_rollback(True)
    assert taken == ["write_by_copy", "write_reference"]


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["12", "1,234", "1.234", "", "x", "12", "1e6", "£1,200", "95%", "12"] * 3),
        pd.Series(["1,234", "12,5", "1,234", "12,5"], dtype="string"),
        pd.Series(["1"]),
    ],
)
def test_numbers_read_over_distinct_cells_equal_every_cell(column):
    for fast, plain in zip(over_distinct(parse_text, column), parse_text(column), strict=True):
        pd.testing.assert_series_equal(fast, plain)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["2024-01-01", "2024-W02", "2024-03", "2024-Q2", "", "13/02/2024", "nope"] * 4),
        pd.Series(["2024-02-30", "45292", "2024-01-01T00:00", "2024-01-01T10:00:00Z"] * 2),
        # Not all text: read cell by cell (1 and True are one key to factorize).
        pd.Series(["2024-01-01", 45292, True, date(2024, 1, 8), float("nan")], dtype=object),
    ],
)
def test_periods_read_over_distinct_cells_equal_every_cell(column):
    for fast, plain in zip(
        over_distinct(parse_periods, column), parse_periods(column), strict=True
    ):
        pd.testing.assert_series_equal(fast, plain)
