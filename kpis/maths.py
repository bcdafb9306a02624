"""Snapshot maths: plain functions on numbers and pandas frames, no database.

The rules are listed in RULES (shown to users on every KPI page); the functions below
implement them for many KPIs at once.
"""

import numpy as np
import pandas as pd

from .day_numbers import EPOCH, days_to_dates, ordinal, ordinal_start, to_days, trailing_sum

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
TRENDS = ("", "flat", "improving", "worsening")  # no trend (too few points), then the labels
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
    # A ratio of a tiny number overflows to infinity, which the cap below turns into 200%.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
    none, flat_label, improving, worsening = TRENDS
    return np.select(
        [np.isnan(slope), flat, good], [none, flat_label, improving], default=worsening
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
    kpis["current"] = ordinal(np.full(len(kpis), today_days), kpis["frequency"].to_numpy())
    kpis["start_ord"] = ordinal(to_days(kpis["start"]), kpis["frequency"].to_numpy())

    values = _period_values(kpis, measurements)
    value_at = _add_period_ranges(kpis, values)
    total = int(kpis["count"].sum())
    if total == 0:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)

    grid, rep = _period_grid(kpis, total)
    _join_values(grid, rep, values, value_at)
    grid = _with_versions(grid, kpis, versions).reset_index(drop=True)
    _add_scores(grid)
    _add_calendar(grid)
    return grid[SNAPSHOT_COLUMNS]


def _add_period_ranges(kpis, values):
    """Each KPI's range of periods (first, last, count): from its first period (first value or
    creation, whichever is earlier) to the current one if it has a value, else the last closed
    one. Returns each value's KPI row, found by binary search (``kpis`` is sorted)."""
    kpi_ids = kpis["kpi_id"].to_numpy(dtype=np.int64)
    current = kpis["current"].to_numpy(dtype=np.int64)
    value_at = np.searchsorted(kpi_ids, values["kpi_id"].to_numpy(dtype=np.int64))
    value_ord = values["ord"].to_numpy(dtype=np.int64)
    first_value = np.full(len(kpis), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_value, value_at, value_ord)
    has_current = np.zeros(len(kpis), dtype=bool)
    has_current[value_at[value_ord == current[value_at]]] = True
    kpis["first"] = np.minimum(kpis["start_ord"].to_numpy(dtype=np.int64), first_value)
    kpis["last"] = np.where(has_current, current, current - 1).astype(np.int64)
    kpis["count"] = np.maximum(kpis["last"] - kpis["first"] + 1, 0)
    return value_at


def _period_grid(kpis, total):
    """One row per (KPI, period) of the ranges; ``rep`` is each row's KPI row."""
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
    return grid, rep


def _join_values(grid, rep, values, value_at):
    """Each period's value, if it has one: values are one per (KPI, period), so a left join is
    an exact-match binary search on one sorted key."""
    total = len(grid)
    value_keys = _as_of_key(value_at, values["ord"].to_numpy(dtype=np.int64))
    order = np.argsort(value_keys, kind="stable")
    grid_keys = _as_of_key(rep, grid["ord"].to_numpy())
    if len(order):
        found = np.minimum(np.searchsorted(value_keys[order], grid_keys), len(order) - 1)
        source = order[found]
        match = value_keys[source] == grid_keys
    else:
        source, match = np.zeros(total, dtype=np.int64), np.zeros(total, dtype=bool)
    for name in ("value", "n", "known_since"):
        column = values[name].to_numpy()[source] if len(order) else np.full(total, np.nan)
        grid[name] = pd.Series(column).where(match)
    grid["n"] = grid["n"].fillna(0).astype(np.int64)


def _add_scores(grid):
    """Status, attainment, change since the previous period, rolling average and trend."""
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


def _add_calendar(grid):
    grid["is_closed"] = grid["ord"] < grid["current"]
    grid["is_latest"] = grid["ord"] == grid["last"]
    grid["period"] = days_to_dates(grid["pday"])
    grid["period_end"] = days_to_dates(grid["next_day"] - 1)
    grid["measurement_count"] = grid["n"]
    grid["kpi_version"] = grid["number"].astype(np.int64)


