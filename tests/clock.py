"""The instant every test runs at (see the autouse ``clock`` fixture in tests/conftest.py).

A weekday in the middle of a week and of a month, away from daylight-saving changes and leap
days, so that "today", "last month" and "this quarter" are the same on every run. Tests build
their expectations from these values, never from the machine's clock.
"""

from datetime import UTC, datetime, timedelta

# Wednesday 18 November 2026, 10:30 in London (GMT = UTC in November). It is the 18th from
# Honolulu to Auckland, so TODAY holds whichever time zone a test sets.
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
TODAY = NOW.date()


def days_from_today(days):
    return TODAY + timedelta(days=days)
