"""Snapshot maths: plain functions on numbers and pandas frames, no database.

The rules are listed in RULES (shown to users on every KPI page); the functions below
implement them for many KPIs at once.
"""

from datetime import date

import numpy as np
import pandas as pd

from . import periods

RULES = [
    (
        "Value of a period",
        "The value entered for the period. When a KPI has become coarser (e.g. weekly to "
        "monthly), its older finer values in one period are combined with the KPI's "
        "aggregation: sum, mean, last (latest period, then latest entry), minimum or maximum. "
        "A value entered at the KPI's own frequency always wins over combined ones.",
    ),
    (
        "Status",
        "Higher is better: on track at or above the warning threshold, at risk from the "
        "critical threshold up to the warning one, off track below critical. Lower is better "
        "mirrors it. A value exactly on a threshold gets the better status, so meeting the "
        "target is always on track. A closed period without a value is “no data” and is never "
        "scored.",
    ),
    (
        "Attainment",
        "With a baseline on the far side of the target: (value − baseline) ÷ (target − "
        "baseline). Otherwise value ÷ target when higher is better, target ÷ value when lower "
        "is better. Shown as a percentage, between 0% and 200%.",
    ),
    ("Change", "The value minus the previous period's value (none if either has no data)."),
    ("3-period average", "The mean of the values of the last 3 periods that have one."),
    (
        "Trend",
        "The least-squares slope over the last 6 periods (at least 3 values): flat when it "
        "moves less than 1% of the average per period, otherwise improving or worsening "
        "according to the direction.",
    ),
    (
        "Targets over time",
        "Each period is scored with the definition in force for it: editing a target changes "
        "the current and later periods, never closed ones.",
    ),
]

ROLLING_WINDOW = 3
TREND_WINDOW = 6
TREND_MIN_POINTS = 3
FLAT_SHARE = 0.01
ATTAINMENT_CAP = 2.0
DECIMALS = 6

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"
SCORED = (ON_TRACK, AT_RISK, OFF_TRACK)
RANK = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}

# Vectorised rules ---------------------------------------------------------------------------


def classify(value, direction, warning, critical):
    """Status per row (arrays in, array of strings out); NaN value -> no data."""
    value = np.asarray(value, dtype=float)
    higher = np.asarray(direction) == "higher"
    warning = np.asarray(warning, dtype=float)
    critical = np.asarray(critical, dtype=float)
    with np.errstate(invalid="ignore"):
        on = np.where(higher, value >= warning, value <= warning)
        at = np.where(higher, value >= critical, value <= critical)
    return np.select(
        [np.isnan(value), on, at], [NO_DATA, ON_TRACK, AT_RISK], default=OFF_TRACK
    ).astype(object)