def _period_values(kpis, measurements):
    """(kpi_id, ord, value, n, known_since): each KPI's value per period, aggregated where
    needed, and the earliest entry time of any measurement in the period. ``kpis`` is sorted
    by kpi_id."""
    empty = pd.DataFrame({"kpi_id": [], "ord": [], "value": [], "n": [], "known_since": []})
    empty = empty.astype({"kpi_id": np.int64, "ord": np.int64, "n": np.int64, "known_since": float})
    if measurements.empty:
        return empty
    # Each measurement's KPI row found by binary search: numpy throughout, as a recompute of
    # one KPI after a value is entered pays pandas' fixed cost per operation, not per row.
    kpi_ids = kpis["kpi_id"].to_numpy(dtype=np.int64)
    measured = measurements["kpi_id"].to_numpy(dtype=np.int64)
    at = np.minimum(np.searchsorted(kpi_ids, measured), len(kpi_ids) - 1)
    rows = np.flatnonzero(kpi_ids[at] == measured)
    at = at[rows]
    frequency = kpis["frequency"].to_numpy()[at]
    pday = to_days(measurements["period"].to_numpy()[rows])
    ords = ordinal(pday, frequency)
    started = ords <= kpis["current"].to_numpy()[at]  # never a value for a period not started
    if not started.any():
        return empty
    rows, at, frequency, pday, ords = (a[started] for a in (rows, at, frequency, pday, ords))
    column = {name: measurements[name].to_numpy()[rows] for name in ("value", "recorded_at")}
    own_mask = measurements["grain"].to_numpy()[rows] == frequency
    # One value per period at the KPI's own frequency: its entry is when the period was known.
    own = pd.DataFrame(
        {
            "kpi_id": measured[rows][own_mask],
            "ord": ords[own_mask],
            "value": column["value"][own_mask],
            "known_since": column["recorded_at"][own_mask],
            "n": 1,
        }
    )
    if not own_mask.all():
        finer_mask = ~own_mask
        finer = pd.DataFrame(
            {
                "kpi_id": measured[rows][finer_mask],
                "ord": ords[finer_mask],
                "pday": pday[finer_mask],
                "recorded_at": column["recorded_at"][finer_mask],
                "id": measurements["id"].to_numpy()[rows][finer_mask],
                "value": column["value"][finer_mask],
                "aggregation": kpis["aggregation"].to_numpy()[at][finer_mask],
            }
        )
        own = _with_finer_values(own, _combine_finer(finer))
    own["value"] = np.round(own["value"].astype(float), DECIMALS)
    own["n"] = own["n"].astype(np.int64)
    return own


def _combine_finer(finer):
    """Values entered at a finer grain than the KPI's, combined per period by its aggregation
    (sum, mean, min, max; otherwise the last entered)."""
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
    return agg[["kpi_id", "ord", "value", "n", "known_since"]]


def _with_finer_values(own, agg):
    """A value entered at the KPI's own frequency wins over combined finer ones, but a finer
    one entered earlier made the period known first."""
    both = own.merge(agg[["kpi_id", "ord", "known_since"]], on=["kpi_id", "ord"], how="left")
    earliest = both[["known_since_x", "known_since_y"]].min(axis=1)
    own["known_since"] = earliest.to_numpy()
    agg = agg.merge(own[["kpi_id", "ord"]], on=["kpi_id", "ord"], how="left", indicator=True)
    agg = agg[agg["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([own, agg], ignore_index=True)


def _with_versions(grid, kpis, versions):
    """Attach the definition version in force for each period (the latest effective one)."""
    floor = np.iinfo(np.int64).min // 2
    names = ("direction", "target", "warning", "critical", "baseline")
    # Every KPI's current definition at the floor, as number 0, so each period finds a version
    # of its own KPI; stored versions come after it and win a tie on the same day.
    kpi_ids = kpis["kpi_id"].to_numpy(dtype=np.int64)
    columns = {name: [kpis[name].to_numpy()] for name in names}
    ids, effs, numbers = (
        [kpi_ids],
        [np.full(len(kpis), floor, dtype=np.int64)],
        [np.zeros(len(kpis), dtype=np.int64)],
    )
    if versions is not None and not versions.empty:
        v = versions[versions["kpi_id"].isin(kpi_ids)]
        ids.append(v["kpi_id"].to_numpy(dtype=np.int64))
        effs.append(
            np.array(
                [floor if pd.isna(d) else (d - EPOCH).days for d in v["effective_from"]],
                dtype=np.int64,
            )
        )
        numbers.append(v["number"].to_numpy(dtype=np.int64))
        for name in names:
            columns[name].append(v[name].to_numpy())
    ids, effs, numbers = np.concatenate(ids), np.concatenate(effs), np.concatenate(numbers)
    order = np.lexsort((numbers, effs, ids))
    # Of versions effective the same day, the highest number (the last in order) counts.
    same_day = (ids[order][1:] == ids[order][:-1]) & (effs[order][1:] == effs[order][:-1])
    keep = order[np.r_[~same_day, True]]
    # An as-of join by binary search on one sorted (KPI, day) key. It keeps the grid's order.
    ranks = np.unique(kpi_ids)
    version_keys = _as_of_key(np.searchsorted(ranks, ids[keep]), effs[keep])
    grid_keys = _as_of_key(
        np.searchsorted(ranks, grid["kpi_id"].to_numpy(dtype=np.int64)), grid["pday"].to_numpy()
    )
    found = keep[np.searchsorted(version_keys, grid_keys, side="right") - 1]
    grid["number"] = numbers[found]
    for name in names:
        grid[name] = np.concatenate(columns[name])[found]
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
