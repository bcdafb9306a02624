"""Dates as day and period numbers, so the snapshot maths works on numpy arrays of integers
instead of Python dates (a recompute handles millions of them)."""

from datetime import date

import numpy as np
import pandas as pd

from . import periods

_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday
EPOCH = date(1970, 1, 1)


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