def attainment(value, target, direction, baseline):
    """Share of the target reached (1.0 = on target), capped to 0..2; NaN when undefined."""
    value = np.asarray(value, dtype=float)
    target = np.asarray(target, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    higher = np.asarray(direction) == "higher"
    with np.errstate(divide="ignore", invalid="ignore"):
        span = target - baseline
        use_base = ~np.isnan(baseline) & np.where(higher, span > 0, span < 0)
        from_base = (value - baseline) / span
        ratio_higher = np.where(target > 0, value / target, np.nan)
        ratio_lower = np.select(
            [
                (target > 0) & (value > 0),
                (target >= 0) & (value <= 0) & (value == target),
                (target > 0) & (value <= 0),
                (target == 0) & (value > 0),
            ],
            [target / value, 1.0, ATTAINMENT_CAP, 0.0],
            default=np.nan,
        )
        result = np.where(use_base, from_base, np.where(higher, ratio_higher, ratio_lower))
    result = np.where(np.isnan(value), np.nan, result)
    return np.clip(result, 0.0, ATTAINMENT_CAP)


def trend_label(slope, mean, direction):
    slope = np.asarray(slope, dtype=float)
    scale = np.maximum(np.abs(np.asarray(mean, dtype=float)), 1e-9)
    higher = np.asarray(direction) == "higher"
    with np.errstate(invalid="ignore"):
        # Float noise on the boundary counts as on it: moving exactly 1% is not flat.
        flat = np.abs(slope) / scale < FLAT_SHARE * (1 - 1e-9)
        good = np.where(higher, slope > 0, slope < 0)
    return np.select(
        [np.isnan(slope), flat, good], ["", "flat", "improving"], default="worsening"
    ).astype(object)


# Scalar conveniences (the same rules, one value at a time) ---------------------------------


def _nan(x):
    return np.nan if x is None else float(x)


def status_of(value, direction, warning, critical):
    return str(classify([_nan(value)], [direction], [_nan(warning)], [_nan(critical)])[0])


def attainment_of(value, target, direction, baseline=None):
    result = attainment([_nan(value)], [_nan(target)], [direction], [_nan(baseline)])[0]
    return None if np.isnan(result) else float(result)


def aggregate(values, how):
    """Combine values (already in period order) with an aggregation name."""
    values = [float(v) for v in values]
    if not values:
        return None
    result = {
        "sum": sum,
        "mean": lambda v: sum(v) / len(v),
        "last": lambda v: v[-1],
        "min": min,
        "max": max,
    }[how](values)
    return round(result, DECIMALS)


def worse(a, b):
    """True when status ``a`` is worse than status ``b`` (both scored)."""
    return RANK[a] > RANK[b]


# Period arithmetic on arrays of numpy days ------------------------------------------------

_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday
_EPOCH = date(1970, 1, 1)


def to_days(dates):
    """Day numbers since 1970 of dates, datetime64 values, or day numbers already."""
    array = np.asarray(dates)
    if np.issubdtype(array.dtype, np.integer):
        return array.astype(np.int64)
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[D]").astype(np.int64)
    return np.array(list(dates), dtype="datetime64[D]").astype(np.int64)


def trailing_sum(values, position, window):
    """Sum of each row and the ``window - 1`` rows before it in its group.

    Rows are in group order and ``position`` is each row's index within its group. A direct sum
    of at most ``window`` shifted copies: a grouped pandas rolling sum costs ~20x more here.
    """
    values = np.asarray(values, dtype=float)
    total = values.copy()
    for back in range(1, window):
        shifted = np.zeros_like(values)
        shifted[back:] = values[:-back]
        total += np.where(position >= back, shifted, 0.0)
    return total


def ordinal(days, frequency):
    """Period number of each day: weeks, months or quarters since 1970."""
    days = np.asarray(days, dtype=np.int64)
    frequency = np.asarray(frequency)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    weeks = (days + _EPOCH_WEEKDAY) // 7
    return np.select(
        [frequency == periods.WEEKLY, frequency == periods.MONTHLY], [weeks, months], months // 3
    )


def ordinal_start(ordinals, frequency):
    """First day (numpy day number) of each period number."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    frequency = np.asarray(frequency)
    week_start = ordinals * 7 - _EPOCH_WEEKDAY
    months = np.where(frequency == periods.QUARTERLY, ordinals * 3, ordinals)
    month_start = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return np.where(frequency == periods.WEEKLY, week_start, month_start)


def days_to_dates(days):
    """Python dates of day numbers. A snapshot frame has a million days but a few hundred
    distinct ones: each distinct day is converted once."""
    days = np.asarray(days, dtype=np.int64)
    if not len(days):
        return np.array([], dtype=object)
    distinct, where = np.unique(days, return_inverse=True)
    dates = pd.Series(distinct.astype("datetime64[D]")).dt.date.to_numpy()
    return dates[where]


# The snapshot computation -----------------------------------------------------------------

SNAPSHOT_COLUMNS = [
    "kpi_id",
    "partnership_id",
    "period",
    "period_end",
    "frequency",
    "is_closed",
    "is_latest",
    "value",
    "measurement_count",
    "known_since",
    "status",
    "attainment",
    "change",
    "change_pct",
    "trend_slope",
    "trend",
    "rolling_avg",
    "kpi_version",
    "direction",
    "target",
    "warning",
    "critical",
]


def compute_snapshots(kpis, versions, measurements, *, today):
    """Every (KPI, period) snapshot for many KPIs at once.

    kpis: kpi_id, partnership_id, frequency, aggregation, start (date), and the current
        definition (direction, target, warning, critical, baseline) as a fallback.
    versions: kpi_id, number, effective_from (date or None), direction, target, warning,
        critical, baseline.
    measurements: kpi_id, period (date or day number), grain, value (float), recorded_at
        (seconds since the epoch as the database layer reads them, or anything that sorts in
        entry order), id.

    Returns one row per KPI and period from its first period (first value or creation,
    whichever is earlier) to the current period if it has a value, else the last closed one.
    """
    if kpis.empty:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    # In KPI order, the grid below is built already sorted by (KPI, period) and stays so.
    kpis = kpis.sort_values("kpi_id").reset_index(drop=True)
    today_days = to_days([today])[0]
    freq_of = dict(zip(kpis["kpi_id"], kpis["frequency"], strict=True))
    kpis["current"] = ordinal(np.full(len(kpis), today_days), kpis["frequency"].to_numpy())
    kpis["start_ord"] = ordinal(to_days(kpis["start"]), kpis["frequency"].to_numpy())

    values = _period_values(kpis, measurements, freq_of)

    # Range of periods per KPI.
    first_value = values.groupby("kpi_id")["ord"].min()
    has_current = values.merge(kpis[["kpi_id", "current"]], on="kpi_id")
    has_current = set(has_current.loc[has_current["ord"] == has_current["current"], "kpi_id"])
    kpis["first"] = np.minimum(
        kpis["start_ord"], kpis["kpi_id"].map(first_value).fillna(np.iinfo(np.int64).max)
    ).astype(np.int64)
    kpis["last"] = np.where(
        kpis["kpi_id"].isin(has_current), kpis["current"], kpis["current"] - 1
    ).astype(np.int64)
    kpis["count"] = np.maximum(kpis["last"] - kpis["first"] + 1, 0)
    total = int(kpis["count"].sum())
    if total == 0:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)

    rep = np.repeat(np.arange(len(kpis)), kpis["count"].to_numpy())
    counts = kpis["count"].to_numpy()
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    grid = kpis.iloc[rep][
        ["kpi_id", "partnership_id", "frequency", "first", "last", "current"]
    ].reset_index(drop=True)
    grid["x"] = offsets
    grid["ord"] = grid["first"] + grid["x"]
    freq = grid["frequency"].to_numpy()
    grid["pday"] = ordinal_start(grid["ord"].to_numpy(), freq)
    grid["next_day"] = ordinal_start(grid["ord"].to_numpy() + 1, freq)

    grid = grid.merge(
        values[["kpi_id", "ord", "value", "n", "known_since"]], on=["kpi_id", "ord"], how="left"
    )
    grid["n"] = grid["n"].fillna(0).astype(np.int64)
    grid = _with_versions(grid, kpis, versions).reset_index(drop=True)

    value = grid["value"].to_numpy(dtype=float)
    direction = grid["direction"].to_numpy()
    grid["status"] = classify(value, direction, grid["warning"], grid["critical"])
    grid["attainment"] = np.round(attainment(value, grid["target"], direction, grid["baseline"]), 4)

    position = grid["x"].to_numpy()  # periods are contiguous: x is the row's place in its KPI
    previous = np.full(len(value), np.nan)
    previous[1:] = value[:-1]
    previous = np.where(position >= 1, previous, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = value - previous
        change_pct = np.where(previous != 0, change / np.abs(previous), np.nan)
    grid["change"] = np.round(change, DECIMALS)
    grid["change_pct"] = np.round(change_pct, 4)
    has = ~np.isnan(value)
    seen = trailing_sum(has, position, ROLLING_WINDOW)
    with np.errstate(divide="ignore", invalid="ignore"):
        rolling = trailing_sum(np.where(has, value, 0.0), position, ROLLING_WINDOW) / seen
    grid["rolling_avg"] = np.round(np.where(seen > 0, rolling, np.nan), DECIMALS)
    _add_trend(grid, position)

    grid["is_closed"] = grid["ord"] < grid["current"]
    grid["is_latest"] = grid["ord"] == grid["last"]
    grid["period"] = days_to_dates(grid["pday"])
    grid["period_end"] = days_to_dates(grid["next_day"] - 1)
    grid["measurement_count"] = grid["n"]
    grid["kpi_version"] = grid["number"].astype(np.int64)
    return grid[SNAPSHOT_COLUMNS]


def _period_values(kpis, measurements, freq_of):
    """(kpi_id, ord, value, n, known_since): each KPI's value per period, aggregated where
    needed, and the earliest entry time of any measurement in the period."""
    empty = pd.DataFrame({"kpi_id": [], "ord": [], "value": [], "n": [], "known_since": []})
    if measurements.empty:
        return empty.astype(
            {"kpi_id": np.int64, "ord": np.int64, "n": np.int64, "known_since": float}
        )
    m = measurements[measurements["kpi_id"].isin(freq_of.keys())].copy()
    m["frequency"] = m["kpi_id"].map(freq_of)
    m["aggregation"] = m["kpi_id"].map(dict(zip(kpis["kpi_id"], kpis["aggregation"], strict=True)))
    m["pday"] = to_days(m["period"])
    m["ord"] = ordinal(m["pday"].to_numpy(), m["frequency"].to_numpy())
    current = m["kpi_id"].map(dict(zip(kpis["kpi_id"], kpis["current"], strict=True)))
    m = m[m["ord"] <= current]  # never a value for a period that has not started
    if m.empty:
        return empty.astype(
            {"kpi_id": np.int64, "ord": np.int64, "n": np.int64, "known_since": float}
        )

    own_mask = m["grain"] == m["frequency"]
    # One value per period at the KPI's own frequency: its entry is when the period was known.
    own = m.loc[own_mask, ["kpi_id", "ord", "value", "recorded_at"]].assign(n=1)
    own = own.rename(columns={"recorded_at": "known_since"})
    finer = m.loc[~own_mask]
    if not finer.empty:
        finer = finer.sort_values(["kpi_id", "ord", "pday", "recorded_at", "id"])
        grouped = finer.groupby(["kpi_id", "ord"], sort=False)
        agg = grouped["value"].agg(["sum", "mean", "min", "max", "last", "count"])
        how = grouped["aggregation"].first()
        agg["value"] = np.select(
            [how == name for name in ("sum", "mean", "min", "max")],
            [agg["sum"], agg["mean"], agg["min"], agg["max"]],
            default=agg["last"],
        )
        agg["known_since"] = grouped["recorded_at"].min()
        agg = agg.reset_index().rename(columns={"count": "n"})
        agg = agg[["kpi_id", "ord", "value", "n", "known_since"]]
        # A value entered at the KPI's own frequency wins over combined finer ones, but a finer
        # one entered earlier made the period known first.
        both = own.merge(agg[["kpi_id", "ord", "known_since"]], on=["kpi_id", "ord"], how="left")
        earliest = both[["known_since_x", "known_since_y"]].min(axis=1)
        own["known_since"] = earliest.to_numpy()
        agg = agg.merge(own[["kpi_id", "ord"]], on=["kpi_id", "ord"], how="left", indicator=True)
        agg = agg[agg["_merge"] == "left_only"].drop(columns="_merge")
        own = pd.concat([own, agg], ignore_index=True)
    own["value"] = np.round(own["value"].astype(float), DECIMALS)
    own["n"] = own["n"].astype(np.int64)
    return own


def _with_versions(grid, kpis, versions):
    """Attach the definition version in force for each period (the latest effective one)."""
    floor = np.iinfo(np.int64).min // 2
    fallback = kpis[["kpi_id", "direction", "target", "warning", "critical", "baseline"]]
    fallback = fallback.assign(number=0, eff=floor)
    if versions is not None and not versions.empty:
        v = versions.copy()
        v["eff"] = np.array(
            [floor if pd.isna(d) else (d - _EPOCH).days for d in v["effective_from"]],
            dtype=np.int64,
        )
        v = pd.concat([fallback, v[fallback.columns]], ignore_index=True)
    else:
        v = fallback
    v = v.sort_values(["kpi_id", "eff", "number"]).drop_duplicates(["kpi_id", "eff"], keep="last")
    # An as-of join by binary search on one sorted (KPI, day) key; every KPI has the fallback
    # at the floor, so each period finds a version of its own KPI. It keeps the grid's order.
    rank = {kpi_id: i for i, kpi_id in enumerate(sorted(set(kpis["kpi_id"].tolist())))}
    v = v[v["kpi_id"].isin(rank.keys())]
    version_keys = _as_of_key(v["kpi_id"].map(rank).to_numpy(), v["eff"].to_numpy())
    grid_keys = _as_of_key(grid["kpi_id"].map(rank).to_numpy(), grid["pday"].to_numpy())
    found = np.searchsorted(version_keys, grid_keys, side="right") - 1
    grid = grid.copy()
    for name in ("number", "direction", "target", "warning", "critical", "baseline"):
        grid[name] = v[name].to_numpy()[found]
    return grid


_DAY_SPAN = 2**33  # days either side of 1970, far beyond any date Python can hold


def _as_of_key(ranks, days):
    days = np.clip(np.asarray(days, dtype=np.int64), -_DAY_SPAN + 1, _DAY_SPAN - 1)
    return np.asarray(ranks, dtype=np.int64) * (2 * _DAY_SPAN) + days + _DAY_SPAN


def _add_trend(grid, position):
    y = grid["value"].to_numpy(dtype=float)
    has = ~np.isnan(y)
    x = grid["x"].to_numpy(dtype=float)
    y0 = np.where(has, y, 0.0)
    n, sx, sy, sxy, sxx = (
        trailing_sum(part, position, TREND_WINDOW)
        for part in (
            has.astype(float),
            np.where(has, x, 0.0),
            y0,
            np.where(has, x * y0, 0.0),
            np.where(has, x * x, 0.0),
        )
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = n * sxx - sx * sx
        slope = np.where(
            (n >= TREND_MIN_POINTS) & (denominator > 0), (n * sxy - sx * sy) / denominator, np.nan
        )
        mean = np.where(n > 0, sy / n, np.nan)
    grid["trend_slope"] = np.round(slope, DECIMALS)
    grid["trend"] = trend_label(slope, mean, grid["direction"].to_numpy())
