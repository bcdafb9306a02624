"""The digest schedule's boundaries (digests/schedule.py): who counts as inactive, when the
monthly digest goes out and what it covers, and the catch-up window."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.schedule import (
    DigestSchedule,
    due_schedule,
    is_inactive,
    iso_week_key,
    next_schedule,
    parse_iso_week,
    previous_monthly_date,
    schedule_for_week,
)

LONDON = ZoneInfo("Europe/London")
SEND = {"weekday": 0, "send_time": time(7), "tz": "Europe/London", "inactive_days": 30}


@pytest.mark.parametrize(
    ("days_away", "inactive"),
    [(0, False), (29, False), (30, False), (31, True), (400, True)],
)
def test_inactive_only_after_more_than_the_allowed_days(days_away, inactive):
    on = date(2026, 12, 7)
    last_active = on - timedelta(days=days_away)
    assert is_inactive(last_active=last_active, on=on, inactive_days=30) is inactive


def test_never_seen_is_not_inactive():
    assert is_inactive(last_active=None, on=date(2026, 12, 7), inactive_days=30) is False


def test_the_inactivity_allowance_is_the_setting_not_a_constant():
    on = date(2026, 12, 7)
    assert is_inactive(last_active=on - timedelta(days=8), on=on, inactive_days=7) is True
    assert is_inactive(last_active=on - timedelta(days=7), on=on, inactive_days=7) is False


def test_a_recipient_away_exactly_the_allowance_keeps_the_weekly_digest():
    monday = date(2026, 11, 23)  # send day the 23rd: not in a first week
    weekly = schedule_for_week(monday, last_active=monday - timedelta(days=30), **SEND)
    assert weekly is not None and weekly.monthly is False
    assert weekly.period_start == date(2026, 11, 16)
    assert schedule_for_week(monday, last_active=monday - timedelta(days=31), **SEND) is None


@pytest.mark.parametrize(
    ("monday", "due"),
    [
        (date(2026, 12, 7), True),  # the 7th: still the first week
        (date(2026, 12, 14), False),
        (date(2026, 6, 1), True),  # the 1st
        (date(2026, 6, 8), False),  # the 8th: second week
    ],
)
def test_inactive_recipients_get_one_only_in_the_first_seven_days(monday, due):
    schedule = schedule_for_week(monday, last_active=date(2025, 1, 1), **SEND)
    assert (schedule is not None) is due
    if due:
        assert schedule.monthly is True


def test_send_day_is_the_preferred_weekday_of_the_week():
    # Friday sends of the week starting Monday 30 November: Friday 4 December.
    schedule = schedule_for_week(
        date(2026, 11, 30),
        weekday=4,
        send_time=time(8, 30),
        tz=LONDON,
        last_active=date(2026, 12, 1),
        inactive_days=30,
    )
    assert schedule == DigestSchedule(
        week="2026-W49",
        send_date=date(2026, 12, 4),
        scheduled_at=datetime(2026, 12, 4, 8, 30, tzinfo=LONDON),
        period_start=date(2026, 11, 27),
        monthly=False,
    )
    assert schedule.period_end == date(2026, 12, 4)
    assert schedule.tz is LONDON
    assert schedule.bounds() == (
        datetime(2026, 11, 27, 0, 0, tzinfo=LONDON),
        datetime(2026, 12, 4, 0, 0, tzinfo=LONDON),
    )


def test_a_monthly_digest_covers_since_the_previous_monthly_one():
    schedule = schedule_for_week(date(2026, 12, 7), last_active=date(2026, 1, 1), **SEND)
    assert schedule.monthly is True
    assert schedule.period_start == date(2026, 11, 2)
    assert schedule.period_end == date(2026, 12, 7)
    assert schedule.week == "2026-W50"


def test_forced_weekly_ignores_inactivity_even_outside_the_first_week():
    schedule = schedule_for_week(
        date(2026, 12, 14), last_active=date(2025, 1, 1), force_weekly=True, **SEND
    )
    assert schedule.monthly is False
    assert schedule.period_start == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("send_date", "previous"),
    [
        (date(2026, 12, 7), date(2026, 11, 2)),  # 4 weeks back is the 9th: 5 weeks
        (date(2026, 12, 1), date(2026, 11, 3)),  # 4 weeks back is the 3rd
        (date(2027, 1, 4), date(2026, 12, 7)),  # 4 weeks back is exactly the 7th
        (date(2027, 3, 1), date(2027, 2, 1)),  # February: exactly 4 weeks
        (date(2026, 7, 6), date(2026, 6, 1)),  # 4 weeks back is the 8th: 5 weeks
    ],
)
def test_previous_monthly_date_is_the_first_week_send_of_the_month_before(send_date, previous):
    assert previous_monthly_date(send_date) == previous


def test_iso_week_keys_are_zero_padded_and_use_the_iso_year():
    assert iso_week_key(date(2026, 3, 2)) == "2026-W10"
    assert iso_week_key(date(2026, 1, 5)) == "2026-W02"
    assert iso_week_key(date(2027, 1, 1)) == "2026-W53"


def test_parse_iso_week_gives_the_monday():
    assert parse_iso_week("2026-W47") == date(2026, 11, 16)
    assert parse_iso_week("2026-W01") == date(2025, 12, 29)


@pytest.mark.parametrize("text", ["2026-47", "2026-W7", "26-W47", "2026-W470", "x2026-W47", ""])
def test_parse_iso_week_refuses_other_writings_with_an_example(text):
    with pytest.raises(ValueError) as refused:
        parse_iso_week(text)
    assert str(refused.value) == f"“{text}” is not an ISO week; write it like 2026-W47."


def test_parse_iso_week_refuses_nothing_with_an_example():
    with pytest.raises(ValueError, match="is not an ISO week; write it like 2026-W47"):
        parse_iso_week(None)


def test_parse_iso_week_refuses_a_week_the_year_does_not_have():
    with pytest.raises(ValueError) as refused:
        parse_iso_week("2025-W53")
    assert str(refused.value) == "2025-W53 does not exist."
    assert parse_iso_week("2026-W53") == date(2026, 12, 28)


def due(now, **overrides):
    options = {**SEND, "last_active": date(2026, 11, 20), "catch_up_hours": 12, **overrides}
    return due_schedule(now=now, **options)


def test_due_from_the_send_moment_until_just_before_the_window_closes():
    assert due(datetime(2026, 11, 23, 6, 59, 59, tzinfo=UTC)) is None
    assert due(datetime(2026, 11, 23, 7, 0, tzinfo=UTC)).send_date == date(2026, 11, 23)
    assert due(datetime(2026, 11, 23, 18, 59, 59, tzinfo=UTC)) is not None
    assert due(datetime(2026, 11, 23, 19, 0, tzinfo=UTC)) is None
    assert due(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), catch_up_hours=1) is None
    assert due(datetime(2026, 11, 23, 7, 59, tzinfo=UTC), catch_up_hours=1) is not None


def test_due_reads_the_week_of_the_local_day():
    # Sunday 22:30 UTC is Monday 11:30 in Auckland: Monday's digest, from that Monday.
    schedule = due(datetime(2026, 11, 22, 22, 30, tzinfo=UTC), tz="Pacific/Auckland")
    assert schedule.week == "2026-W48"
    assert schedule.scheduled_at == datetime(2026, 11, 23, 7, tzinfo=ZoneInfo("Pacific/Auckland"))
    # A Wednesday sender checked on Wednesday: the Monday of that week plus two days.
    wednesday = due(datetime(2026, 11, 25, 7, 30, tzinfo=UTC), weekday=2)
    assert wednesday.send_date == date(2026, 11, 25)


def test_due_gives_nothing_in_a_week_without_a_digest():
    away = date(2025, 1, 1)
    assert due(datetime(2026, 11, 23, 7, 30, tzinfo=UTC), last_active=away) is None
    monthly = due(datetime(2026, 12, 7, 7, 30, tzinfo=UTC), last_active=away)
    assert monthly.monthly is True


def preview(now, **overrides):
    options = {**SEND, "last_active": date(2026, 11, 20), **overrides}
    return next_schedule(now=now, **options)


def test_next_schedule_is_this_weeks_until_its_moment_then_next_weeks():
    assert preview(datetime(2026, 11, 23, 6, 59, tzinfo=UTC)).send_date == date(2026, 11, 23)
    # Exactly at the send moment it is no longer to come.
    assert preview(datetime(2026, 11, 23, 7, 0, tzinfo=UTC)).send_date == date(2026, 11, 30)
    assert preview(datetime(2026, 11, 22, 12, 0, tzinfo=UTC)).send_date == date(2026, 11, 23)


def test_next_schedule_skips_weeks_without_a_digest_and_gives_up_after_max_weeks():
    away = date(2025, 1, 1)
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert preview(now, last_active=away).send_date == date(2026, 12, 7)
    # 10 November to 7 December: the fourth Monday after this week's.
    assert preview(now, last_active=away, max_weeks=5).send_date == date(2026, 12, 7)
    assert preview(now, last_active=away, max_weeks=4) is None
    assert preview(now, max_weeks=0) is None


def test_next_schedule_in_the_recipients_zone():
    # Sunday afternoon in London is already Monday in Auckland, whose send is at 07:00 local.
    now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # Monday 04:00 in Auckland
    schedule = preview(now, tz="Pacific/Auckland")
    assert schedule.send_date == date(2026, 11, 23)


def test_the_zone_may_be_given_as_a_zone_or_its_name():
    now = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    by_name = due(now)
    assert due(now, tz=LONDON) == by_name
    assert preview(now, tz=LONDON) == preview(now)
    assert schedule_for_week(date(2026, 11, 23), **{**SEND, "tz": LONDON}, last_active=None) == (
        schedule_for_week(date(2026, 11, 23), **SEND, last_active=None)
    )


def test_next_schedule_starts_from_the_recipients_local_week():
    # Sunday 17:00 UTC is Monday 06:00 in Auckland: this week's send, an hour away, is next,
    # even when only one week is looked at.
    now = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
    schedule = preview(now, tz="Pacific/Auckland", max_weeks=1)
    assert schedule.send_date == date(2026, 11, 23)
