"""When an obligation falls due: plain functions of dates, no database.

Due dates are calendar dates in the company's time zone (``settings.TIME_ZONE``), and "today"
is the date there, whatever zone the server or the reader is in.
"""

import calendar
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

ONE_OFF = "one_off"
MONTHS_APART = {"monthly": 1, "quarterly": 3, "yearly": 12}


def company_today(now=None):
    """Today's date in the company's time zone."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()


def add_months(day, months):
    """``day`` moved ``months`` on, the day clamped to the month's last (Jan 31 + 1 -> Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(first_due, recurrence, *, until, ends_on=None):
    """Every due date from ``first_due`` up to ``until`` (and ``ends_on``), both included.

    Each is counted from the first, not from the one before, so a monthly obligation first due
    on 31 January is due on 28 (or 29) February and on 31 March again: it never drifts."""
    last = min(until, ends_on) if ends_on else until
    if recurrence == ONE_OFF:
        return [first_due] if first_due <= last else []
    step = MONTHS_APART[recurrence]
    out = []
    n = 0
    while (day := add_months(first_due, n * step)) <= last:
        out.append(day)
        n += 1
    return out


def next_due(first_due, recurrence, *, after, ends_on=None):
    """The first due date on or after ``after``, or None when there is none."""
    if recurrence == ONE_OFF:
        found = first_due if first_due >= after else None
    elif first_due >= after:
        found = first_due
    else:
        step = MONTHS_APART[recurrence]
        months = (after.year - first_due.year) * 12 + after.month - first_due.month
        n = max(0, months // step)
        while (found := add_months(first_due, n * step)) < after:
            n += 1
    if found is not None and ends_on and found > ends_on:
        return None
    return found
