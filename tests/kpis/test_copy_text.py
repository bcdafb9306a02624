"""The column-at-a-time COPY text of snapshot rows equals the row-at-a-time reference."""

from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kpis import maths, snapshots
from kpis.models import Kpi
from kpis.queries import copy_text

from .conftest import make_kpi, measure, months

STAMP = ["2024-06-02T06:00:00+00:00", "6f1c0e52-8d7e-4a55-9b43-1d2f8c6a0b11"]
NUMBERS = [
    np.nan,
    None,
    -0.0,
    0.0,
    1e16,
    -1e-05,
    0.1,
    123456.789012,
    2 / 3,
    Decimal("41443.190000"),
    99.0,
    -3768.12,
]


def varied_frame():
    n = len(NUMBERS)
    frame = pd.DataFrame(
        {name: [0] * n for name in copy_text.NAMES},
    )
    for name, reference, _ in copy_text.COLUMNS:
        if reference is copy_text._text_numbers:
            frame[name] = pd.Series(NUMBERS, dtype=object)
    frame["kpi_id"] = np.arange(n, dtype=np.int64) * 7919
    frame["partnership_id"] = [3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6]
    frame["fingerprint"] = np.array([-(2**63), 2**63 - 1, 0, -1] * 3, dtype=np.int64)
    frame["measurement_count"] = [0, 1, 2] * 4
    frame["period"] = [date(2024, m, 1) for m in range(1, n + 1)]
    frame["period_end"] = pd.Series(
        [datetime(2024, 1, 31, tzinfo=UTC), None, pd.NaT, date(2023, 12, 31)] * 3, dtype=object
    )
    frame["is_closed"] = np.array([True, False] * 6)
    frame["is_latest"] = [False] * (n - 1) + [True]
    frame["status"] = ["on_track", "at_risk", "off_track", "no_data"] * 3
    frame["trend"] = ["", "up", "a\tb", "back\\slash\nline"] * 3
    frame["frequency"] = ["weekly", "monthly", "quarterly"] * 4
    frame["direction"] = ["higher", "lower"] * 6
    return frame


def test_the_fast_text_equals_the_reference_on_edge_values():
    frame = varied_frame()
    assert copy_text.copy_text(frame, STAMP) == copy_text.copy_text_reference(frame, STAMP)
    assert copy_text.copy_text(frame.iloc[:0], STAMP) == ""


@pytest.mark.django_db
def test_the_fast_text_equals_the_reference_on_computed_snapshots(partnership, coo):
    lower = make_kpi(
        partnership,
        direction="lower",
        target=Decimal("12.5"),
        warning=Decimal("15"),
        critical=Decimal("18"),
    )
    weekly = make_kpi(
        partnership,
        frequency="weekly",
        target=Decimal("0.333333"),
        warning=Decimal("0.25"),
        critical=Decimal("0.125"),
    )
    plain = make_kpi(partnership)
    for kpi, values in ((lower, [10, 14.25, 20]), (plain, [100, 85, 70, 95, 101])):
        for day, value in months(2024, 1, values):
            measure(kpi, day, value)
    measure(plain, date(2024, 3, 4), 2.5, grain="weekly")  # a finer grain in a monthly KPI
    measure(weekly, date(2024, 1, 8), 1 / 3)
    ids = [lower.pk, weekly.pk, plain.pk]
    rows = list(Kpi.objects.filter(pk__in=ids).order_by("pk").values(*snapshots.KPI_FIELDS))
    versions, measurements = snapshots.load_frames(ids)
    frame = maths.compute_snapshots(
        snapshots._kpi_frame(rows), versions, measurements, today=date(2024, 6, 2)
    )
    frame["fingerprint"] = snapshots.fingerprints(frame)
    assert len(frame) > 20 and frame["status"].nunique() > 2
    assert copy_text.copy_text(frame, STAMP) == copy_text.copy_text_reference(frame, STAMP)
