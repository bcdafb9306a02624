"""Properties of the snapshot maths (kpis/maths.py), each held against a plain scalar reading
of RULES: direction, thresholds, attainment, trend and missing periods."""

import math
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpis import maths
from tests.kpis.test_maths import NO_VERSIONS, _kpis, _measurements

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
direction = st.sampled_from(["higher", "lower"])


def reference_status(value, direction, warning, critical):
    """RULES "Status", one value at a time; on a threshold is the better side."""
    if value is None:
        return maths.NO_DATA
    better_or_equal = (lambda a, b: a >= b) if direction == "higher" else (lambda a, b: a <= b)
    if better_or_equal(value, warning):
        return maths.ON_TRACK
    if better_or_equal(value, critical):
        return maths.AT_RISK
    return maths.OFF_TRACK


@given(finite, direction, finite, finite)
def test_status_is_the_plain_reading_of_the_thresholds(value, direction, warning, critical):
    assert maths.status_of(value, direction, warning, critical) == reference_status(
        value, direction, warning, critical
    )


@given(finite, finite, finite)
def test_lower_is_better_mirrors_higher_is_better(value, warning, critical):
    assert maths.status_of(value, "higher", warning, critical) == maths.status_of(
        -value, "lower", -warning, -critical
    )


@given(finite, finite, direction, st.floats(0, 1e6), st.floats(0, 1e6))
def test_a_better_value_never_gets_a_worse_status(value, step, direction, gap_w, gap_c):
    # Sensible thresholds: critical on the far side of warning.
    warning = 100.0
    critical = warning - gap_c if direction == "higher" else warning + gap_c
    better = value + abs(step) if direction == "higher" else value - abs(step)
    a = maths.status_of(value, direction, warning, critical)
    b = maths.status_of(better, direction, warning, critical)
    assert not maths.worse(b, a)


def reference_attainment(value, target, direction, baseline):
    """RULES "Attainment", in plain arithmetic."""
    if value is None:
        return None
    if baseline is not None and (
        (target > baseline) if direction == "higher" else (target < baseline)
    ):
        result = (value - baseline) / (target - baseline)
    elif direction == "higher":
        if target <= 0:
            return None
        result = value / target
    else:
        if target > 0 and value > 0:
            result = target / value
        elif target >= 0 and value <= 0 and value == target:
            result = 1.0
        elif target > 0 and value <= 0:
            result = maths.ATTAINMENT_CAP
        elif target == 0 and value > 0:
            result = 0.0
        else:
            return None
    return min(max(result, 0.0), maths.ATTAINMENT_CAP)


@given(finite, finite, direction, st.one_of(st.none(), finite))
def test_attainment_is_the_plain_reading_and_stays_between_0_and_200(
    value, target, direction, baseline
):
    got = maths.attainment_of(value, target, direction, baseline)
    expected = reference_attainment(value, target, direction, baseline)
    if expected is None:
        assert got is None
    else:
        assert got is not None and 0.0 <= got <= maths.ATTAINMENT_CAP
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


@given(finite, st.floats(1e-3, 1e9), direction)
def test_trend_is_flat_under_one_percent_and_otherwise_follows_the_direction(
    slope, mean, direction
):
    label = maths.trend_label([slope], [mean], [direction])[0]
    share = abs(slope) / mean
    assume(abs(share - maths.FLAT_SHARE) > 1e-6)  # the boundary itself is pinned elsewhere
    if share < maths.FLAT_SHARE:
        assert label == "flat"
    elif (slope > 0) == (direction == "higher"):
        assert label == "improving"
    else:
        assert label == "worsening"


# Missing periods ----------------------------------------------------------------------------

MONTHS = [date(2024, m, 1) for m in range(1, 13)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=1, max_size=11),
    direction,
)
def test_missing_periods_are_no_data_and_never_scored_or_bridged(values, direction):
    """A year of monthly values with gaps, seen on 15 Dec: every closed month is a row; a
    month without a value is "no data", has no attainment and no change; a change needs both
    months; the rolling average is the mean of the values among the last three months (none
    when all three are empty)."""
    assume(any(v is not None for v in values))
    rows = [(1, MONTHS[i], "monthly", v) for i, v in enumerate(values) if v is not None]
    warning, critical = (90.0, 80.0) if direction == "higher" else (110.0, 120.0)
    frame = maths.compute_snapshots(
        _kpis(direction=direction, warning=warning, critical=critical),
        NO_VERSIONS,
        _measurements(rows),
        today=date(2024, 12, 15),
    )
    assert list(frame["period"]) == MONTHS[:11]
    padded = values + [None] * (11 - len(values))
    for i, (row, value) in enumerate(zip(frame.itertuples(), padded, strict=True)):
        assert row.status == reference_status(value, direction, warning, critical)
        if value is None:
            assert np.isnan(row.value) and np.isnan(row.attainment)
        else:
            assert row.value == value
        previous = padded[i - 1] if i else None
        if value is None or previous is None:
            assert np.isnan(row.change)
        else:
            assert row.change == value - previous
        window = [v for v in padded[max(0, i - 2) : i + 1] if v is not None]
        if window:
            assert row.rolling_avg == round(sum(window) / len(window), maths.DECIMALS)
        else:
            assert np.isnan(row.rolling_avg)
    assert frame["is_latest"].tolist() == [False] * 10 + [True]
    assert isinstance(frame, pd.DataFrame)
