"""The snapshot rules as plain functions: no database."""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from kpis import maths, periods


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (120, "on_track"),
        (100, "on_track"),  # exactly on target
        (90, "on_track"),  # exactly on warning: the better status
        (89.999999, "at_risk"),
        (80, "at_risk"),  # exactly on critical: the better status
        (79.999999, "off_track"),
        (-5, "off_track"),
        (None, "no_data"),
    ],
)
def test_status_higher_is_better(value, expected):
    assert maths.status_of(value, "higher", 90, 80) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "on_track"),
        (5, "on_track"),  # on target
        (8, "on_track"),  # on warning
        (8.000001, "at_risk"),
        (12, "at_risk"),  # on critical
        (12.000001, "off_track"),
        (None, "no_data"),
    ],
)
def test_status_lower_is_better(value, expected):
    assert maths.status_of(value, "lower", 8, 12) == expected


def test_thresholds_equal_to_target_still_on_track_when_met():
    assert maths.status_of(100, "higher", 100, 100) == "on_track"
    assert maths.status_of(99, "higher", 100, 100) == "off_track"
    assert maths.status_of(5, "lower", 5, 5) == "on_track"


def test_decimal_sums_hit_thresholds_exactly():
    # 0.1 + 0.2 is not 0.3 in floating point; the rounded aggregate must be.
    total = maths.aggregate([0.1, 0.2], "sum")
    assert maths.status_of(total, "higher", 0.3, 0.2) == "on_track"


@pytest.mark.parametrize(
    ("how", "expected"), [("sum", 60), ("mean", 20), ("last", 15), ("min", 10), ("max", 35)]
)
def test_aggregate(how, expected):
    assert maths.aggregate([10, 35, 15], how) == expected


def test_aggregate_of_nothing_is_no_value():
    assert maths.aggregate([], "sum") is None


@pytest.mark.parametrize(
    ("value", "target", "direction", "baseline", "expected"),
    [
        (90, 100, "higher", None, 0.9),
        (250, 100, "higher", None, 2.0),  # capped
        (-10, 100, "higher", None, 0.0),
        (50, 0, "higher", None, None),  # undefined without a positive target
        (10, 5, "lower", None, 0.5),
        (5, 5, "lower", None, 1.0),
        (0, 5, "lower", None, 2.0),
        (0, 0, "lower", None, 1.0),
        (3, 0, "lower", None, 0.0),
        (60, 100, "higher", 40, 1 / 3),  # a third of the way from baseline to target
        (30, 10, "lower", 50, 0.5),  # halfway down from 50 to 10
        (45, 100, "higher", 120, 0.45),  # baseline on the wrong side: plain ratio
        (None, 100, "higher", None, None),
    ],
)
def test_attainment(value, target, direction, baseline, expected):
    result = maths.attainment_of(value, target, direction, baseline)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_transition_rule_ranks():
    assert maths.worse("off_track", "at_risk")
    assert not maths.worse("at_risk", "off_track")


# The frame computation ----------------------------------------------------------------------


