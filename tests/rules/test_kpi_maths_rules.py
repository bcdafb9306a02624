"""The KPI rules shown to users (kpis/maths.py RULES), at their exact boundaries, and one KPI's
whole history worked out by hand column by column."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from kpis import maths

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


def kpi(**overrides):
    row = {
        "kpi_id": 1,
        "partnership_id": 7,
        "frequency": "monthly",
        "aggregation": "mean",
        "start": date(2024, 1, 1),
        "direction": "higher",
        "target": 100.0,
        "warning": 90.0,
        "critical": 80.0,
        "baseline": 50.0,
    }
    return pd.DataFrame([{**row, **overrides}])


def measurements(rows):
    """Rows of (period, grain, value, recorded_at) for KPI 1."""
    return pd.DataFrame(
        [
            {
                "id": i,
                "kpi_id": 1,
                "period": period,
                "grain": grain,
                "value": float(value),
                "recorded_at": float(at),
            }
            for i, (period, grain, value, at) in enumerate(rows, start=1)
        ]
    )


def test_one_kpis_history_worked_out_by_hand():
    # Higher is better with a baseline of 50 until April, then lower is better (target 20,
    # warning 30, critical 40, baseline 60). February was entered as two weeks (mean 90),
    # March has no value, June is the current period and has one.
    versions = pd.DataFrame(
        [(1, 2, date(2024, 4, 1), "lower", 20.0, 30.0, 40.0, 60.0)], columns=VERSION_COLUMNS
    )
    rows = [
        (date(2024, 1, 1), "monthly", 60, 100),
        (date(2024, 2, 5), "weekly", 80, 50),
        (date(2024, 2, 12), "weekly", 100, 40),
        (date(2024, 4, 1), "monthly", 35, 300),
        (date(2024, 5, 1), "monthly", 25, 400),
        (date(2024, 6, 1), "monthly", 10, 500),
    ]
    frame = maths.compute_snapshots(kpi(), versions, measurements(rows), today=date(2024, 6, 10))
    assert list(frame.columns) == maths.SNAPSHOT_COLUMNS
    columns = {name: frame[name].tolist() for name in frame.columns}
    nan = None

    def same(name, expected):
        got = [None if isinstance(v, float) and np.isnan(v) else v for v in columns[name]]
        assert got == pytest.approx(expected) if name not in TEXT else got == expected, name

    TEXT = {"period", "period_end", "frequency", "status", "trend", "direction", "is_closed"}
    TEXT |= {"is_latest", "kpi_id", "partnership_id", "kpi_version", "measurement_count"}
    same("kpi_id", [1] * 6)
    same("partnership_id", [7] * 6)
    same("period", [date(2024, m, 1) for m in range(1, 7)])
    same(
        "period_end",
        [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
        + [date(2024, 5, 31), date(2024, 6, 30)],
    )
    same("frequency", ["monthly"] * 6)
    same("is_closed", [True] * 5 + [False])
    same("is_latest", [False] * 5 + [True])
    same("value", [60, 90, nan, 35, 25, 10])
    same("measurement_count", [1, 2, 0, 1, 1, 1])
    same("known_since", [100, 40, nan, 300, 400, 500])  # the earliest entry of the period
    same("status", ["off_track", "on_track", "no_data", "at_risk", "on_track", "on_track"])
    # (value − baseline) ÷ (target − baseline): (60−50)/50, (90−50)/50, (35−60)/(20−60)...
    same("attainment", [0.2, 0.8, nan, 0.625, 0.875, 1.25])
    same("change", [nan, 30, nan, nan, -10, -15])
    same("change_pct", [nan, 0.5, nan, nan, -0.2857, -0.6])
    # The mean of the values of the last three periods that have one.
    same("rolling_avg", [60, 75, 75, 62.5, 30, 23.333333])
    # Least squares over the last six periods once three have values; lower is better now.
    same("trend_slope", [nan, nan, nan, -11.071429, -12.5, -13.197674])
    same("trend", ["", "", "", "improving", "improving", "improving"])
    same("kpi_version", [0, 0, 0, 2, 2, 2])
    same("direction", ["higher"] * 3 + ["lower"] * 3)
    same("target", [100] * 3 + [20] * 3)
    same("warning", [90] * 3 + [30] * 3)
    same("critical", [80] * 3 + [40] * 3)


def test_the_current_period_without_a_value_is_left_out_until_it_has_one():
    rows = [(date(2024, 1, 1), "monthly", 95, 1)]
    frame = maths.compute_snapshots(kpi(), None, measurements(rows), today=date(2024, 3, 31))
    assert frame["period"].tolist() == [date(2024, 1, 1), date(2024, 2, 1)]
    assert frame["is_latest"].tolist() == [False, True]
    assert frame["is_closed"].tolist() == [True, True]


def test_the_first_period_is_the_earlier_of_the_start_and_the_first_value():
    rows = [(date(2023, 11, 1), "monthly", 95, 1)]
    frame = maths.compute_snapshots(
        kpi(start=date(2024, 1, 15)), None, measurements(rows), today=date(2024, 2, 3)
    )
    assert frame["period"].tolist() == [date(2023, m, 1) for m in (11, 12)] + [date(2024, 1, 1)]
    later = maths.compute_snapshots(
        kpi(start=date(2024, 1, 15)), None, measurements([]), today=date(2024, 2, 3)
    )
    assert later["period"].tolist() == [date(2024, 1, 1)]


def test_a_kpi_started_this_period_without_a_value_has_no_snapshot_yet():
    frame = maths.compute_snapshots(
        kpi(start=date(2024, 3, 2)), None, measurements([]), today=date(2024, 3, 20)
    )
    assert frame.empty
    assert list(frame.columns) == maths.SNAPSHOT_COLUMNS
    none = maths.compute_snapshots(kpi().iloc[0:0], None, measurements([]), today=date(2024, 3, 20))
    assert none.empty
    assert list(none.columns) == maths.SNAPSHOT_COLUMNS


@pytest.mark.parametrize(
    ("how", "expected"), [("sum", 60), ("mean", 20), ("min", 10), ("max", 30), ("last", 20)]
)
def test_finer_values_combine_with_the_aggregation_last_by_period_then_entry(how, expected):
    # Two entries for the week of 11 March: the later entry is the last value of the month.
    rows = [
        (date(2024, 3, 11), "weekly", 30, 5),
        (date(2024, 3, 11), "weekly", 20, 9),
        (date(2024, 3, 4), "weekly", 10, 20),
    ]
    frame = maths.compute_snapshots(
        kpi(aggregation=how, start=date(2024, 3, 1)),
        None,
        measurements(rows),
        today=date(2024, 4, 2),
    )
    assert frame["value"].tolist() == [expected]
    assert frame["measurement_count"].tolist() == [3]
    assert frame["known_since"].tolist() == [5]


def test_a_value_at_the_kpis_frequency_wins_but_an_earlier_finer_entry_made_it_known():
    rows = [(date(2024, 3, 4), "weekly", 10, 3), (date(2024, 3, 1), "monthly", 95, 8)]
    frame = maths.compute_snapshots(
        kpi(start=date(2024, 3, 1)), None, measurements(rows), today=date(2024, 4, 2)
    )
    assert frame[["value", "measurement_count", "known_since"]].values.tolist() == [[95, 1, 3]]


def test_the_latest_version_effective_by_the_period_scores_it():
    versions = pd.DataFrame(
        [
            (1, 1, None, "higher", 100.0, 90.0, 80.0, np.nan),
            (1, 2, date(2024, 2, 15), "higher", 50.0, 40.0, 30.0, np.nan),  # mid-February
            (1, 3, date(2024, 3, 1), "higher", 200.0, 190.0, 180.0, np.nan),
        ],
        columns=VERSION_COLUMNS,
    )
    rows = [(date(2024, m, 1), "monthly", 60, m) for m in (1, 2, 3)]
    frame = maths.compute_snapshots(
        kpi(baseline=np.nan), versions, measurements(rows), today=date(2024, 3, 20)
    )
    # A version effective mid-period applies from the next period on.
    assert frame["kpi_version"].tolist() == [1, 1, 3]
    assert frame["status"].tolist() == ["off_track", "off_track", "off_track"]
    assert frame["attainment"].tolist() == [0.6, 0.6, 0.3]


# Status ----------------------------------------------------------------------------------


def test_classify_many_rows_at_once_on_both_sides_of_each_threshold():
    value = [90, 89.99, 80, 79.99, np.nan, 30, 30.01, 40, 40.01]
    direction = ["higher"] * 5 + ["lower"] * 4
    warning = [90] * 5 + [30] * 4
    critical = [80] * 5 + [40] * 4
    assert maths.classify(value, direction, warning, critical).tolist() == [
        "on_track",
        "at_risk",
        "at_risk",
        "off_track",
        "no_data",
        "on_track",
        "at_risk",
        "at_risk",
        "off_track",
    ]


def test_status_without_thresholds_is_off_track_not_no_data():
    assert maths.status_of(50, "higher", None, None) == "off_track"


# Attainment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "direction", "baseline", "expected"),
    [
        (90, 100, "higher", 100, 0.9),  # baseline on the target: plain ratio
        (10, 5, "lower", 5, 0.5),
        (100, 100, "higher", 50, 1.0),
        (40, 100, "higher", 50, 0.0),  # below the baseline: 0%
        (400, 100, "higher", 50, 2.0),  # capped at 200%
        (-2, 5, "lower", None, 2.0),  # at or below zero when lower is better: the cap
        (5, -1, "lower", None, None),  # a negative target has no ratio
        (0, -1, "lower", None, None),
        (-1, -1, "lower", None, None),
        (10, -5, "higher", None, None),
        (150, 100, "higher", None, 1.5),
        (4, 5, "lower", None, 1.25),
    ],
)
def test_attainment_edges(value, target, direction, baseline, expected):
    result = maths.attainment_of(value, target, direction, baseline)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_attainment_is_a_float_or_none():
    assert type(maths.attainment_of(50, 100, "higher")) is float
    assert maths.attainment_of(None, 100, "higher") is None


# Trend -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slope", "mean", "direction", "label"),
    [
        (1.0, 100, "higher", "improving"),  # exactly 1% per period is not flat
        (0.99, 100, "higher", "flat"),
        (-0.99, 100, "higher", "flat"),
        (-1.0, 100, "higher", "worsening"),
        (1.0, 100, "lower", "worsening"),
        (-1.0, 100, "lower", "improving"),
        (1.0, -100, "higher", "improving"),  # measured against the size of the average
        (0.0, 0, "higher", "flat"),
        (5e-11, 0, "higher", "improving"),  # any movement of a KPI averaging zero counts
        (np.nan, 100, "higher", ""),
    ],
)
def test_trend_label_boundaries(slope, mean, direction, label):
    assert maths.trend_label([slope], [mean], [direction]).tolist() == [label]


def test_trend_needs_three_values_in_the_last_six_periods():
    rows = [(date(2024, m, 1), "monthly", 10 * m, m) for m in (1, 2, 9, 10)]
    frame = maths.compute_snapshots(
        kpi(baseline=np.nan), None, measurements(rows), today=date(2024, 11, 2)
    )
    # October sees January? No: its six periods are May to October, with two values.
    assert frame["trend"].tolist() == [""] * 10
    rows.append((date(2024, 8, 1), "monthly", 80, 8))
    frame = maths.compute_snapshots(
        kpi(baseline=np.nan), None, measurements(rows), today=date(2024, 11, 2)
    )
    assert frame["trend"].tolist()[-1] == "improving"
    assert frame["trend_slope"].tolist()[-1] == pytest.approx(10)


# Small helpers the rules rest on ----------------------------------------------------------


def test_aggregate_rounds_to_six_decimals_and_keeps_period_order_for_last():
    assert maths.aggregate([0.1, 0.2], "sum") == 0.3
    assert maths.aggregate([1, 2], "mean") == 1.5
    assert maths.aggregate(["3", "1"], "last") == 1.0
    assert maths.aggregate([1 / 3], "max") == 0.333333
    assert maths.aggregate([], "min") is None


def test_worse_ranks_off_track_below_at_risk_below_on_track():
    assert maths.worse("at_risk", "on_track")
    assert maths.worse("off_track", "on_track")
    assert not maths.worse("on_track", "on_track")
    assert not maths.worse("on_track", "at_risk")


def test_trailing_sum_stays_within_each_group():
    values = [1, 2, 3, 4, 10, 20]
    position = np.array([0, 1, 2, 3, 0, 1])
    assert maths.trailing_sum(values, position, 3).tolist() == [1, 3, 6, 9, 10, 30]
    assert maths.trailing_sum(values, position, 1).tolist() == values


@pytest.mark.parametrize(
    ("day", "frequency", "start", "end"),
    [
        (date(2024, 3, 10), "weekly", date(2024, 3, 4), date(2024, 3, 10)),  # a Sunday
        (date(2024, 3, 11), "weekly", date(2024, 3, 11), date(2024, 3, 17)),  # a Monday
        (date(1970, 1, 1), "weekly", date(1969, 12, 29), date(1970, 1, 4)),
        (date(2024, 3, 31), "monthly", date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 3, 31), "quarterly", date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 7, 1), "quarterly", date(2024, 7, 1), date(2024, 9, 30)),
        (date(1969, 12, 31), "quarterly", date(1969, 10, 1), date(1969, 12, 31)),
    ],
)
def test_periods_start_and_end(day, frequency, start, end):
    freq = np.array([frequency])
    number = maths.ordinal(maths.to_days([day]), freq)
    assert maths.days_to_dates(maths.ordinal_start(number, freq)).tolist() == [start]
    assert maths.days_to_dates(maths.ordinal_start(number + 1, freq) - 1).tolist() == [end]


def test_day_numbers_from_dates_datetimes_and_numbers():
    assert maths.to_days([date(1970, 1, 2)]).tolist() == [1]
    assert maths.to_days(np.array(["1970-01-03"], dtype="datetime64[D]")).tolist() == [2]
    assert maths.to_days(np.array([datetime(1970, 1, 4, 12)], dtype="datetime64[s]")).tolist() == [
        3
    ]
    assert maths.to_days(np.array([5, 6])).tolist() == [5, 6]
    assert maths.days_to_dates([19723, 19723, 0]).tolist() == [
        date(2024, 1, 1),
        date(2024, 1, 1),
        date(1970, 1, 1),
    ]
    assert maths.days_to_dates([]).tolist() == []


@pytest.mark.parametrize(
    ("value", "target", "direction", "baseline", "expected"),
    [
        (50.25, 50.5, "higher", 50, 0.5),  # a span under 1 still measures from the baseline
        (0.5, 0.8, "higher", None, 0.625),  # a target under 1 is still a target
        (0.4, 0.3, "lower", None, 0.75),
        (0.5, 0.4, "lower", None, 0.8),
        (-1, 0.5, "lower", None, 2.0),
        (-1, 0, "lower", None, None),  # below a zero target: no ratio
        (0.5, 0, "lower", None, 0.0),
    ],
)
def test_attainment_with_small_numbers(value, target, direction, baseline, expected):
    result = maths.attainment_of(value, target, direction, baseline)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_a_small_rise_is_worsening_when_lower_is_better():
    assert maths.trend_label([0.5], [10], ["lower"]).tolist() == ["worsening"]


def test_a_week_before_1970_starts_on_its_own_monday():
    freq = np.array(["weekly"])
    number = maths.ordinal(maths.to_days([date(1969, 12, 28)]), freq)  # a Sunday
    assert maths.days_to_dates(maths.ordinal_start(number, freq)).tolist() == [date(1969, 12, 22)]


def test_values_change_and_attainment_are_rounded_as_shown():
    # Weekly 0.1 + 0.2 make a month of exactly 0.3: on a lower-is-better warning of 0.3 that
    # is on track, not at risk by float noise.
    rows = [
        (date(2024, 1, 1), "monthly", 1.5, 1),
        (date(2024, 2, 5), "weekly", 0.1, 2),
        (date(2024, 2, 12), "weekly", 0.2, 3),
        (date(2024, 3, 1), "monthly", 0, 4),
        (date(2024, 4, 1), "monthly", 1, 5),
        (date(2024, 5, 1), "monthly", 3, 6),
    ]
    frame = maths.compute_snapshots(
        kpi(
            aggregation="sum",
            direction="lower",
            target=0.3,
            warning=0.3,
            critical=0.9,
            baseline=np.nan,
        ),
        None,
        measurements(rows),
        today=date(2024, 6, 2),
    )
    assert frame["value"].tolist()[:2] == [1.5, 0.3]
    assert frame["status"].tolist()[1] == "on_track"
    assert frame["change"].tolist()[1] == -1.2
    # From 0 there is no percentage change; from 1 there is.
    pct = frame["change_pct"].tolist()
    assert np.isnan(pct[3]) and pct[4:] == [2.0]
    assert frame["attainment"].tolist()[3:] == [0.3, 0.1]
    # A third shown as 0.3333.
    assert maths.compute_snapshots(
        kpi(baseline=np.nan, target=3.0),
        None,
        measurements([(date(2024, 1, 1), "monthly", 1, 1)]),
        today=date(2024, 2, 2),
    )["attainment"].tolist() == [0.3333]
