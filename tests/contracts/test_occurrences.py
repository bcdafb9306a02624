"""Due dates of recurring obligations: anchored to the first date across month ends, and
"today" taken in the company's time zone."""

from datetime import UTC, date, datetime

import pytest

from contracts.occurrences import add_months, company_today, due_dates, next_due


def test_monthly_from_the_31st_keeps_coming_back_to_month_ends():
    dates = due_dates(date(2027, 1, 31), "monthly", until=date(2027, 6, 30))
    assert dates == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),  # back to the 31st, not stuck on the 28th
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]


def test_monthly_in_a_leap_year_lands_on_the_29th():
    assert due_dates(date(2028, 1, 31), "monthly", until=date(2028, 3, 31)) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]


def test_quarterly_and_yearly():
    assert due_dates(date(2026, 11, 30), "quarterly", until=date(2027, 12, 31)) == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
        date(2027, 11, 30),
    ]
    assert due_dates(date(2024, 2, 29), "yearly", until=date(2028, 3, 1)) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_one_off_and_end_dates():
    assert due_dates(date(2026, 5, 1), "one_off", until=date(2027, 1, 1)) == [date(2026, 5, 1)]
    assert due_dates(date(2026, 5, 1), "one_off", until=date(2026, 4, 30)) == []
    assert due_dates(
        date(2026, 1, 15), "monthly", until=date(2027, 1, 1), ends_on=date(2026, 3, 14)
    ) == [date(2026, 1, 15), date(2026, 2, 15)]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (date(2026, 12, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 31)),
        (date(2027, 3, 31), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 4, 30)),
    ],
)
def test_next_due_agrees_with_the_list(after, expected):
    assert next_due(date(2027, 1, 31), "monthly", after=after) == expected
    listed = due_dates(date(2027, 1, 31), "monthly", until=date(2028, 1, 1))
    assert expected == min(d for d in listed if d >= after)


def test_next_due_stops_at_the_end():
    assert next_due(date(2026, 1, 1), "yearly", after=date(2026, 6, 1)) == date(2027, 1, 1)
    assert (
        next_due(date(2026, 1, 1), "yearly", after=date(2026, 6, 1), ends_on=date(2026, 12, 31))
        is None
    )
    assert next_due(date(2026, 1, 1), "one_off", after=date(2026, 1, 2)) is None


def test_add_months_clamps_only_what_it_must():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_today_is_the_company_date_across_a_utc_midnight(settings):
    # 23:30 UTC on 30 June is already 1 July in London (BST, UTC+1).
    late_utc = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    settings.TIME_ZONE = "Europe/London"
    assert company_today(late_utc) == date(2027, 7, 1)
    # And still 30 June in New York.
    settings.TIME_ZONE = "America/New_York"
    assert company_today(late_utc) == date(2027, 6, 30)
    # 11:30 UTC on 30 June is 1 July in Auckland (UTC+12): the company's date, not UTC's.
    settings.TIME_ZONE = "Pacific/Auckland"
    assert company_today(datetime(2027, 6, 30, 12, 30, tzinfo=UTC)) == date(2027, 7, 1)