def _kpis(**overrides):
    row = {
        "kpi_id": 1,
        "partnership_id": 7,
        "frequency": "monthly",
        "aggregation": "sum",
        "start": date(2024, 1, 1),
        "direction": "higher",
        "target": 100.0,
        "warning": 90.0,
        "critical": 80.0,
        "baseline": np.nan,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def _measurements(rows):
    return pd.DataFrame(
        [
            {
                "id": i,
                "kpi_id": kpi,
                "period": period,
                "grain": grain,
                "value": float(value),
                "recorded_at": datetime(2024, 1, 1, 0, i % 60),
            }
            for i, (kpi, period, grain, value) in enumerate(rows, start=1)
        ],
        columns=["id", "kpi_id", "period", "grain", "value", "recorded_at"],
    )


NO_VERSIONS = pd.DataFrame(
    columns=[
        "kpi_id",
        "number",
        "effective_from",
        "direction",
        "target",
        "warning",
        "critical",
        "baseline",
    ]
)


def test_missing_closed_periods_are_no_data_and_open_period_is_left_out():
    frame = maths.compute_snapshots(
        _kpis(),
        NO_VERSIONS,
        _measurements([(1, date(2024, 1, 1), "monthly", 95), (1, date(2024, 3, 1), "monthly", 85)]),
        today=date(2024, 5, 15),
    )
    assert list(frame["period"]) == [date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert list(frame["status"]) == ["on_track", "no_data", "at_risk", "no_data"]
    assert frame["value"].isna().tolist() == [False, True, False, True]
    # No change across a gap, and a no-data period is not scored.
    assert np.isnan(frame.loc[2, "change"])
    assert np.isnan(frame.loc[1, "attainment"])
    assert frame["is_latest"].tolist() == [False, False, False, True]
    assert frame["is_closed"].all()


def test_current_period_is_included_once_it_has_a_value():
    frame = maths.compute_snapshots(
        _kpis(),
        NO_VERSIONS,
        _measurements([(1, date(2024, 5, 1), "monthly", 95)]),
        today=date(2024, 5, 15),
    )
    last = frame.iloc[-1]
    assert last["period"] == date(2024, 5, 1)
    assert not last["is_closed"]
    assert last["is_latest"]


def test_future_values_are_ignored():
    frame = maths.compute_snapshots(
        _kpis(),
        NO_VERSIONS,
        _measurements([(1, date(2024, 1, 1), "monthly", 95), (1, date(2024, 9, 1), "monthly", 1)]),
        today=date(2024, 3, 10),
    )
    assert list(frame["period"]) == [date(2024, 1, 1), date(2024, 2, 1)]


@pytest.mark.parametrize(
    ("how", "expected"), [("sum", 100), ("mean", 25), ("last", 40), ("min", 10), ("max", 40)]
)
def test_each_aggregation_of_finer_values(how, expected):
    # A KPI that was weekly and became monthly: its March weeks are combined.
    weeks = [
        (date(2024, 3, 4), 10),
        (date(2024, 3, 11), 30),
        (date(2024, 3, 25), 40),
        (date(2024, 3, 18), 20),
    ]
    frame = maths.compute_snapshots(
        _kpis(aggregation=how, start=date(2024, 3, 1)),
        NO_VERSIONS,
        _measurements([(1, d, "weekly", v) for d, v in weeks]),
        today=date(2024, 4, 2),
    )
    march = frame.iloc[0]
    assert march["value"] == expected
    assert march["measurement_count"] == 4


def test_value_at_the_kpi_frequency_wins_over_finer_ones():
    frame = maths.compute_snapshots(
        _kpis(start=date(2024, 3, 1)),
        NO_VERSIONS,
        _measurements([(1, date(2024, 3, 4), "weekly", 10), (1, date(2024, 3, 1), "monthly", 95)]),
        today=date(2024, 4, 2),
    )
    assert frame.iloc[0]["value"] == 95
    assert frame.iloc[0]["measurement_count"] == 1


def test_week_straddling_months_counts_in_the_month_it_starts():
    frame = maths.compute_snapshots(
        _kpis(start=date(2024, 1, 1)),
        NO_VERSIONS,
        _measurements([(1, date(2024, 1, 29), "weekly", 7)]),  # Mon 29 Jan - Sun 4 Feb
        today=date(2024, 3, 1),
    )
    assert frame.set_index("period").loc[date(2024, 1, 1), "value"] == 7


def test_versions_in_force_score_their_periods():
    versions = pd.DataFrame(
        [
            {
                "kpi_id": 1,
                "number": 1,
                "effective_from": None,
                "direction": "higher",
                "target": 100.0,
                "warning": 90.0,
                "critical": 80.0,
                "baseline": np.nan,
            },
            {
                "kpi_id": 1,
                "number": 2,
                "effective_from": date(2024, 3, 1),
                "direction": "higher",
                "target": 200.0,
                "warning": 180.0,
                "critical": 150.0,
                "baseline": np.nan,
            },
            # Edited twice in March: the later edit counts.
            {
                "kpi_id": 1,
                "number": 3,
                "effective_from": date(2024, 3, 1),
                "direction": "higher",
                "target": 120.0,
                "warning": 110.0,
                "critical": 100.0,
                "baseline": np.nan,
            },
        ]
    )
    frame = maths.compute_snapshots(
        _kpis(),
        versions,
        _measurements([(1, date(2024, m, 1), "monthly", 105) for m in (1, 2, 3, 4)]),
        today=date(2024, 5, 2),
    )
    assert list(frame["kpi_version"]) == [1, 1, 3, 3]
    assert list(frame["target"]) == [100, 100, 120, 120]
    assert list(frame["status"]) == ["on_track", "on_track", "at_risk", "at_risk"]


def test_change_rolling_average_and_trend():
    values = [100, 110, 120, 130, 140, 150]
    frame = maths.compute_snapshots(
        _kpis(),
        NO_VERSIONS,
        _measurements([(1, date(2024, i + 1, 1), "monthly", v) for i, v in enumerate(values)]),
        today=date(2024, 7, 3),
    )
    assert list(frame["change"].iloc[1:]) == [10] * 5
    assert frame["change_pct"].iloc[1] == pytest.approx(0.1)
    assert frame["rolling_avg"].iloc[-1] == 140
    assert frame["trend_slope"].iloc[-1] == pytest.approx(10)
    assert frame["trend"].iloc[-1] == "improving"
    assert frame["trend"].iloc[1] == ""  # fewer than 3 values


def test_trend_is_direction_aware_and_flat_within_one_percent():
    rising = [(1, date(2024, i + 1, 1), "monthly", 10 + i) for i in range(4)]
    frame = maths.compute_snapshots(
        _kpis(direction="lower", target=5.0, warning=8.0, critical=12.0),
        NO_VERSIONS,
        _measurements(rising),
        today=date(2024, 5, 2),
    )
    assert frame["trend"].iloc[-1] == "worsening"
    steady = [(1, date(2024, i + 1, 1), "monthly", 1000 + (i % 2)) for i in range(6)]
    frame = maths.compute_snapshots(
        _kpis(), NO_VERSIONS, _measurements(steady), today=date(2024, 7, 2)
    )
    assert frame["trend"].iloc[-1] == "flat"


def test_many_kpis_at_once_with_different_frequencies():
    kpis = pd.concat(
        [
            _kpis(kpi_id=1, frequency="weekly", start=date(2024, 2, 26)),
            _kpis(kpi_id=2, frequency="quarterly", start=date(2023, 10, 1)),
        ],
        ignore_index=True,
    )
    frame = maths.compute_snapshots(
        kpis,
        NO_VERSIONS,
        _measurements(
            [(1, date(2024, 3, 4), "weekly", 95), (2, date(2024, 1, 1), "quarterly", 70)]
        ),
        today=date(2024, 3, 13),
    )
    weekly = frame[frame["kpi_id"] == 1]
    assert list(weekly["period"]) == [date(2024, 2, 26), date(2024, 3, 4)]
    assert list(weekly["period_end"]) == [date(2024, 3, 3), date(2024, 3, 10)]
    quarterly = frame[frame["kpi_id"] == 2]
    # Q4 2023 closed without a value; Q1 2024 is still open but already has one.
    assert list(quarterly["period"]) == [date(2023, 10, 1), date(2024, 1, 1)]
    assert list(quarterly["status"]) == ["no_data", "off_track"]
    assert list(quarterly["is_closed"]) == [True, False]


# Periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "frequency", "start"),
    [
        (date(2024, 3, 17), "weekly", date(2024, 3, 11)),
        (date(2024, 3, 11), "weekly", date(2024, 3, 11)),
        (date(2024, 1, 1), "weekly", date(2024, 1, 1)),
        (date(2021, 1, 3), "weekly", date(2020, 12, 28)),  # ISO week 53 of 2020
        (date(2024, 2, 29), "monthly", date(2024, 2, 1)),
        (date(2024, 12, 31), "quarterly", date(2024, 10, 1)),
        (date(2024, 4, 1), "quarterly", date(2024, 4, 1)),
    ],
)
def test_period_start(day, frequency, start):
    assert periods.period_start(day, frequency) == start
    ordinal = maths.ordinal(maths.to_days([day]), np.array([frequency]))
    assert maths.days_to_dates(maths.ordinal_start(ordinal, np.array([frequency])))[0] == start


@pytest.mark.parametrize(
    ("text", "frequency", "expected"),
    [
        ("2024-03-01", "monthly", date(2024, 3, 1)),
        ("2024-03", "monthly", date(2024, 3, 1)),
        ("01/03/2024", "monthly", date(2024, 3, 1)),
        ("2024-W10", "weekly", date(2024, 3, 4)),
        ("2024-Q2", "quarterly", date(2024, 4, 1)),
        ("2024-04", "quarterly", date(2024, 4, 1)),
    ],
)
def test_parse_period(text, frequency, expected):
    assert periods.parse_period(text, frequency) == expected


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        ("2024-03-15", "monthly", "did you mean 2024-03-01"),
        ("2024-03-06", "weekly", "Monday"),
        ("2024-02-01", "quarterly", "did you mean 2024-01-01"),
        ("2024-03", "weekly", "is a month, but this KPI is measured weekly"),
        ("2024-02-30", "monthly", "not a real date"),
        ("March", "monthly", "not a period"),
        ("", "monthly", "Give the period"),
    ],
)
def test_parse_period_refuses_with_a_fix(text, frequency, message):
    with pytest.raises(periods.PeriodError, match=message):
        periods.parse_period(text, frequency)


