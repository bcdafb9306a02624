"""The cell readers of an import (kpis/imports/cells.py): read over a column's distinct cells,
each gives what it gives reading every cell."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kpis.day_numbers import days_to_dates
from kpis.imports import cells
from kpis.imports.distinct import over_distinct

COLUMNS = [
    pd.Series(["12", " 12", "12 ", "", "  ", "1,234", "1.234", "x", "12", "1e6", "95%"] * 3),
    pd.Series(["1,234", "12,5", "1,234", "12,5", " 7 "], dtype="string", name="value"),
    pd.Series(["3", "007", "3.0", "3.00", "-3", "3.5", "1234567890123456789", "", "3"] * 2),
    pd.Series(["tab\there", "new\nline", " padded ", "", "é ✓", "tab\there"], name="note"),
    pd.Series(["£1,200.50", "−3", "1 234,5", "12'000", "1.234,5", "1.234,5"]),
    pd.Series(["1"]),
    # Not all text: read cell by cell (1, 1.0 and True are one key to factorize).
    pd.Series([1, 1.0, True, "1", Decimal("2.5"), None, float("nan"), " 4 ", 4], dtype=object),
    pd.Series([datetime(2024, 1, 1), "2024-01-01", 45292, None], dtype=object),
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("reader", [cells.text_cells, cells.kpi_cells, cells.value_cells])
def test_cells_read_over_distinct_cells_equal_every_cell(reader, column):
    fast, plain = over_distinct(reader, column), reader(column)
    assert len(fast) == len(plain)
    for fast_part, plain_part in zip(fast, plain, strict=True):
        pd.testing.assert_series_equal(fast_part, plain_part)


def test_the_plan_periods_are_the_dates_of_their_day_numbers():
    epoch = date(1970, 1, 1)
    days = np.array([10957, 10957, 20000, 19000, 2932896, 0, 12345], dtype=np.int64)
    assert list(days_to_dates(days)) == [epoch + timedelta(days=int(d)) for d in days]
