"""Periods of a KPI: ISO weeks (starting Monday), calendar months and calendar quarters.

A period is named by its first day. Which period is "current" depends on today's date in the
configured TIME_ZONE (``timezone.localdate()``), never on UTC. Plain functions on dates here;
the vectorised versions for many rows live in ``kpis.maths``.
"""

import re
from datetime import date, datetime, timedelta

from django.utils import timezone

WEEKLY, MONTHLY, QUARTERLY = "weekly", "monthly", "quarterly"
ORDER = {WEEKLY: 0, MONTHLY: 1, QUARTERLY: 2}
NOUN = {WEEKLY: "week", MONTHLY: "month", QUARTERLY: "quarter"}


def local_date(value):
    """A date, datetime (aware or naive) or None as a date in the configured time zone."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if timezone.is_aware(value):
        return timezone.localtime(value).date()
    return value.date()


def period_start(day, frequency):
    """The first day of the period of ``frequency`` containing ``day``."""
    if frequency == WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == MONTHLY:
        return day.replace(day=1)
    if frequency == QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown frequency {frequency!r}")


def is_period_start(day, frequency):
    return period_start(day, frequency) == day


def next_period(start, frequency):
    if frequency == WEEKLY:
        return start + timedelta(days=7)
    months = 1 if frequency == MONTHLY else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def previous_period(start, frequency):
    if frequency == WEEKLY:
        return start - timedelta(days=7)
    months = 1 if frequency == MONTHLY else 3
    month = start.month - 1 - months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start, frequency):
    """The last day of the period starting on ``start``."""
    return next_period(start, frequency) - timedelta(days=1)


def is_closed(start, frequency, today):
    return next_period(start, frequency) <= today


def recent_periods(frequency, count, today=None):
    """The ``count`` most recent periods up to and including the current one, oldest first."""
    current = period_start(today or timezone.localdate(), frequency)
    out = [current]
    for _ in range(count - 1):
        out.append(previous_period(out[-1], frequency))
    return out[::-1]


def period_label(start, frequency):
    if frequency == WEEKLY:
        year, week, _ = start.isocalendar()
        return f"W{week:02d} {year} ({start.day} {start:%b})"
    if frequency == MONTHLY:
        return f"{start:%b %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def period_code(start, frequency):
    """The short form people type: 2024-W05, 2024-03, 2024-Q1."""
    if frequency == WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == MONTHLY:
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def is_coarser_or_equal(new, old):
    return ORDER[new] >= ORDER[old]


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class PeriodError(ValueError):
    pass


def parse_period(text, frequency):
    """A period start from what a person typed, or PeriodError saying what is wrong.

    Accepts a date (2024-03-01 or 01/03/2024, day first) that starts a period, or the short
    forms 2024-W10, 2024-03 and 2024-Q1.
    """
    text = (text or "").strip()
    if not text:
        raise PeriodError("Give the period.")
    kind, start = None, None
    try:
        if m := _WEEK.match(text):
            kind, start = WEEKLY, date.fromisocalendar(int(m[1]), int(m[2]), 1)
        elif m := _QUARTER.match(text):
            kind, start = QUARTERLY, date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
        elif m := _MONTH.match(text):
            kind, start = MONTHLY, date(int(m[1]), int(m[2]), 1)
        elif m := _ISO_DAY.match(text):
            start = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _UK_DAY.match(text):
            start = date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise PeriodError(f"“{text}” is not a real date.") from None
    if start is None:
        raise PeriodError(
            f"“{text}” is not a period: use a date such as 2024-03-01, or 2024-W10, "
            "2024-03 or 2024-Q1."
        )
    return check_period(start, frequency, kind=kind, text=text)


def check_period(start, frequency, *, kind=None, text=None):
    """``start`` if it begins a period of ``frequency``; otherwise PeriodError with a fix."""
    text = text or start.isoformat()
    noun = NOUN[frequency]
    if kind == MONTHLY and frequency == QUARTERLY and start.month in (1, 4, 7, 10):
        return start
    if kind is not None and kind != frequency:
        raise PeriodError(
            f"“{text}” is a {NOUN[kind]}, but this KPI is measured {frequency}: give the "
            f"{noun} (e.g. {period_code(period_start(start, frequency), frequency)})."
        )
    if not is_period_start(start, frequency):
        fixed = period_start(start, frequency)
        what = {
            WEEKLY: "a Monday (ISO weeks start on Monday)",
            MONTHLY: "the first day of a month",
            QUARTERLY: "the first day of a quarter",
        }[frequency]
        raise PeriodError(
            f"{start:%d %b %Y} does not start a {noun}: a {frequency} period starts on {what}; "
            f"did you mean {fixed.isoformat()}?"
        )
    return start