def test_period_labels_and_neighbours():
    assert periods.period_label(date(2024, 3, 4), "weekly") == "W10 2024 (4 Mar)"
    assert periods.period_label(date(2024, 3, 1), "monthly") == "Mar 2024"
    assert periods.period_label(date(2024, 4, 1), "quarterly") == "Q2 2024"
    assert periods.previous_period(date(2024, 1, 1), "quarterly") == date(2023, 10, 1)
    assert periods.next_period(date(2024, 12, 1), "monthly") == date(2025, 1, 1)
    assert periods.period_end(date(2024, 2, 1), "monthly") == date(2024, 2, 29)
    assert periods.recent_periods("monthly", 3, date(2024, 1, 20)) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
    ]


def test_many_kpis_at_once_give_what_each_gives_alone():
    # KPIs arrive in any order, with different frequencies and a mid-way version: the windows
    # (change, rolling average, trend) must never reach across from one KPI to the next.
    kpis = pd.concat(
        [
            _kpis(kpi_id=9, frequency="weekly", start=date(2024, 1, 1)),
            _kpis(kpi_id=3, direction="lower", target=5.0, warning=8.0, critical=12.0),
            _kpis(kpi_id=5, frequency="quarterly"),
        ],
        ignore_index=True,
    )
    versions = pd.DataFrame(
        [(3, 2, date(2024, 4, 1), "lower", 4.0, 6.0, 9.0, np.nan)], columns=NO_VERSIONS.columns
    )
    weeks = [
        (9, date(2024, 1, 1) + timedelta(weeks=w), "weekly", 50 + 7 * w % 13) for w in range(20)
    ]
    months = [(3, date(2024, m, 1), "monthly", 3 + m % 5) for m in range(1, 7) if m != 3]
    quarters = [(5, date(2024, m, 1), "quarterly", 80 + m) for m in (1, 4)]
    measurements = _measurements(weeks + months + quarters)
    together = maths.compute_snapshots(kpis, versions, measurements, today=date(2024, 7, 20))
    for kpi_id in (9, 3, 5):
        alone = maths.compute_snapshots(
            kpis[kpis["kpi_id"] == kpi_id],
            versions[versions["kpi_id"] == kpi_id],
            measurements[measurements["kpi_id"] == kpi_id],
            today=date(2024, 7, 20),
        )
        mine = together[together["kpi_id"] == kpi_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.reset_index(drop=True), check_dtype=False)
    assert together["kpi_id"].is_monotonic_increasing
    assert set(together.loc[together["kpi_id"] == 3, "kpi_version"]) == {0, 2}


def test_a_kpi_without_values_is_no_data_from_its_start_beside_others():
    kpis = pd.concat([_kpis(kpi_id=4, start=date(2024, 2, 1)), _kpis(kpi_id=2)], ignore_index=True)
    # A value of a KPI not being computed is ignored.
    measurements = _measurements(
        [(2, date(2024, 1, 1), "monthly", 95), (8, date(2024, 1, 1), "monthly", 10)]
    )
    for values in (measurements, measurements.iloc[0:0]):
        frame = maths.compute_snapshots(kpis, NO_VERSIONS, values, today=date(2024, 5, 15))
        empty = frame[frame["kpi_id"] == 4]
        assert list(empty["period"]) == [date(2024, m, 1) for m in (2, 3, 4)]
        assert set(empty["status"]) == {"no_data"} and empty["value"].isna().all()
        assert (empty["measurement_count"] == 0).all() and empty["known_since"].isna().all()
    other = frame[frame["kpi_id"] == 2]
    assert list(other["status"]) == ["no_data"] * 4  # the last run had no values at all
    frame = maths.compute_snapshots(kpis, NO_VERSIONS, measurements, today=date(2024, 5, 15))
    assert frame.loc[frame["kpi_id"] == 2, "status"].tolist() == ["on_track"] + ["no_data"] * 3
    assert frame.loc[frame["kpi_id"] == 2, "measurement_count"].tolist() == [1, 0, 0, 0]
